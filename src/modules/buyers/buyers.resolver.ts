import { readAhead } from '../../graphql/read-ahead';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { selectedFields } from '../../graphql/selection';
import { toGlobalId } from '../../graphql/global-id';
import { requireLocalId } from '../../graphql/ids';
import { toPayload } from '../../graphql/user-error';
import { BuyerFlag } from '../../shared/enums';
import type { RequestContext } from '../../server/context';
import { Allow } from '../../security/authorization';
import { Role, STAFF_READERS } from '../../security/roles';
import { Buyer } from './buyer.entity';
import { flagsOf } from './buyers.rules';
import { buyersService } from './buyers.service';
import { BuyerNode, UpsertBuyerInput, UpsertBuyerPayload } from './buyers.types';

@Resolver(() => BuyerNode)
export class BuyersResolver {
  @Allow(...STAFF_READERS)
  @Query(() => BuyerNode, { nullable: true })
  buyer(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo) {
    const buyerId = requireLocalId('Buyer', id, 'id');
    readAhead(buyerId, ctx, info);
    return buyersService.load(ctx, buyerId, selectedFields(info));
  }

  @FieldResolver(() => ID)
  id(@Root() buyer: Buyer) {
    return toGlobalId('Buyer', buyer.id);
  }

  @FieldResolver(() => [BuyerFlag])
  flags(@Root() buyer: Buyer) {
    return flagsOf(buyer);
  }

  @Allow(Role.INGEST, Role.ADMIN)
  @Mutation(() => UpsertBuyerPayload, { description: 'Creates or updates a buyer, keyed on its externalId.' })
  async upsertBuyer(@Arg('input', () => UpsertBuyerInput) input: UpsertBuyerInput, @Ctx() ctx: RequestContext) {
    return toPayload(await buyersService.upsert(ctx, input));
  }
}
