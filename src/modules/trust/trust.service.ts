import { insertStatement, sqlFirst, sqlRows, sqlRun } from '../../db/sql';
import type { Read, ServiceContext } from '../../db/session';
import { canReachMerchant, type Row } from '../../db/tenant-db';
import { runMutation, runReadOnly, type Tx } from '../../db/transaction';
import type { DomainEventOf } from '../../shared/domain-events';
import { Refused, RefusalCode, refusal, type Refusal } from '../../shared/refusal';
import { isInFuture } from '../../shared/time';
import { buyersService } from '../buyers/buyers.service';
import { merchantsService } from '../merchants/merchants.service';
import { ordersService } from '../orders/orders.service';
import { type PolicySnapshot, versionInForce } from '../policies/policies.rules';
import { policiesService } from '../policies/policies.service';
import type { PolicyNumbers } from '../policies/policy.schema';
import { productsService } from '../products/products.service';
import { ScoreEvent } from './trust.entity';
import { BUYER_FACTORS, type RiskLevel, ScoreFactor, type TrustBand } from './trust.enums';
import {
  BUYER_SUMS,
  buyerRiskLevelQuery,
  buyerRiskLevelsQuery,
  MERCHANT_SUMS,
  PRODUCT_SUMS,
  type ScoreTable,
  storedMerchantScoresQuery,
  type Subject,
  subjectsQuery,
  upsertScoresQuery,
  windowStart,
  windowSumsQuery,
} from './trust.query';
import {
  buyerRisk,
  deltasOf,
  EXPERIENCE_SCALE,
  isHighRepurchase,
  merchantScores,
  parseScaled,
  productScore,
  shownExperience,
  standing,
} from './trust.rules';
import type { HypotheticalEventInput, ScoreEventInput } from './trust.types';

/** Sums per subject over the window ending at `asOf`, for many subjects in one GROUP BY: rows by subject id. */
function windowSumsRead(
  ctx: ServiceContext,
  subject: Subject,
  ids: string[],
  asOf: Date,
  days: number,
  sums: Record<string, string>,
): Read<Map<string, Row>> {
  return {
    statements: [windowSumsQuery(ctx.em.getKnex(), subject, ids, asOf, days, sums).toQuery()],
    parse: ([rows]) => new Map(rows.map((row) => [row[subject] as string, row])),
  };
}

/** The same, read on its own. */
async function windowSums(
  ctx: ServiceContext,
  ...args: Parameters<typeof windowSumsRead> extends [unknown, ...infer R] ? R : never
) {
  const [sums] = await ctx.read(windowSumsRead(ctx, ...args));
  return sums;
}

async function upsertAll(ctx: ServiceContext, table: ScoreTable, key: Subject, rows: Record<string, unknown>[]) {
  if (rows.length) await sqlRun(ctx.em, upsertScoresQuery(ctx.em.getKnex(), table, key, rows));
}

/**
 * The inputs of `storeScores` in one statement: the merchants' window sums and stored scores and the
 * products' window sums, as rows of (part, subject, a, b).
 */
function scoreInputsRead(
  ctx: ServiceContext,
  { merchantIds, productIds }: { merchantIds: string[]; productIds: string[] },
  asOf: Date,
  days: number,
  recording: string | null,
): Read<Record<'sums' | 'stored' | 'product', Map<string, { a: number; b: number }>>> {
  const knex = ctx.em.getKnex();
  // The events being recorded are inserted by the same statement, which cannot see them in the
  // table yet: the sums read them from the insert's answer.
  const events = recording
    ? knex.raw('(select * from score_event union all select * from recorded) as score_event')
    : 'score_event';
  const parts: string[] = [];
  if (merchantIds.length) {
    const sums = windowSumsQuery(knex, 'merchant_id', merchantIds, asOf, days, MERCHANT_SUMS, events).toQuery();
    const stored = storedMerchantScoresQuery(knex, merchantIds).toQuery();
    parts.push(`select 'sums' as part, merchant_id as subject, experience as a, integrity as b from (${sums}) s`);
    parts.push(`select 'stored', merchant_id, experience::bigint, integrity::bigint from (${stored}) st`);
  }
  if (productIds.length) {
    const sums = windowSumsQuery(knex, 'product_id', productIds, asOf, days, PRODUCT_SUMS, events).toQuery();
    parts.push(`select 'product', product_id, total, 0::bigint from (${sums}) p`);
  }
  const inputs = parts.join(' union all ');
  return {
    statements: [recording ? `with recorded as (${recording} returning *) ${inputs}` : inputs],
    parse: ([rows]) => {
      const byPart = { sums: new Map(), stored: new Map(), product: new Map() };
      for (const row of rows) {
        byPart[row.part as keyof typeof byPart].set(row.subject as string, { a: Number(row.a), b: Number(row.b) });
      }
      return byPart;
    },
  };
}

