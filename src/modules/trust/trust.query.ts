import type { Knex } from '@mikro-orm/postgresql';
import { whereUuidIn } from '../../db/sql';
import type { TableSpec } from '../../graphql/connection';
import { DAY_MS } from '../../shared/time';
import { boughtFromMerchant } from '../orders/orders.query';
import { productOfMerchant } from '../products/products.query';
import { ScoreFactor } from './trust.enums';

const ofMerchant: TableSpec['tenant'] = (qb, merchantId) => qb.where('t.merchant_id', merchantId);
export const SCORE_EVENT_TABLE: TableSpec = { table: 'score_event', tenant: ofMerchant };
export const MERCHANT_SCORE_TABLE: TableSpec = { table: 'merchant_score', tenant: ofMerchant };
export const PRODUCT_SCORE_TABLE: TableSpec = { table: 'product_score', tenant: productOfMerchant('t.product_id') };
export const BUYER_RISK_TABLE: TableSpec = { table: 'buyer_risk', tenant: boughtFromMerchant('t.buyer_id') };

export const windowStart = (asOf: Date, days: number) => new Date(asOf.getTime() - days * DAY_MS);

export type Subject = 'merchant_id' | 'product_id' | 'buyer_id';

/** Sums of a column per subject over the window ending at `asOf`, for many subjects in one GROUP BY. */
export function windowSumsQuery(
  knex: Knex,
  subject: Subject,
  ids: readonly string[],
  asOf: Date,
  days: number,
  sums: Record<string, string>,
  events: string | Knex.Raw = 'score_event',
) {
  return (
    knex
      .from(events)
      .select(
        subject,
        ...Object.entries(sums).map(([alias, expression]) =>
          knex.raw(`coalesce(${expression}, 0)::bigint as ${alias}`),
        ),
      )
      .where((qb) => whereUuidIn(qb, subject, ids))
      // As ISO texts, which carry their offset: knex writes a Date in the process's time zone without one.
      .where('occurred_at', '>', windowStart(asOf, days).toISOString())
      .where('occurred_at', '<=', asOf.toISOString())
      .groupBy(subject)
  );
}

export const MERCHANT_SUMS = { experience: 'sum(experience_delta)', integrity: 'sum(integrity_delta)' };
export const PRODUCT_SUMS = { total: 'sum(product_delta)' };
export const BUYER_SUMS = {
  refund_only: `sum(count_delta) filter (where factor = '${ScoreFactor.REFUND_ONLY_REQUESTED}')`,
  rejected: `sum(count_delta) filter (where factor = '${ScoreFactor.CLAIM_REJECTED}')`,
};

export function storedMerchantScoresQuery(knex: Knex, merchantIds: readonly string[]) {
  return knex('merchant_score')
    .select('merchant_id', 'experience', 'integrity')
    .where((qb) => whereUuidIn(qb, 'merchant_id', merchantIds));
}

export type ScoreTable = 'merchant_score' | 'product_score' | 'buyer_risk';

/** Inserts or replaces stored scores keyed by their subject. */
export function upsertScoresQuery(knex: Knex, table: ScoreTable, key: Subject, rows: Record<string, unknown>[]) {
  return knex(table).insert(rows).onConflict(key).merge();
}

/** Every subject that has events (or, for merchants, a stored score). */
export function subjectsQuery(knex: Knex, column: Subject, table: 'score_event' | 'merchant_score' = 'score_event') {
  return knex(table).distinct(column).whereNotNull(column);
}

export function buyerRiskLevelsQuery(knex: Knex, buyerIds: readonly string[]) {
  return knex('buyer_risk')
    .select('buyer_id', 'level')
    .where((qb) => whereUuidIn(qb, 'buyer_id', buyerIds));
}

export function buyerRiskLevelQuery(knex: Knex, buyerId: string) {
  return knex('buyer_risk').select('level').where('buyer_id', buyerId);
}
