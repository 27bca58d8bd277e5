import { readAhead } from '../../graphql/read-ahead';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { connectionAsk, selectedFields } from '../../graphql/selection';
import { PageArgs } from '../../graphql/connection';
import { toGlobalId } from '../../graphql/global-id';
import { decodedMutation, requireLocalId } from '../../graphql/ids';
import { Money } from '../../graphql/money';
import { toPayload } from '../../graphql/user-error';
import { Allow } from '../../security/authorization';
import { MERCHANT_DATA_READERS, Role } from '../../security/roles';
import type { RequestContext } from '../../server/context';
import type { Merchant, MerchantStatusChange } from './merchant.entity';
import { merchantsService } from './merchants.service';
import {
  MerchantConnection,
  MerchantFilter,
  MerchantNode,
  MerchantSort,
  MerchantStatusChangeNode,
  SetMerchantStatusInput,
  SetMerchantStatusPayload,
  UpsertMerchantInput,
  UpsertMerchantPayload,
} from './merchants.types';

@Resolver(() => MerchantNode)
export class MerchantsResolver {
  @Allow(...MERCHANT_DATA_READERS)
  @Query(() => MerchantNode, { nullable: true })
  merchant(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo) {
    const merchantId = requireLocalId('Merchant', id, 'id');
    readAhead(merchantId, ctx, info);
    return merchantsService.load(ctx, merchantId, selectedFields(info));
  }

  @Allow(...MERCHANT_DATA_READERS)
  @Query(() => MerchantConnection, { description: 'All merchants for staff; only its own for a merchant.' })
  merchants(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => MerchantFilter, { nullable: true }) filter: MerchantFilter | null,
    @Arg('sort', () => MerchantSort, { nullable: true, description: 'Default: NAME ascending.' })
    sort: MerchantSort | null,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return merchantsService.list(ctx, { filter, sort, page }, connectionAsk(info));
  }

  @FieldResolver(() => ID)
  id(@Root() merchant: Merchant) {
    return toGlobalId('Merchant', merchant.id);
  }

  @FieldResolver(() => Money, { description: 'Store deposit (保证金).' })
  deposit(@Root() merchant: Merchant) {
    return Money.fromFen(merchant.deposit);
  }

  @FieldResolver(() => [MerchantStatusChangeNode], { description: 'Every status change, oldest first.' })
  statusHistory(@Root() merchant: Merchant, @Ctx() ctx: RequestContext) {
    return merchantsService.statusHistory(ctx, merchant);
  }

  @Allow(Role.INGEST, Role.ADMIN)
  @Mutation(() => UpsertMerchantPayload, { description: 'Creates or updates a merchant, keyed on its externalId.' })
  async upsertMerchant(
    @Arg('input', () => UpsertMerchantInput) input: UpsertMerchantInput,
    @Ctx() ctx: RequestContext,
  ) {
    return toPayload(await merchantsService.upsert(ctx, input));
  }

  @Allow(Role.RISK, Role.ADMIN)
  @Mutation(() => SetMerchantStatusPayload, { description: 'Warns, restricts, clears or reinstates a merchant.' })
  async setMerchantStatus(
    @Arg('input', () => SetMerchantStatusInput) input: SetMerchantStatusInput,
    @Ctx() ctx: RequestContext,
  ) {
    return decodedMutation(
      (ids) => ({
        ...input,
        merchantId: ids.id('Merchant', input.merchantId, 'merchantId'),
      }),
      (value) => merchantsService.setStatus(ctx, value),
    );
  }
}

@Resolver(() => MerchantStatusChangeNode)
export class MerchantStatusChangeResolver {
  @FieldResolver(() => ID)
  id(@Root() change: MerchantStatusChange) {
    return toGlobalId('MerchantStatusChangeNode', change.id);
  }

  @FieldResolver(() => Date, {
    nullable: true,
    description: 'When an upheld appeal reversed this penalty (it, or an earlier one it rested on, was contested).',
  })
  reversedAt(@Root() change: MerchantStatusChange) {
    return change.reversedAt ?? null;
  }

  @FieldResolver(() => ID, { nullable: true, description: 'The upheld appeal that reversed it.' })
  reversedByAppealId(@Root() change: MerchantStatusChange) {
    return change.reversedByAppealId ? toGlobalId('Appeal', change.reversedByAppealId) : null;
  }
}
