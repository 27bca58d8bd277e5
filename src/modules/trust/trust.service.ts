import type { EntityManager } from '@mikro-orm/postgresql';
import { sqlFirst, sqlRows, sqlRun } from '../../db/sql';
import { runMutation } from '../../db/transaction';
import { localIdOf } from '../../graphql/global-id';
import { parseIdInput } from '../../graphql/ids';
import { UserErrorCode, UserInputFailure, userError, type UserError } from '../../graphql/user-error';
import { actorLabel, canReachMerchant } from '../../security/actor';
import type { RequestContext } from '../../server/context';
import { Buyer } from '../buyers/buyer.entity';
import { Merchant } from '../merchants/merchant.entity';
import { CLOCK_SKEW_MS } from '../orders/orders.rules';
import { ordersService } from '../orders/orders.service';
import { Order } from '../orders/order.entity';
import { policiesService } from '../policies/policies.service';
import { type PolicySnapshot, versionInForce } from '../policies/policies.rules';
import { PolicyVersion } from '../policies/policy.entity';
import type { PolicyNumbers } from '../policies/policy.schema';
import { Product } from '../products/product.entity';
import { ScoreEvent } from './trust.entity';
import { BUYER_FACTORS, ScoreFactor } from './trust.enums';
import { buyerRisk, deltasOf, EXPERIENCE_SCALE, isHighRepurchase, merchantScores, parseScaled, productScore } from './trust.rules';
import type { AdjustMerchantScoreInput, HypotheticalEventInput, ScoreEventInput, VoidScoreEventInput } from './trust.types';

const DAY = 86_400_000;
const windowStart = (asOf: Date, days: number) => new Date(asOf.getTime() - days * DAY);

/** Sums of a column per subject over the window ending at `asOf`, for many subjects in one GROUP BY. */
async function windowSums(em: EntityManager, subject: string, ids: string[], asOf: Date, days: number, sums: Record<string, string>) {
  const knex = em.getKnex();
  const qb = knex('score_event')
    .select(subject, ...Object.entries(sums).map(([alias, expression]) => knex.raw(`coalesce(${expression}, 0)::bigint as ${alias}`)))
    .whereIn(subject, ids)
    .where('occurred_at', '>', windowStart(asOf, days))
    .where('occurred_at', '<=', asOf)
    .groupBy(subject);
  return new Map((await sqlRows(em, qb)).map((row) => [row[subject] as string, row]));
}

async function upsertAll(em: EntityManager, table: string, key: string, rows: Record<string, unknown>[]) {
  if (rows.length) await sqlRun(em, em.getKnex()(table).insert(rows).onConflict(key).merge());
}

/**
 * Recomputes and stores the scores of many merchants as of `asOf` in three statements; returns how
 * many differed from what was stored (drift, for the replay).
 */
async function storeMerchantScores(em: EntityManager, merchantIds: string[], asOf: Date, policy: PolicySnapshot): Promise<number> {
  if (!merchantIds.length) return 0;
  const trust = policy.numbers.trust;
  const sums = await windowSums(em, 'merchant_id', merchantIds, asOf, trust.windowDays, { experience: 'sum(experience_delta)', integrity: 'sum(integrity_delta)' });
  const stored = await sqlRows(em, em.getKnex()('merchant_score').select('merchant_id', 'experience', 'integrity').whereIn('merchant_id', merchantIds));
  const before = new Map(stored.map((row) => [row.merchant_id as string, row]));
  let changed = 0;
  const rows = merchantIds.map((merchantId) => {
    const sum = sums.get(merchantId);
    const scores = merchantScores({ experience: Number(sum?.experience ?? 0), integrity: Number(sum?.integrity ?? 0) }, trust);
    const previous = before.get(merchantId);
    if (!previous || previous.experience !== scores.experience || previous.integrity !== scores.integrity) changed++;
    return { merchant_id: merchantId, ...scores, computed_at: asOf };
  });
  await upsertAll(em, 'merchant_score', 'merchant_id', rows);
  return changed;
}

async function storeProductScores(em: EntityManager, productIds: string[], asOf: Date, policy: PolicySnapshot): Promise<void> {
  if (!productIds.length) return;
  const trust = policy.numbers.trust;
  const sums = await windowSums(em, 'product_id', productIds, asOf, trust.windowDays, { total: 'sum(product_delta)' });
  await upsertAll(
    em,
    'product_score',
    'product_id',
    productIds.map((productId) => ({ product_id: productId, experience: productScore(Number(sums.get(productId)?.total ?? 0), trust), computed_at: asOf })),
  );
}