/**
 * Recomputes and stores the scores of many merchants and products as of `asOf`: their sums and the
 * merchants' stored scores in one statement, the new scores in one more. Returns how many merchants'
 * scores differed from what was stored (drift, for the replay).
 */
async function storeScores(
  tx: Tx,
  subjects: { merchantIds: string[]; productIds: string[] },
  asOf: Date,
  policy: PolicySnapshot,
  recording: string | null = null,
): Promise<number> {
  const { merchantIds, productIds } = subjects;
  if (!merchantIds.length && !productIds.length) {
    if (recording) {
      tx.write(recording);
      await tx.read();
    }
    return 0;
  }
  const { em } = tx;
  const trust = policy.numbers.trust;
  const [inputs] = await tx.read(scoreInputsRead(tx, subjects, asOf, trust.windowDays, recording));
  let changed = 0;
  const merchantRows = merchantIds.map((merchantId) => {
    const sum = inputs.sums.get(merchantId);
    const scores = merchantScores({ experience: sum?.a ?? 0, integrity: sum?.b ?? 0 }, trust);
    const previous = inputs.stored.get(merchantId);
    if (!previous || previous.a !== scores.experience || previous.b !== scores.integrity) changed++;
    return { merchant_id: merchantId, ...scores, computed_at: asOf.toISOString() };
  });
  const productRows = productIds.map((productId) => ({
    product_id: productId,
    experience: productScore(inputs.product.get(productId)?.a ?? 0, trust),
    computed_at: asOf.toISOString(),
  }));
  const knex = em.getKnex();
  const upserts = [
    ...(merchantRows.length ? [upsertScoresQuery(knex, 'merchant_score', 'merchant_id', merchantRows).toQuery()] : []),
    ...(productRows.length ? [upsertScoresQuery(knex, 'product_score', 'product_id', productRows).toQuery()] : []),
  ];
  // Both upserts in one statement, the first as a data-modifying CTE.
  tx.write(upserts.length === 2 ? `with merchants as (${upserts[0]}) ${upserts[1]}` : upserts[0]);
  // Sent now: what reads the scores next in this transaction may read them through the EntityManager.
  await tx.read();
  return changed;
}

async function storeBuyerRisks(
  ctx: ServiceContext,
  buyerIds: string[],
  asOf: Date,
  policy: PolicySnapshot,
): Promise<void> {
  if (!buyerIds.length) return;
  const p = policy.numbers.trust.buyerRisk;
  const buyers = await buyersService.findByIds(ctx, buyerIds);
  const facts = await windowSums(ctx, 'buyer_id', buyerIds, asOf, p.windowDays, BUYER_SUMS);
  const orders = await ordersService.buyerOrderCounts(ctx, buyerIds, windowStart(asOf, p.windowDays), asOf);
  await upsertAll(
    ctx,
    'buyer_risk',
    'buyer_id',
    buyers.map((buyer) => {
      const fact = facts.get(buyer.id);
      const risk = buyerRisk(
        {
          orders: orders.get(buyer.id) ?? 0,
          refundOnly: Number(fact?.refund_only ?? 0),
          rejectedClaims: Number(fact?.rejected ?? 0),
          malicious: buyer.malicious,
        },
        policy.numbers.trust,
      );
      return {
        buyer_id: buyer.id,
        score: risk.score,
        level: risk.level,
        reasons: JSON.stringify(risk.reasons),
        computed_at: asOf,
      };
    }),
  );
}

