import { GraphQLError, GraphQLScalarType, type ValueNode } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';

/** Times the gateway deals in: from the first policy version (1970) to well past any order. */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);

/** `node` is the literal in the document, so the error names where it stands. */
function inRange(value: unknown, node?: ValueNode): Date {
  const date = value as Date;
  if (date.getTime() < EARLIEST || date.getTime() >= LATEST) {
    throw new GraphQLError('DateTime must lie between 1970-01-01 and 2100-01-01', {
      nodes: node,
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return date;
}

/**
 * graphql-scalars' DateTime (same name, description and format), bounded: year 0000 or 1900 would
 * reach PostgreSQL or fall before the first policy version and fail as an internal error.
 */
export const DateTimeScalar = new GraphQLScalarType({
  ...DateTimeResolver.toConfig(),
  parseValue: (value) => inRange(DateTimeResolver.parseValue(value)),
  parseLiteral: (ast, variables) => inRange(DateTimeResolver.parseLiteral(ast, variables), ast),
});
