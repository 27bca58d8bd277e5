import { ReadsParentIdOnly } from '../../graphql/read-ahead';
import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs } from '../../graphql/connection';
import { toGlobalId } from '../../graphql/global-id';
import { connectionAsk, selectedFields } from '../../graphql/selection';
import { decodedMutation, decodeInput } from '../../graphql/ids';
import { toPayload } from '../../graphql/user-error';
import { Allow } from '../../security/authorization';
import { MERCHANT_DATA_READERS, Role } from '../../security/roles';
import type { RequestContext } from '../../server/context';
import { BuyerNode } from '../buyers/buyers.types';
import { merchantsService } from '../merchants/merchants.service';
import { MerchantNode } from '../merchants/merchants.types';
import { ordersService } from '../orders/orders.service';
import { OrderNode } from '../orders/orders.types';
import { productsService } from '../products/products.service';
import { ProductNode } from '../products/products.types';
import type { ScoreEvent } from './trust.entity';
import { trustReadService, snapshotView } from './trust.read.service';
import { EXPERIENCE_SCALE, formatScaled } from './trust.rules';
import { trustService } from './trust.service';
import {
  AdjustMerchantScoreInput,
  BuyerRiskView,
  HypotheticalEventInput,
  MerchantTrustView,
  RecomputeScoresPayload,
  RecordScoreEventsPayload,
  ScoreEventConnection,
  ScoreEventInput,
  ScoreEventNode,
  ScoreEventPayload,
  SimulateMerchantScorePayload,
  TrustFactorView,
  VoidScoreEventInput,
} from './trust.types';

/** A what-if names each factor once with a count; a hundred entries is far more than there are factors. */
const MAX_HYPOTHETICAL_EVENTS = 100;

@Resolver(() => ScoreEventNode)
export class TrustResolver {
  @Allow(...MERCHANT_DATA_READERS)
  @Query(() => SimulateMerchantScorePayload, {
    description: 'What-if: the scores and band a merchant would have after some more events. Writes nothing.',
  })
  async simulateMerchantScore(
    @Arg('merchantId', () => ID) merchantId: string,
    @Arg('events', () => [HypotheticalEventInput]) events: HypotheticalEventInput[],
    @Ctx() ctx: RequestContext,
  ) {
    if (events.length > MAX_HYPOTHETICAL_EVENTS) {
      throw new GraphQLError(`simulate at most ${MAX_HYPOTHETICAL_EVENTS} kinds of event (each with a count)`, {
        extensions: { code: 'BAD_USER_INPUT', field: 'events' },
      });
    }
    const decoded = decodeInput([], (ids) => ids.id('Merchant', merchantId, 'merchantId'));
    if (decoded.refusals.length) return { simulation: null, userErrors: decoded.refusals };
    const { simulation, refusals } = await trustService.simulate(ctx, decoded.value, events);
    if (!simulation) return { simulation: null, userErrors: refusals };
    return {
      simulation: {
        current: snapshotView(simulation.current),
        simulated: snapshotView(simulation.simulated),
        policyVersion: simulation.policyVersion,
      },
      userErrors: refusals,
    };
  }

  @Allow(Role.INGEST, Role.ADMIN)
  @Mutation(() => RecordScoreEventsPayload, {
    description: 'Records platform facts (shipping, replies, complaints, outcomes); all or nothing.',
  })
  async recordScoreEvents(@Arg('input', () => [ScoreEventInput]) input: ScoreEventInput[], @Ctx() ctx: RequestContext) {
    return decodedMutation(
      (ids) =>
        input.map((event, i) => ({
          ...event,
          merchantId: ids.optional('Merchant', event.merchantId, i, 'merchantId'),
          productId: ids.optional('Product', event.productId, i, 'productId'),
          buyerId: ids.optional('Buyer', event.buyerId, i, 'buyerId'),
          orderId: ids.optional('Order', event.orderId, i, 'orderId'),
          caseId: ids.uuid(event.caseId, i, 'caseId'),
          appealId: ids.uuid(event.appealId, i, 'appealId'),
        })),
      (value) => trustService.record(ctx, value),
    );
  }

  @Allow(Role.RISK, Role.ADMIN)
  @Mutation(() => ScoreEventPayload, { description: 'A manual adjustment with a reason, within the policy’s bounds.' })
  async adjustMerchantScore(
    @Arg('input', () => AdjustMerchantScoreInput) input: AdjustMerchantScoreInput,
    @Ctx() ctx: RequestContext,
  ) {
    return decodedMutation(
      (ids) => ({
        ...input,
        merchantId: ids.id('Merchant', input.merchantId, 'merchantId'),
      }),
      (value) => trustService.adjust(ctx, value),
    );
  }