async function storeBuyerRisks(em: EntityManager, buyers: Buyer[], asOf: Date, policy: PolicySnapshot): Promise<void> {
  if (!buyers.length) return;
  const p = policy.numbers.trust.buyerRisk;
  const ids = buyers.map((buyer) => buyer.id);
  const knex = em.getKnex();
  const facts = await windowSums(em, 'buyer_id', ids, asOf, p.windowDays, {
    refund_only: `sum(count_delta) filter (where factor = '${ScoreFactor.REFUND_ONLY_REQUESTED}')`,
    rejected: `sum(count_delta) filter (where factor = '${ScoreFactor.CLAIM_REJECTED}')`,
  });
  const orderCounts = await sqlRows(
    em,
    knex('order').select('buyer_id').count({ n: '*' }).whereIn('buyer_id', ids).whereNot('status', 'CANCELLED')
      .where('paid_at', '>', windowStart(asOf, p.windowDays)).where('paid_at', '<=', asOf).groupBy('buyer_id'),
  );
  const orders = new Map(orderCounts.map((row) => [row.buyer_id as string, Number(row.n)]));
  await upsertAll(
    em,
    'buyer_risk',
    'buyer_id',
    buyers.map((buyer) => {
      const fact = facts.get(buyer.id);
      const risk = buyerRisk(
        { orders: orders.get(buyer.id) ?? 0, refundOnly: Number(fact?.refund_only ?? 0), rejectedClaims: Number(fact?.rejected ?? 0), malicious: buyer.malicious },
        policy.numbers.trust,
      );
      return { buyer_id: buyer.id, score: risk.score, level: risk.level, reasons: JSON.stringify(risk.reasons), computed_at: asOf };
    }),
  );
}

interface ResolvedEvent {
  factor: ScoreFactor;
  merchant: Merchant | null;
  product: Product | null;
  buyer: Buyer | null;
  order: Order | null;
  occurredAt: Date;
  caseId?: string | null;
  appealId?: string | null;
  reason: string;
}

interface Subjects {
  merchants: Map<string, Merchant>;
  products: Map<string, Product>;
  buyers: Map<string, Buyer>;
  orders: Map<string, Order>;
}

/** Everything a batch of events refers to, in one query per kind (not one per event). */
async function loadSubjects(ctx: RequestContext, em: EntityManager, inputs: ScoreEventInput[]): Promise<Subjects> {
  const ids = (type: 'Merchant' | 'Product' | 'Buyer' | 'Order', pick: (input: ScoreEventInput) => string | null | undefined) =>
    [...new Set(inputs.map(pick).flatMap((value) => (value ? [localIdOf(type, value)] : [])).filter((id): id is string => id !== null))];
  const byId = <T extends { id: string }>(rows: T[]) => new Map(rows.map((row) => [row.id, row]));
  const merchantIds = ids('Merchant', (i) => i.merchantId).filter((id) => canReachMerchant(ctx.db.scope, id));
  return {
    merchants: byId(await em.find(Merchant, { id: { $in: merchantIds } })),
    products: byId(await em.find(Product, { id: { $in: ids('Product', (i) => i.productId) } })),
    buyers: byId(await em.find(Buyer, { id: { $in: ids('Buyer', (i) => i.buyerId) } })),
    orders: byId(await em.find(Order, { id: { $in: ids('Order', (i) => i.orderId) } })),
  };
}

