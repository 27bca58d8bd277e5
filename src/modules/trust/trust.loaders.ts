import DataLoader from 'dataloader';
import type { Row, TenantDb } from '../../db/tenant-db';
import { type PageArgs, SortDirection, type TableSpec } from '../../graphql/connection';
import { childConnectionLoader } from '../../graphql/child-connection';
import { batchRead, byIdLoader, childrenLoader, loaderSet } from '../../graphql/loaders';
import { whereUuidIn } from '../../db/sql';
import { policyInForce } from '../policies/policies.loaders';
import { ScoreEvent } from './trust.entity';
import type { ScoreFactor } from './trust.enums';
import {
  BUYER_RISK_TABLE,
  MERCHANT_SCORE_TABLE,
  PRODUCT_SCORE_TABLE,
  SCORE_EVENT_TABLE,
  windowStart,
} from './trust.query';

export interface FactorSums {
  factor: ScoreFactor;
  count: number;
  experience: number;
  integrity: number;
}

/** One keyed SELECT per tick over a table whose rows are keyed by `keyColumn`. */
function rowsByKey(db: TenantDb, spec: TableSpec, keyColumn: string) {
  return new DataLoader<string, Row | null>(async (keys) => {
    const statement = batchRead(
      db,
      spec,
      `by ${keyColumn}`,
      (qb, ids) => qb.select('t.*').where((qb) => whereUuidIn(qb, `t.${keyColumn}`, ids)),
      keys,
    );
    const rows = await db.read((run) => run(statement));
    const byKey = new Map(rows.map((row) => [row[keyColumn] as string, row]));
    return keys.map((key) => byKey.get(key) ?? null);
  });
}

export const createTrustLoaders = loaderSet({
  merchantScore: (db) => rowsByKey(db, MERCHANT_SCORE_TABLE, 'merchant_id'),
  productScore: (db) => rowsByKey(db, PRODUCT_SCORE_TABLE, 'product_id'),
  buyerRisk: (db) => rowsByKey(db, BUYER_RISK_TABLE, 'buyer_id'),
  /** Per merchant and factor, over the window of the policy in force: one GROUP BY for all merchants. */
  factors: (db, loaders) =>
    new DataLoader<string, FactorSums[]>(async (merchantIds) => {
      const { trust } = (await policyInForce(loaders)()).numbers;
      const since = windowStart(new Date(), trust.windowDays);
      const qb = db
        .scoped(db.knex()('score_event as t'), SCORE_EVENT_TABLE.tenant)
        .select('t.merchant_id', 't.factor')
        .select(
          db
            .knex()
            .raw(
              'sum(t.count_delta)::int as count, sum(t.experience_delta)::int as experience, sum(t.integrity_delta)::int as integrity',
            ),
        )
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
  history: (db) =>
    childConnectionLoader<ScoreEvent, PageArgs>(db, ScoreEvent, {
      shape: 'trust.history',
      ...SCORE_EVENT_TABLE,
      parentColumn: 'merchant_id',
      where: () => () => {},
      sort: () => ({ key: 'RECORDED', column: 'created_at', direction: SortDirection.DESC }),
    }),
  eventById: (db) => byIdLoader(db, ScoreEvent, SCORE_EVENT_TABLE),
  /** The score events an after-sales case caused, oldest first. */
  eventsByCase: (db) =>
    childrenLoader(db, ScoreEvent, {
      ...SCORE_EVENT_TABLE,
      parentColumn: 'case_id',
      orderBy: ['created_at', 'id'],
    }),
  voidOf: (db) =>
    new DataLoader<string, ScoreEvent | null>(async (ids) => {
      const qb = db.scoped(
        db
          .knex()('score_event as t')
          .select('t.*')
          .whereIn('t.voids_id', [...ids]),
        SCORE_EVENT_TABLE.tenant,
      );
      const rows = await db.read((run) => run(qb));
      const byOriginal = new Map(rows.map((row) => [row.voids_id as string, db.map(ScoreEvent, row)]));
      return ids.map((id) => byOriginal.get(id) ?? null);
    }),
});

declare module '../../db/session' {
  interface Loaders {
    trust: ReturnType<typeof createTrustLoaders>;
  }
}