/** The event that cancels `original`: the same subjects and time, the opposite deltas. */
export function voidOf(original: ScoreEvent, reason: string, appealId?: string): ResolvedEvent {
  return {
    factor: original.factor,
    merchantId: original.merchant?.id ?? null,
    productId: original.product?.id ?? null,
    buyerId: original.buyer?.id ?? null,
    orderId: original.order?.id ?? null,
    caseId: original.caseId,
    appealId: appealId ?? original.appealId,
    occurredAt: original.occurredAt,
    reason,
    voids: original,
    countDelta: -original.countDelta,
    deltas: {
      experience: -original.experienceDelta,
      integrity: -original.integrityDelta,
      product: -original.productDelta,
    },
  };
}

/** A fact to record, with the local ids of what it is about. */
export interface ResolvedEvent {
  factor: ScoreFactor;
  merchantId: string | null;
  productId: string | null;
  buyerId: string | null;
  orderId: string | null;
  occurredAt: Date;
  caseId?: string | null;
  appealId?: string | null;
  reason: string;
  deltas?: { experience: number; integrity: number; product: number };
  voids?: ScoreEvent;
  countDelta?: number;
}

/** A score-event input with local ids; the GraphQL edge decoded them. */
export type ScoreEventFacts = Omit<ScoreEventInput, 'merchantId' | 'productId' | 'buyerId' | 'orderId'> & {
  merchantId?: string | null;
  productId?: string | null;
  buyerId?: string | null;
  orderId?: string | null;
};

interface Subjects {
  merchants: Set<string>;
  products: Map<string, { merchantId: string }>;
  buyers: Set<string>;
  orders: Map<string, { merchantId: string }>;
}

/** Everything a batch of events refers to, through the owning modules, in one query per kind. */
async function loadSubjects(tx: Tx, inputs: ScoreEventFacts[]): Promise<Subjects> {
  const ids = (pick: (input: ScoreEventFacts) => string | null | undefined) => [
    ...new Set(inputs.flatMap((input) => pick(input) ?? [])),
  ];
  const merchantIds = ids((i) => i.merchantId).filter((id) => canReachMerchant(tx.scope, id));
  return {
    merchants: new Set((await merchantsService.findByIds(tx, merchantIds)).map((m) => m.id)),
    products: new Map(
      (
        await productsService.findByIds(
          tx,
          ids((i) => i.productId),
        )
      ).map((p) => [p.id, { merchantId: p.merchant.id }]),
    ),
    buyers: new Set(
      (
        await buyersService.findByIds(
          tx,
          ids((i) => i.buyerId),
        )
      ).map((b) => b.id),
    ),
    orders: new Map(
      (
        await ordersService.findByIds(
          tx,
          ids((i) => i.orderId),
        )
      ).map((o) => [o.id, { merchantId: o.merchant.id }]),
    ),
  };
}

/** Checks one event input: its subjects exist, belong together, and it is not dated in the future. */
function resolveEvent(
  input: ScoreEventFacts,
  subjects: Subjects,
  path: (string | number)[],
  now: Date,
): ResolvedEvent | Refusal[] {
  const { merchantId = null, productId = null, buyerId = null, orderId = null } = input;
  if (isInFuture(input.occurredAt, now))
    return [refusal(RefusalCode.INVALID_INPUT, 'occurredAt is in the future', [...path, 'occurredAt'])];
  const isBuyerFact = BUYER_FACTORS.includes(input.factor);
  if (input.factor === ScoreFactor.MANUAL_ADJUSTMENT)
    return [
      refusal(RefusalCode.INVALID_INPUT, 'manual adjustments go through adjustMerchantScore', [...path, 'factor']),
    ];
  if (isBuyerFact && !buyerId)
    return [
      refusal(RefusalCode.INVALID_INPUT, `${input.factor} is a fact about a buyer: give buyerId`, [...path, 'buyerId']),
    ];
  if (!isBuyerFact && !merchantId)
    return [refusal(RefusalCode.INVALID_INPUT, `${input.factor} needs merchantId`, [...path, 'merchantId'])];
  const errors: Refusal[] = [];
  const product = productId ? subjects.products.get(productId) : undefined;
  const order = orderId ? subjects.orders.get(orderId) : undefined;
  if (merchantId && !subjects.merchants.has(merchantId))
    errors.push(refusal(RefusalCode.NOT_FOUND, 'no such merchant', [...path, 'merchantId']));
  if (productId && !product) errors.push(refusal(RefusalCode.NOT_FOUND, 'no such product', [...path, 'productId']));
  if (buyerId && !subjects.buyers.has(buyerId))
    errors.push(refusal(RefusalCode.NOT_FOUND, 'no such buyer', [...path, 'buyerId']));
  if (orderId && !order) errors.push(refusal(RefusalCode.NOT_FOUND, 'no such order', [...path, 'orderId']));
  if (merchantId && product && product.merchantId !== merchantId)
    errors.push(refusal(RefusalCode.INVALID_INPUT, 'the product belongs to another merchant', [...path, 'productId']));
  if (merchantId && order && order.merchantId !== merchantId)
    errors.push(refusal(RefusalCode.INVALID_INPUT, 'the order belongs to another merchant', [...path, 'orderId']));
  if (errors.length) return errors;
  return {
    factor: input.factor,
    merchantId,
    productId,
    buyerId,
    orderId,
    occurredAt: input.occurredAt,
    caseId: input.caseId,
    appealId: input.appealId,
    reason: input.reason ?? input.factor,
  };
}