  @Allow(Role.RISK, Role.ADMIN)
  @Mutation(() => ScoreEventPayload, {
    description: 'Voids an event (e.g. after an upheld appeal); the void is an event too.',
  })
  async voidScoreEvent(
    @Arg('input', () => VoidScoreEventInput) input: VoidScoreEventInput,
    @Ctx() ctx: RequestContext,
  ) {
    return decodedMutation(
      (ids) => ({
        ...input,
        eventId: ids.id('ScoreEvent', input.eventId, 'eventId'),
      }),
      (value) => trustService.void(ctx, value),
    );
  }

  @Allow(Role.RISK, Role.ADMIN)
  @Mutation(() => RecomputeScoresPayload, { description: 'Replays all events into the stored scores.' })
  async recomputeScores(@Ctx() ctx: RequestContext) {
    return toPayload(await trustService.recompute(ctx));
  }

  @FieldResolver(() => ID)
  id(@Root() event: ScoreEvent) {
    return toGlobalId('ScoreEvent', event.id);
  }

  @FieldResolver(() => String, { description: 'Experience points it moved, signed.' })
  experienceDelta(@Root() event: ScoreEvent) {
    return formatScaled(event.experienceDelta, EXPERIENCE_SCALE, 4);
  }

  @FieldResolver(() => String)
  integrityDelta(@Root() event: ScoreEvent) {
    return formatScaled(event.integrityDelta, 100, 2);
  }

  @FieldResolver(() => String)
  productDelta(@Root() event: ScoreEvent) {
    return formatScaled(event.productDelta, 100, 2);
  }

  @FieldResolver(() => Int)
  policyVersion(@Root() event: ScoreEvent) {
    return event.policyVersion.version;
  }

  @FieldResolver(() => OrderNode, { nullable: true, description: 'The order it is about.' })
  order(@Root() event: ScoreEvent, @Ctx() ctx: RequestContext) {
    return event.order ? ordersService.load(ctx, event.order.id) : null;
  }

  @FieldResolver(() => ProductNode, { nullable: true })
  product(@Root() event: ScoreEvent, @Ctx() ctx: RequestContext) {
    return event.product ? productsService.load(ctx, event.product.id) : null;
  }

  @FieldResolver(() => MerchantNode, { nullable: true })
  merchant(@Root() event: ScoreEvent, @Ctx() ctx: RequestContext) {
    return event.merchant ? merchantsService.load(ctx, event.merchant.id) : null;
  }

  @FieldResolver(() => ScoreEventNode, { nullable: true, description: 'The event this one voids.' })
  voids(@Root() event: ScoreEvent, @Ctx() ctx: RequestContext) {
    return event.voids ? trustReadService.event(ctx, event.voids.id) : null;
  }

  @FieldResolver(() => ScoreEventNode, { nullable: true })
  voidedBy(@Root() event: ScoreEvent, @Ctx() ctx: RequestContext) {
    return trustReadService.voidedBy(ctx, event);
  }
}

@Resolver(() => MerchantTrustView)
export class MerchantTrustFieldsResolver {
  @FieldResolver(() => [TrustFactorView], { description: 'Each factor over the window, and what it contributed.' })
  factors(@Root() trust: MerchantTrustView, @Ctx() ctx: RequestContext) {
    return trustReadService.factors(ctx, trust.merchantId);
  }

  @FieldResolver(() => ScoreEventConnection, {
    description: 'Every event, newest recorded first: what moved the scores and by how much.',
  })
  history(
    @Root() trust: MerchantTrustView,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return trustReadService.history(ctx, trust.merchantId, page, connectionAsk(info));
  }
}

@Resolver(() => MerchantNode)
export class MerchantTrustResolver {
  @ReadsParentIdOnly()
  @FieldResolver(() => MerchantTrustView)
  trust(@Root() merchant: { id: string }, @Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo) {
    return trustReadService.merchantTrust(ctx, merchant, selectedFields(info));
  }
}

@Resolver(() => ProductNode)
export class ProductTrustResolver {
  @ReadsParentIdOnly()
  @FieldResolver(() => String, { description: 'Product experience score 0-100.' })
  experienceScore(@Root() product: { id: string }, @Ctx() ctx: RequestContext) {
    return trustReadService.productExperience(ctx, product);
  }
}

@Resolver(() => BuyerNode)
export class BuyerRiskResolver {
  @FieldResolver(() => BuyerRiskView, {
    description: "Risk from the buyer's refund-only rate, rejected claims and tags.",
  })
  risk(@Root() buyer: { id: string; malicious: boolean }, @Ctx() ctx: RequestContext) {
    return trustReadService.buyerRisk(ctx, buyer);
  }
}
