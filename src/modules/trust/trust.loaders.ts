import DataLoader from 'dataloader';
import type { Row, TenantDb } from '../../db/tenant-db';
import { childConnectionLoader, type PageArgs, SortDirection, type TableSpec } from '../../graphql/connection';
import { byIdLoader } from '../../graphql/loaders';
import type { PolicySnapshot } from '../policies/policies.rules';
import { ScoreEvent } from './trust.entity';
import type { ScoreFactor } from './trust.enums';

const ofMerchant: TableSpec['tenant'] = (qb, merchantId) => qb.where('t.merchant_id', merchantId);
export const SCORE_EVENT_TABLE: TableSpec = { table: 'score_event', tenant: ofMerchant };
const MERCHANT_SCORE_TABLE: TableSpec = { table: 'merchant_score', tenant: ofMerchant };
const PRODUCT_SCORE_TABLE: TableSpec = {
  table: 'product_score',
  tenant: (qb, merchantId) => qb.whereRaw('exists (select 1 from product p where p.id = t.product_id and p.merchant_id = ?)', [merchantId]),
};
const BUYER_RISK_TABLE: TableSpec = {
  table: 'buyer_risk',
  tenant: (qb, merchantId) => qb.whereRaw('exists (select 1 from "order" o where o.buyer_id = t.buyer_id and o.merchant_id = ?)', [merchantId]),
};

export interface FactorSums {
  factor: ScoreFactor;
  count: number;
  experience: number;
  integrity: number;
}

/** One keyed SELECT per tick over a table whose rows are keyed by `keyColumn`. */
function rowsByKey(db: TenantDb, spec: TableSpec, keyColumn: string) {
  return new DataLoader<string, Row | null>(async (keys) => {
    const qb = db.scoped(db.knex()(`${spec.table} as t`).select('t.*').whereIn(`t.${keyColumn}`, [...keys]), spec.tenant);
    const rows = await db.read((run) => run(qb));
    const byKey = new Map(rows.map((row) => [row[keyColumn] as string, row]));
    return keys.map((key) => byKey.get(key) ?? null);
  });
}

export function createTrustLoaders(db: TenantDb, policyNow: () => Promise<PolicySnapshot>) {
  return {
    merchantScore: rowsByKey(db, MERCHANT_SCORE_TABLE, 'merchant_id'),
    productScore: rowsByKey(db, PRODUCT_SCORE_TABLE, 'product_id'),
    buyerRisk: rowsByKey(db, BUYER_RISK_TABLE, 'buyer_id'),
    /** Per merchant and factor, over the window of the policy in force: one GROUP BY for all merchants. */
    factors: new DataLoader<string, FactorSums[]>(async (merchantIds) => {
      const { trust } = (await policyNow()).numbers;
      const since = new Date(Date.now() - trust.windowDays * 86_400_000);
      const qb = db
        .scoped(db.knex()('score_event as t'), SCORE_EVENT_TABLE.tenant)
        .select('t.merchant_id', 't.factor')
        .select(db.knex().raw('sum(t.count_delta)::int as count, sum(t.experience_delta)::int as experience, sum(t.integrity_delta)::int as integrity'))
        .whereIn('t.merchant_id', [...merchantIds])
        .where('t.occurred_at', '>', since)
        .groupBy('t.merchant_id', 't.factor')
        .orderBy('t.factor');
      const rows = await db.read((run) => run(qb));
      const byMerchant = new Map<string, FactorSums[]>(merchantIds.map((id) => [id, []]));
      for (const row of rows) {
        byMerchant.get(row.merchant_id as string)?.push({
          factor: row.factor as ScoreFactor,
          count: Number(row.count),
          experience: Number(row.experience),
          integrity: Number(row.integrity),
        });
      }
      return merchantIds.map((id) => byMerchant.get(id)!);
    }),
    /** Distinct and repeat buyers per merchant over the high-repurchase window: one query for all. */
    repurchase: new DataLoader<string, { buyers: number; repeatBuyers: number }>(async (merchantIds) => {
      const { highRepurchase } = (await policyNow()).numbers;
      const knex = db.knex();
      const perBuyer = db
        .scoped(knex('order as t'), (qb, merchantId) => qb.where('t.merchant_id', merchantId))
        .select('t.merchant_id', 't.buyer_id')
        .count({ n: '*' })
        .whereIn('t.merchant_id', [...merchantIds])
        .whereNot('t.status', 'CANCELLED')
        .where('t.paid_at', '>=', new Date(Date.now() - highRepurchase.windowDays * 86_400_000))
        .groupBy('t.merchant_id', 't.buyer_id')
        .as('per_buyer');
      const qb = knex
        .from(perBuyer)
        .select('merchant_id', knex.raw('count(*)::int as buyers, (count(*) filter (where n > 1))::int as repeat_buyers'))
        .groupBy('merchant_id');
      const rows = await db.read((run) => run(qb));
      const byMerchant = new Map(rows.map((row) => [row.merchant_id as string, { buyers: Number(row.buyers), repeatBuyers: Number(row.repeat_buyers) }]));
      return merchantIds.map((id) => byMerchant.get(id) ?? { buyers: 0, repeatBuyers: 0 });
    }),
    history: childConnectionLoader<ScoreEvent, PageArgs>(db, ScoreEvent, {
      ...SCORE_EVENT_TABLE,
      parentColumn: 'merchant_id',
      where: () => () => {},
      sort: () => ({ key: 'RECORDED', column: 'created_at', direction: SortDirection.DESC }),
    }),
    eventById: byIdLoader(db, ScoreEvent, SCORE_EVENT_TABLE),
    voidOf: new DataLoader<string, ScoreEvent | null>(async (ids) => {
      const qb = db.scoped(db.knex()('score_event as t').select('t.*').whereIn('t.voids_id', [...ids]), SCORE_EVENT_TABLE.tenant);
      const rows = await db.read((run) => run(qb));
      const byOriginal = new Map(rows.map((row) => [row.voids_id as string, db.map(ScoreEvent, row)]));
      return ids.map((id) => byOriginal.get(id) ?? null);
    }),
  };
}
