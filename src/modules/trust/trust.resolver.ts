import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs } from '../../graphql/connection';
import { toGlobalId } from '../../graphql/global-id';
import { Allow } from '../../security/authorization';
import { MERCHANT_DATA_READERS, Role } from '../../security/roles';
import type { RequestContext } from '../../server/context';
import type { Buyer } from '../buyers/buyer.entity';
import { BuyerNode } from '../buyers/buyers.types';
import type { Merchant } from '../merchants/merchant.entity';
import { merchantsService } from '../merchants/merchants.service';
import { MerchantNode } from '../merchants/merchants.types';
import { ordersService } from '../orders/orders.service';
import { OrderNode } from '../orders/orders.types';
import type { Product } from '../products/product.entity';
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

@Resolver(() => ScoreEventNode)
export class TrustResolver {
  @Allow(...MERCHANT_DATA_READERS)
  @Query(() => SimulateMerchantScorePayload, { description: 'What-if: the scores and band a merchant would have after some more events. Writes nothing.' })
  async simulateMerchantScore(
    @Arg('merchantId', () => ID) merchantId: string,
    @Arg('events', () => [HypotheticalEventInput]) events: HypotheticalEventInput[],
    @Ctx() ctx: RequestContext,
  ) {
    const { simulation, userErrors } = await trustService.simulate(ctx, merchantId, events);
    if (!simulation) return { simulation: null, userErrors };
    return {
      simulation: {
        current: snapshotView(simulation.current, simulation.current.band),
        simulated: snapshotView(simulation.simulated, simulation.simulated.band),
        policyVersion: simulation.policyVersion,
      },
      userErrors,
    };
  }

  @Allow(Role.INGEST, Role.ADMIN)
  @Mutation(() => RecordScoreEventsPayload, { description: 'Records platform facts (shipping, replies, complaints, outcomes); all or nothing.' })
  recordScoreEvents(@Arg('input', () => [ScoreEventInput]) input: ScoreEventInput[], @Ctx() ctx: RequestContext) {
    return trustService.record(ctx, input);
  }

  @Allow(Role.RISK, Role.ADMIN)
  @Mutation(() => ScoreEventPayload, { description: 'A manual adjustment with a reason, within the policy’s bounds.' })
  adjustMerchantScore(@Arg('input', () => AdjustMerchantScoreInput) input: AdjustMerchantScoreInput, @Ctx() ctx: RequestContext) {
    return trustService.adjust(ctx, input);
  }

  @Allow(Role.RISK, Role.ADMIN)
  @Mutation(() => ScoreEventPayload, { description: 'Voids an event (e.g. after an upheld appeal); the void is an event too.' })
  voidScoreEvent(@Arg('input', () => VoidScoreEventInput) input: VoidScoreEventInput, @Ctx() ctx: RequestContext) {
    return trustService.void(ctx, input);
  }

  @Allow(Role.RISK, Role.ADMIN)
  @Mutation(() => RecomputeScoresPayload, { description: 'Replays all events into the stored scores.' })
  recomputeScores(@Ctx() ctx: RequestContext) {
    return trustService.recompute(ctx);
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

  @FieldResolver(() => ScoreEventConnection, { description: 'Every event, newest recorded first: what moved the scores and by how much.' })
  history(@Root() trust: MerchantTrustView, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: RequestContext) {
    return trustReadService.history(ctx, trust.merchantId, page);
  }
}

@Resolver(() => MerchantNode)
export class MerchantTrustResolver {
  @FieldResolver(() => MerchantTrustView)
  trust(@Root() merchant: Merchant, @Ctx() ctx: RequestContext) {
    return trustReadService.merchantTrust(ctx, merchant);
  }
}

@Resolver(() => ProductNode)
export class ProductTrustResolver {
  @FieldResolver(() => String, { description: 'Product experience score 0-100.' })
  experienceScore(@Root() product: Product, @Ctx() ctx: RequestContext) {
    return trustReadService.productExperience(ctx, product);
  }
}

@Resolver(() => BuyerNode)
export class BuyerRiskResolver {
  @FieldResolver(() => BuyerRiskView, { description: "Risk from the buyer's refund-only rate, rejected claims and tags." })
  risk(@Root() buyer: Buyer, @Ctx() ctx: RequestContext) {
    return trustReadService.buyerRisk(ctx, buyer);
  }
}
