import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, ID, Info, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../server/context';
import { Allow } from '../security/authorization';
import { MERCHANT_DATA_READERS } from '../security/roles';
import { fromGlobalId, type NodeTypeName } from './global-id';
import { Node } from './node';
import { readAhead } from './read-ahead';
import { selectedFieldsOn } from './selection';

const MAX_NODES = 100;

/** The loader of a type's objects; those that read only what is asked take the fields (null: all). */
const loaderOf = (ctx: RequestContext, type: NodeTypeName, fields: ReadonlySet<string> | null = null) =>
  ({
    Merchant: ctx.loaders.merchants.byFields(fields),
    Buyer: ctx.loaders.buyers.byFields(fields),
    Product: ctx.loaders.products.byId,
    Order: ctx.loaders.orders.byFields(fields),
    LedgerTransaction: ctx.loaders.ledger.transactionById,
    ScoreEvent: ctx.loaders.trust.eventById,
    AfterSalesCase: ctx.loaders.afterSales.byId,
    Warning: ctx.loaders.warnings.byId,
    Appeal: ctx.loaders.appeals.byId,
    MerchantStatusChangeNode: ctx.loaders.merchants.statusChangeById,
  })[type];

async function loadNode(ctx: RequestContext, globalId: string): Promise<object | null> {
  const parsed = fromGlobalId(globalId);
  return parsed ? loaderOf(ctx, parsed.type).load(parsed.id) : null;
}

/** An object of a known type by global id (a federation reference); null for an id of another type. */
export async function loadEntity(ctx: RequestContext, type: NodeTypeName, globalId: string): Promise<object | null> {
  const parsed = fromGlobalId(globalId);
  return parsed?.type === type ? loaderOf(ctx, type).load(parsed.id) : null;
}

@Resolver()
export class NodeResolver {
  @Allow(...MERCHANT_DATA_READERS)
  @Query(() => Node, { nullable: true, description: 'Any object by its global id; null when unknown or malformed.' })
  node(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo) {
    const parsed = fromGlobalId(id);
    if (!parsed) return null;
    readAhead(parsed.id, ctx, info, parsed.type);
    return loaderOf(ctx, parsed.type, selectedFieldsOn(info, parsed.type, 'Node')).load(parsed.id);
  }

  @Allow(...MERCHANT_DATA_READERS)
  @Query(() => [Node], {
    nullable: 'items',
    description: 'Objects by global id, in the order asked; null for unknown ids.',
  })
  nodes(
    @Arg('ids', () => [ID], { description: `At most ${MAX_NODES} ids.` }) ids: string[],
    @Ctx() ctx: RequestContext,
  ) {
    if (ids.length > MAX_NODES) {
      throw new GraphQLError(`ask for at most ${MAX_NODES} ids`, {
        extensions: { code: 'BAD_USER_INPUT', field: 'ids' },
      });
    }
    return Promise.all(ids.map((id) => loadNode(ctx, id)));
  }
}
