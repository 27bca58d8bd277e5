import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { formatYuan, parseYuan } from '../shared/money';

export enum Currency {
  CNY = 'CNY',
}
registerEnumType(Currency, { name: 'Currency', description: 'ISO 4217 currency code.' });

@ObjectType({ description: 'An exact amount of money. Stored as integer fen; never a float.' })
export class Money {
  @Field(() => String, { description: 'Exact decimal amount in yuan with two decimals, e.g. "128.50".' })
  amount!: string;

  @Field(() => String, { description: 'The same amount in fen (分, 1/100 yuan) as an integer string, e.g. "12850".' })
  fen!: string;

  @Field(() => Currency)
  currency!: Currency;

  static fromFen(fen: number | bigint): Money {
    return Object.assign(new Money(), { amount: formatYuan(fen), fen: String(fen), currency: Currency.CNY });
  }
}

/** `node` is the literal in the document, so the error names where it stands. */
function parseYuanLiteral(value: unknown, node?: ValueNode): number {
  const fen = typeof value === 'string' ? parseYuan(value) : null;
  if (fen === null) {
    throw new GraphQLError(
      'YuanAmount must be a non-negative decimal string in yuan with at most two decimals, e.g. "128.50"',
      { nodes: node, extensions: { code: 'BAD_USER_INPUT' } },
    );
  }
  return fen;
}

/** Input form of money: the client sends yuan as a decimal string; resolvers receive integer fen. */
export const YuanAmountScalar = new GraphQLScalarType<number, string>({
  name: 'YuanAmount',
  description:
    'A non-negative amount in yuan (CNY) as a decimal string with at most two decimals, e.g. "128.50". ' +
    'A string, not a number, so that no float rounding can touch money.',
  serialize: (fen) => formatYuan(fen as number),
  parseValue: (value) => parseYuanLiteral(value),
  parseLiteral: (ast) => parseYuanLiteral(ast.kind === Kind.STRING ? ast.value : undefined, ast),
});