/** Checks one event input: its subjects exist, belong together, and it is not dated in the future. */
function resolveEvent(input: ScoreEventInput, subjects: Subjects, path: (string | number)[], now: Date): ResolvedEvent | UserError[] {
  const errors: UserError[] = [];
  const id = (type: 'Merchant' | 'Product' | 'Buyer' | 'Order', value: string | null | undefined, field: string) =>
    value ? parseIdInput(type, value, [...path, field], errors) : null;
  const merchantId = id('Merchant', input.merchantId, 'merchantId');
  const productId = id('Product', input.productId, 'productId');
  const buyerId = id('Buyer', input.buyerId, 'buyerId');
  const orderId = id('Order', input.orderId, 'orderId');
  if (errors.length) return errors;
  if (input.occurredAt.getTime() > now.getTime() + CLOCK_SKEW_MS) return [userError(UserErrorCode.INVALID_INPUT, 'occurredAt is in the future', [...path, 'occurredAt'])];
  const isBuyerFact = BUYER_FACTORS.includes(input.factor);
  if (input.factor === ScoreFactor.MANUAL_ADJUSTMENT) return [userError(UserErrorCode.INVALID_INPUT, 'manual adjustments go through adjustMerchantScore', [...path, 'factor'])];
  if (isBuyerFact && !buyerId) return [userError(UserErrorCode.INVALID_INPUT, `${input.factor} is a fact about a buyer: give buyerId`, [...path, 'buyerId'])];
  if (!isBuyerFact && !merchantId) return [userError(UserErrorCode.INVALID_INPUT, `${input.factor} needs merchantId`, [...path, 'merchantId'])];
  const merchant = merchantId ? (subjects.merchants.get(merchantId) ?? null) : null;
  const product = productId ? (subjects.products.get(productId) ?? null) : null;
  const buyer = buyerId ? (subjects.buyers.get(buyerId) ?? null) : null;
  const order = orderId ? (subjects.orders.get(orderId) ?? null) : null;
  if (merchantId && !merchant) errors.push(userError(UserErrorCode.NOT_FOUND, 'no such merchant', [...path, 'merchantId']));
  if (productId && !product) errors.push(userError(UserErrorCode.NOT_FOUND, 'no such product', [...path, 'productId']));
  if (buyerId && !buyer) errors.push(userError(UserErrorCode.NOT_FOUND, 'no such buyer', [...path, 'buyerId']));
  if (orderId && !order) errors.push(userError(UserErrorCode.NOT_FOUND, 'no such order', [...path, 'orderId']));
  if (merchant && product && product.merchant.id !== merchant.id) errors.push(userError(UserErrorCode.INVALID_INPUT, 'the product belongs to another merchant', [...path, 'productId']));
  if (merchant && order && order.merchant.id !== merchant.id) errors.push(userError(UserErrorCode.INVALID_INPUT, 'the order belongs to another merchant', [...path, 'orderId']));
  if (errors.length) return errors;
  return { factor: input.factor, merchant, product, buyer, order, occurredAt: input.occurredAt, caseId: input.caseId, appealId: input.appealId, reason: input.reason ?? input.factor };
}

/** Writes events and brings every score they touch up to date, in the caller's transaction. */
async function writeEvents(
  ctx: RequestContext,
  em: EntityManager,
  events: (ResolvedEvent & { deltas?: { experience: number; integrity: number; product: number }; voids?: ScoreEvent; countDelta?: number })[],
): Promise<ScoreEvent[]> {
  const timeline = await policiesService.timelineIn(em);
  const now = new Date();
  const written = events.map((event) => {
    const policy = versionInForce(timeline, event.occurredAt);
    const deltas = event.deltas ?? deltasOf(event.factor, policy.numbers.trust);
    return em.create(ScoreEvent, {
      factor: event.factor,
      merchant: event.merchant,
      product: event.product,
      buyer: event.buyer,
      order: event.order,
      caseId: event.caseId ?? null,
      appealId: event.appealId ?? null,
      experienceDelta: event.merchant ? deltas.experience : 0,
      integrityDelta: event.merchant ? deltas.integrity : 0,
      productDelta: event.product ? deltas.product : 0,
      countDelta: event.countDelta ?? 1,
      policyVersion: em.getReference(PolicyVersion, policy.version),
      voids: event.voids ?? null,
      occurredAt: event.occurredAt,
      reason: event.reason,
      actor: actorLabel(ctx.actor),
    });
  });
  await em.flush();
  const current = versionInForce(timeline, now);
  await storeMerchantScores(em, [...new Set(events.flatMap((e) => (e.merchant ? [e.merchant.id] : [])))], now, current);
  await storeProductScores(em, [...new Set(events.flatMap((e) => (e.product ? [e.product.id] : [])))], now, current);
  await storeBuyerRisks(em, [...new Map(events.flatMap((e) => (e.buyer ? [[e.buyer.id, e.buyer] as const] : []))).values()], now, current);
  return written;
}