/** Writes events and brings every score they touch up to date, in the caller's transaction. */
export async function writeEvents(tx: Tx, events: ResolvedEvent[]): Promise<ScoreEvent[]> {
  const { em } = tx;
  if (!events.length) return [];
  const timeline = await policiesService.timelineIn(tx);
  const now = tx.now();
  const written = events.map((event) => {
    const policy = versionInForce(timeline, event.occurredAt);
    const deltas = event.deltas ?? deltasOf(event.factor, policy.numbers.trust);
    // Not through the unit of work: the insert travels in the statement that reads the new sums.
    const created = em.create(
      ScoreEvent,
      {
        factor: event.factor,
        merchant: event.merchantId,
        product: event.productId,
        buyer: event.buyerId,
        order: event.orderId,
        caseId: event.caseId ?? null,
        appealId: event.appealId ?? null,
        experienceDelta: event.merchantId ? deltas.experience : 0,
        integrityDelta: event.merchantId ? deltas.integrity : 0,
        productDelta: event.productId ? deltas.product : 0,
        countDelta: event.countDelta ?? 1,
        policyVersion: policy.version,
        voids: event.voids ?? null,
        occurredAt: event.occurredAt,
        reason: event.reason,
        actor: tx.actorLabel,
      },
      { persist: false },
    );
    return { created, row: rowOf(created, policy.version) };
  });
  const recording = insertStatement(
    em,
    ScoreEvent,
    written.map(({ row }) => row),
  );
  // What the caller changed through the unit of work goes first.
  await em.flush();
  const current = versionInForce(timeline, now);
  const distinct = (pick: (event: ResolvedEvent) => string | null) => [
    ...new Set(events.flatMap((event) => pick(event) ?? [])),
  ];
  await storeScores(
    tx,
    { merchantIds: distinct((e) => e.merchantId), productIds: distinct((e) => e.productId) },
    now,
    current,
    recording,
  );
  await storeBuyerRisks(
    tx,
    distinct((e) => e.buyerId),
    now,
    current,
  );
  await tx.emit(
    ...written.map(({ created: event }, i) => ({
      type: 'ScoreEventRecorded' as const,
      eventId: event.id,
      factor: event.factor,
      merchantId: events[i].merchantId,
      productId: events[i].productId,
      buyerId: events[i].buyerId,
      orderId: events[i].orderId,
      occurredAt: event.occurredAt,
    })),
  );
  return written.map(({ created }) => created);
}

/** An event's row for `insertStatement`: its properties, a relation by its key. */
function rowOf(event: ScoreEvent, policyVersion: number): Record<string, unknown> {
  return {
    id: event.id,
    factor: event.factor,
    merchant: event.merchant?.id ?? null,
    product: event.product?.id ?? null,
    buyer: event.buyer?.id ?? null,
    order: event.order?.id ?? null,
    caseId: event.caseId ?? null,
    appealId: event.appealId ?? null,
    experienceDelta: event.experienceDelta,
    integrityDelta: event.integrityDelta,
    productDelta: event.productDelta,
    countDelta: event.countDelta,
    policyVersion,
    voids: event.voids?.id ?? null,
    occurredAt: event.occurredAt,
    reason: event.reason,
    actor: event.actor,
    createdAt: event.createdAt,
  };
}