export const trustService = {
  /** SHIPPED_ON_TIME or SHIPPED_LATE for a shipped order (against its ship-by time), in the caller's transaction. */
  async recordShipment(ctx: RequestContext, em: EntityManager, order: Order): Promise<void> {
    const shippedAt = order.shippedAt!;
    const merchant = await em.findOneOrFail(Merchant, { id: order.merchant.id });
    const firstLine = await sqlFirst(em, em.getKnex()('order_line').select('product_id').where('order_id', order.id).orderBy('line_no').limit(1));
    const product = firstLine ? await em.findOne(Product, { id: firstLine.product_id as string }) : null;
    const late = shippedAt > order.shipBy;
    await writeEvents(ctx, em, [
      {
        factor: late ? ScoreFactor.SHIPPED_LATE : ScoreFactor.SHIPPED_ON_TIME,
        merchant,
        product,
        buyer: null,
        order,
        occurredAt: shippedAt,
        reason: late ? `shipped after the ship-by time ${order.shipBy.toISOString()}` : 'shipped within the ship-by time',
      },
    ]);
  },

  /** The high-repurchase flag as of `at`, from the merchant's orders (used by the ledger's subsidies). */
  async highRepurchase(em: EntityManager, merchantId: string, at: Date, policy: PolicyNumbers): Promise<boolean> {
    const since = windowStart(at, policy.highRepurchase.windowDays);
    return isHighRepurchase(await ordersService.repurchaseStats(em, merchantId, since, at), policy);
  },

  record(ctx: RequestContext, inputs: ScoreEventInput[]) {
    return runMutation(ctx, async (em) => {
      if (inputs.length === 0 || inputs.length > 1000) {
        throw new UserInputFailure([userError(inputs.length ? UserErrorCode.BATCH_TOO_LARGE : UserErrorCode.BATCH_EMPTY, 'send 1 to 1000 events', ['input'])]);
      }
      const now = new Date();
      const subjects = await loadSubjects(ctx, em, inputs);
      const resolved: ResolvedEvent[] = [];
      const errors: UserError[] = [];
      for (const [index, input] of inputs.entries()) {
        const result = resolveEvent(input, subjects, ['input', index], now);
        if (Array.isArray(result)) errors.push(...result);
        else resolved.push(result);
      }
      if (errors.length) throw new UserInputFailure(errors);
      return { events: await writeEvents(ctx, em, resolved) };
    });
  },

  adjust(ctx: RequestContext, input: AdjustMerchantScoreInput) {
    return runMutation(ctx, async (em) => {
      const errors: UserError[] = [];
      const merchantId = parseIdInput('Merchant', input.merchantId, ['input', 'merchantId'], errors);
      const experience = parseScaled(input.experienceDelta ?? '0', EXPERIENCE_SCALE);
      const integrity = parseScaled(input.integrityDelta ?? '0', 100);
      const timeline = await policiesService.timelineIn(em);
      const trust = versionInForce(timeline, new Date()).numbers.trust;
      if (experience === null || Math.abs(experience) > trust.maxManualExperience) {
        errors.push(userError(UserErrorCode.INVALID_INPUT, `experienceDelta must be a decimal within ±${trust.maxManualExperience / EXPERIENCE_SCALE}`, ['input', 'experienceDelta']));
      }
      if (integrity === null || Math.abs(integrity) > trust.maxManualIntegrity) {
        errors.push(userError(UserErrorCode.INVALID_INPUT, `integrityDelta must be a decimal within ±${trust.maxManualIntegrity / 100}`, ['input', 'integrityDelta']));
      }
      if (errors.length || !merchantId) throw new UserInputFailure(errors);
      const merchant = await em.findOne(Merchant, { id: merchantId });
      if (!merchant) throw new UserInputFailure([userError(UserErrorCode.NOT_FOUND, 'no such merchant', ['input', 'merchantId'])]);
      const [event] = await writeEvents(ctx, em, [
        { factor: ScoreFactor.MANUAL_ADJUSTMENT, merchant, product: null, buyer: null, order: null, occurredAt: new Date(), reason: input.reason, deltas: { experience: experience!, integrity: integrity!, product: 0 } },
      ]);
      return { event };
    });
  },

  /** Voids an event with an opposite one at the same time; the scores recompute. */
  void(ctx: RequestContext, input: VoidScoreEventInput) {
    return runMutation(ctx, async (em) => {
      const errors: UserError[] = [];
      const id = parseIdInput('ScoreEvent', input.eventId, ['input', 'eventId'], errors);
      if (!id) throw new UserInputFailure(errors);
      const original = await em.findOne(ScoreEvent, { id }, { populate: ['merchant', 'product', 'buyer', 'order'] });
      if (!original) throw new UserInputFailure([userError(UserErrorCode.NOT_FOUND, 'no such score event', ['input', 'eventId'])]);
      if (original.voids) throw new UserInputFailure([userError(UserErrorCode.NOT_ELIGIBLE, 'a void cannot itself be voided', ['input', 'eventId'])]);
      if (await em.findOne(ScoreEvent, { voids: original })) throw new UserInputFailure([userError(UserErrorCode.ALREADY_REVERSED, 'this event was already voided', ['input', 'eventId'])]);
      const [event] = await writeEvents(ctx, em, [
        {
          factor: original.factor,
          merchant: original.merchant ?? null,
          product: original.product ?? null,
          buyer: original.buyer ?? null,
          order: original.order ?? null,
          caseId: original.caseId,
          appealId: original.appealId,
          occurredAt: original.occurredAt,
          reason: input.reason,
          voids: original,
          countDelta: -original.countDelta,
          deltas: { experience: -original.experienceDelta, integrity: -original.integrityDelta, product: -original.productDelta },
        },
      ]);
      return { event };
    });
  },

  /** Recomputes every stored score from the events; the count of merchants whose scores changed shows drift. */
  recompute(ctx: RequestContext) {
    return runMutation(ctx, async (em) => {
      const now = new Date();
      const policy = versionInForce(await policiesService.timelineIn(em), now);
      const subjects = (column: string, table = 'score_event') =>
        sqlRows(em, em.getKnex()(table).distinct(column).whereNotNull(column)) as Promise<Record<string, string>[]>;
      // Merchants with events or stored scores; the others are at the baseline and have no row.
      const merchants = [...new Set([...(await subjects('merchant_id')), ...(await subjects('merchant_id', 'merchant_score'))].map((row) => row.merchant_id))];
      const changed = await storeMerchantScores(em, merchants, now, policy);
      const products = await subjects('product_id');
      await storeProductScores(em, products.map((row) => row.product_id), now, policy);
      const buyers = await em.find(Buyer, { id: { $in: (await subjects('buyer_id')).map((row) => row.buyer_id) } });
      await storeBuyerRisks(em, buyers, now, policy);
      return { merchants: merchants.length, products: products.length, buyers: buyers.length, changed };
    });
  },

  /** The scores a merchant would have with some more events; nothing is written. */
  async simulate(ctx: RequestContext, merchantGlobalId: string, events: HypotheticalEventInput[]) {
    const errors: UserError[] = [];
    const merchantId = parseIdInput('Merchant', merchantGlobalId, ['merchantId'], errors);
    if (!merchantId || !canReachMerchant(ctx.db.scope, merchantId)) {
      return { simulation: null, userErrors: errors.length ? errors : [userError(UserErrorCode.NOT_FOUND, 'no such merchant', ['merchantId'])] };
    }
    return ctx.db.transaction(async (em) => {
      const merchant = await em.findOne(Merchant, { id: merchantId });
      if (!merchant) return { simulation: null, userErrors: [userError(UserErrorCode.NOT_FOUND, 'no such merchant', ['merchantId'])] };
      const now = new Date();
      const policy = versionInForce(await policiesService.timelineIn(em), now);
      const trust = policy.numbers.trust;
      const stored = (await windowSums(em, 'merchant_id', [merchantId], now, trust.windowDays, { experience: 'sum(experience_delta)', integrity: 'sum(integrity_delta)' })).get(merchantId);
      const sums = { experience: Number(stored?.experience ?? 0), integrity: Number(stored?.integrity ?? 0) };
      const current = merchantScores(sums, trust);
      for (const event of events) {
        const deltas = deltasOf(event.factor, trust);
        const times = event.count ?? 1;
        sums.experience += deltas.experience * times;
        sums.integrity += deltas.integrity * times;
      }
      return { simulation: { current, simulated: merchantScores(sums, trust), policyVersion: policy.version }, userErrors: [] };
    });
  },
};