const MAX_EVENTS_PER_CALL = 1000;

export const trustService = {
  /**
   * Handles `OrderShipped`: SHIPPED_ON_TIME or SHIPPED_LATE against the order's ship-by time, on the
   * merchant and the order's first product, in the shipping transaction.
   */
  async onOrdersShipped(
    tx: Tx,
    events: DomainEventOf<'OrderShipped'>[],
    excuses: (tx: Tx, late: DomainEventOf<'OrderShipped'>[]) => Promise<Map<string, string>> = async () => new Map(),
  ): Promise<void> {
    const excused = await excuses(
      tx,
      events.filter((shipped) => shipped.shippedAt > shipped.shipBy),
    );
    await writeEvents(
      tx,
      events.map((shipped) => {
        const late = shipped.shippedAt > shipped.shipBy;
        const excuse = late ? excused.get(shipped.orderId) : undefined;
        if (excuse) {
          // Recorded, with why it costs nothing: a force-majeure report covered it.
          return {
            factor: ScoreFactor.SHIPPED_LATE,
            merchantId: shipped.merchantId,
            productId: shipped.productIds[0] ?? null,
            buyerId: null,
            orderId: shipped.orderId,
            occurredAt: shipped.shippedAt,
            reason: `shipped after the ship-by time ${shipped.shipBy.toISOString()}, excused: ${excuse}`,
            deltas: { experience: 0, integrity: 0, product: 0 },
          };
        }
        return {
          factor: late ? ScoreFactor.SHIPPED_LATE : ScoreFactor.SHIPPED_ON_TIME,
          merchantId: shipped.merchantId,
          productId: shipped.productIds[0] ?? null,
          buyerId: null,
          orderId: shipped.orderId,
          occurredAt: shipped.shippedAt,
          reason: late
            ? `shipped after the ship-by time ${shipped.shipBy.toISOString()}`
            : 'shipped within the ship-by time',
        };
      }),
    );
  },

  /** Handles `BuyerFlagsChanged`: a buyer's risk follows its tags in the same transaction. */
  async onBuyerFlagsChanged(tx: Tx, events: DomainEventOf<'BuyerFlagsChanged'>[]): Promise<void> {
    const now = tx.now();
    const policy = versionInForce(await policiesService.timelineIn(tx), now);
    await storeBuyerRisks(tx, [...new Set(events.map((event) => event.buyerId))], now, policy);
  },

  /**
   * A merchant's standing for the refund-only rules at `at`: its shown experience score in tenths (null
   * for a new merchant), band and high-repurchase flag, from its stored scores and its orders.
   */
  async standingFor(
    ctx: ServiceContext,
    merchantId: string,
    at: Date,
    policy: PolicyNumbers,
  ): Promise<{
    experienceTenths: number | null;
    integrityHundredths: number;
    band: TrustBand;
    highRepurchase: boolean;
  }> {
    const { trust } = policy;
    const [stored] = await sqlRows(ctx.em, storedMerchantScoresQuery(ctx.em.getKnex(), [merchantId]));
    const scores = stored
      ? { experience: Number(stored.experience), integrity: Number(stored.integrity) }
      : merchantScores({ experience: 0, integrity: 0 }, trust);
    const orders =
      (await ordersService.orderCounts(ctx, [merchantId], windowStart(at, trust.windowDays), at)).get(merchantId) ?? 0;
    const now = standing(scores, orders, trust);
    return {
      experienceTenths: now.experience === null ? null : shownExperience(now.experience) / (EXPERIENCE_SCALE / 10),
      integrityHundredths: now.integrity,
      band: now.band,
      highRepurchase: await this.highRepurchase(ctx, merchantId, at, policy),
    };
  },

  /** Buyers' stored risk levels; a buyer without facts gets its tag's alone, by the policy in force at `asOf`. */
  async buyerRiskLevels(
    ctx: ServiceContext,
    buyers: { id: string; malicious: boolean }[],
    asOf: Date,
  ): Promise<Map<string, RiskLevel>> {
    const rows = await sqlRows(
      ctx.em,
      buyerRiskLevelsQuery(
        ctx.em.getKnex(),
        buyers.map((b) => b.id),
      ),
    );
    const stored = new Map(rows.map((row) => [row.buyer_id as string, row.level as RiskLevel]));
    const { trust } = versionInForce(await policiesService.timelineIn(ctx), asOf).numbers;
    return new Map(
      buyers.map((buyer) => [
        buyer.id,
        stored.get(buyer.id) ??
          buyerRisk({ orders: 0, refundOnly: 0, rejectedClaims: 0, malicious: buyer.malicious }, trust).level,
      ]),
    );
  },

  /** For other modules' transactions: the score events among `ids` the actor may see. */
  findEvents(ctx: ServiceContext, ids: string[]): Promise<ScoreEvent[]> {
    return ids.length ? ctx.em.find(ScoreEvent, { id: { $in: ids } }) : Promise.resolve([]);
  },

  /** A buyer's stored risk level, or for a buyer without facts, that of its tag alone (policy at `asOf`). */
  async buyerRiskLevel(ctx: ServiceContext, buyer: { id: string; malicious: boolean }, asOf: Date): Promise<RiskLevel> {
    const stored = await sqlFirst(ctx.em, buyerRiskLevelQuery(ctx.em.getKnex(), buyer.id));
    if (stored) return stored.level as RiskLevel;
    const { trust } = versionInForce(await policiesService.timelineIn(ctx), asOf).numbers;
    return buyerRisk({ orders: 0, refundOnly: 0, rejectedClaims: 0, malicious: buyer.malicious }, trust).level;
  },

  /** The high-repurchase flag as of `at`, from the merchant's orders (used by the ledger's subsidies). */
  async highRepurchase(ctx: ServiceContext, merchantId: string, at: Date, policy: PolicyNumbers): Promise<boolean> {
    const since = windowStart(at, policy.highRepurchase.windowDays);
    return isHighRepurchase(await ordersService.repurchaseStats(ctx, merchantId, since, at), policy);
  },

  record(ctx: ServiceContext, inputs: ScoreEventFacts[]) {
    return runMutation(ctx, async (tx) => {
      if (inputs.length === 0 || inputs.length > MAX_EVENTS_PER_CALL) {
        const code = inputs.length ? RefusalCode.BATCH_TOO_LARGE : RefusalCode.BATCH_EMPTY;
        throw new Refused([refusal(code, `send 1 to ${MAX_EVENTS_PER_CALL} events`, ['input'])]);
      }
      const now = tx.now();
      const subjects = await loadSubjects(tx, inputs);
      const resolved: ResolvedEvent[] = [];
      const errors: Refusal[] = [];
      for (const [index, input] of inputs.entries()) {
        const result = resolveEvent(input, subjects, ['input', index], now);
        if (Array.isArray(result)) errors.push(...result);
        else resolved.push(result);
      }
      if (errors.length) throw new Refused(errors);
      return { events: await writeEvents(tx, resolved) };
    });
  },

  adjust(
    ctx: ServiceContext,
    input: { merchantId: string; experienceDelta?: string | null; integrityDelta?: string | null; reason: string },
  ) {
    return runMutation(ctx, async (tx) => {
      const errors: Refusal[] = [];
      const experience = parseScaled(input.experienceDelta ?? '0', EXPERIENCE_SCALE);
      const integrity = parseScaled(input.integrityDelta ?? '0', 100);
      const trust = versionInForce(await policiesService.timelineIn(tx), tx.now()).numbers.trust;
      if (experience === null || Math.abs(experience) > trust.maxManualExperience) {
        errors.push(
          refusal(
            RefusalCode.INVALID_INPUT,
            `experienceDelta must be a decimal within ±${trust.maxManualExperience / EXPERIENCE_SCALE}`,
            ['input', 'experienceDelta'],
          ),
        );
      }
      if (integrity === null || Math.abs(integrity) > trust.maxManualIntegrity) {
        errors.push(
          refusal(
            RefusalCode.INVALID_INPUT,
            `integrityDelta must be a decimal within ±${trust.maxManualIntegrity / 100}`,
            ['input', 'integrityDelta'],
          ),
        );
      }
      if (errors.length) throw new Refused(errors);
      const [merchant] = canReachMerchant(tx.scope, input.merchantId)
        ? await merchantsService.findByIds(tx, [input.merchantId])
        : [];
      if (!merchant) throw new Refused([refusal(RefusalCode.NOT_FOUND, 'no such merchant', ['input', 'merchantId'])]);
      const [event] = await writeEvents(tx, [
        {
          factor: ScoreFactor.MANUAL_ADJUSTMENT,
          merchantId: merchant.id,
          productId: null,
          buyerId: null,
          orderId: null,
          occurredAt: tx.now(),
          reason: input.reason,
          deltas: { experience: experience!, integrity: integrity!, product: 0 },
        },
      ]);
      return { event };
    });
  },

  /** Voids an event with an opposite one at the same time; the scores recompute. */
  void(ctx: ServiceContext, input: { eventId: string; reason: string }) {
    return runMutation(ctx, async (tx) => {
      const { em } = tx;
      const original = await em.findOne(ScoreEvent, { id: input.eventId });
      if (!original) throw new Refused([refusal(RefusalCode.NOT_FOUND, 'no such score event', ['input', 'eventId'])]);
      if (original.voids)
        throw new Refused([refusal(RefusalCode.NOT_ELIGIBLE, 'a void cannot itself be voided', ['input', 'eventId'])]);
      if (await em.findOne(ScoreEvent, { voids: original }))
        throw new Refused([
          refusal(RefusalCode.ALREADY_REVERSED, 'this event was already voided', ['input', 'eventId']),
        ]);
      const [event] = await writeEvents(tx, [voidOf(original, input.reason)]);
      return { event };
    });
  },

  /** Recomputes every stored score from the events; the count of merchants whose scores changed shows drift. */
  recompute(ctx: ServiceContext) {
    return runMutation(ctx, async (tx) => {
      const { em } = tx;
      const now = tx.now();
      const policy = versionInForce(await policiesService.timelineIn(tx), now);
      const subjects = async (column: Subject, table?: 'score_event' | 'merchant_score') =>
        (await sqlRows(em, subjectsQuery(em.getKnex(), column, table))).map((row) => row[column] as string);
      // Merchants with events or stored scores; the others are at the baseline and have no row.
      const merchants = [
        ...new Set([...(await subjects('merchant_id')), ...(await subjects('merchant_id', 'merchant_score'))]),
      ];
      const products = await subjects('product_id');
      const changed = await storeScores(tx, { merchantIds: merchants, productIds: products }, now, policy);
      const buyers = await subjects('buyer_id');
      await storeBuyerRisks(tx, buyers, now, policy);
      return { merchants: merchants.length, products: products.length, buyers: buyers.length, changed };
    });
  },

  /** The scores a merchant would have with some more events; nothing is written. */
  async simulate(ctx: ServiceContext, merchantId: string, events: HypotheticalEventInput[]) {
    const notFound = {
      simulation: null,
      refusals: [refusal(RefusalCode.NOT_FOUND, 'no such merchant', ['merchantId'])],
    };
    if (!canReachMerchant(ctx.db.scope, merchantId)) return notFound;
    const now = ctx.now();
    return runReadOnly(ctx, async (snapshot) => {
      const [merchant] = await merchantsService.findByIds(snapshot, [merchantId]);
      if (!merchant) return notFound;
      const policy = versionInForce(await policiesService.timelineIn(snapshot), now);
      const trust = policy.numbers.trust;
      const stored = (
        await windowSums(snapshot, 'merchant_id', [merchantId], now, trust.windowDays, MERCHANT_SUMS)
      ).get(merchantId);
      const sums = { experience: Number(stored?.experience ?? 0), integrity: Number(stored?.integrity ?? 0) };
      const since = windowStart(now, trust.windowDays);
      const recentOrders = (await ordersService.orderCounts(snapshot, [merchantId], since, now)).get(merchantId) ?? 0;
      const current = standing(merchantScores(sums, trust), recentOrders, trust);
      for (const event of events) {
        const deltas = deltasOf(event.factor, trust);
        const times = event.count ?? 1;
        sums.experience += deltas.experience * times;
        sums.integrity += deltas.integrity * times;
      }
      return {
        simulation: {
          current,
          simulated: standing(merchantScores(sums, trust), recentOrders, trust),
          policyVersion: policy.version,
        },
        refusals: [],
      };
    });
  },
};
