import type { ServiceContext } from '../../db/session';
import type { Knex } from '@mikro-orm/postgresql';
import { SortDirection, type PageArgs, type TableSpec, type WhereClause } from '../../graphql/connection';
import { boughtFromMerchant } from '../orders/orders.query';
import type { FieldReads, Row } from '../../db/tenant-db';
import { DAY_MS } from '../../shared/time';
import type { PolicyNumbers } from '../policies/policy.schema';
import { BreakerSubject, type CaseStatus, type CaseType } from './after-sales.enums';
import { type BreakerReading, breakerReading } from './after-sales.rules';

/** What the AfterSalesCase fields that are no column of their own read: its lists, by its id alone. */
export const CASE_FIELD_READS: FieldReads = {
  evidence: [],
  messages: [],
  statusHistory: [],
  postings: [],
  scoreEvents: [],
};

export const CASE_TABLE: TableSpec = {
  table: 'after_sales_case',
  tenant: (qb, merchantId) => qb.where('t.merchant_id', merchantId),
};

const ofOwnCase: TableSpec['tenant'] = (qb, merchantId) =>
  qb.whereRaw('exists (select 1 from after_sales_case c where c.id = t.case_id and c.merchant_id = ?)', [merchantId]);

export const CASE_STATUS_CHANGE_TABLE: TableSpec = { table: 'after_sales_case_status_change', tenant: ofOwnCase };
export const CASE_EVIDENCE_TABLE: TableSpec = { table: 'case_evidence', tenant: ofOwnCase };
export const CASE_MESSAGE_TABLE: TableSpec = { table: 'case_message', tenant: ofOwnCase };

const buyerOfMerchant = boughtFromMerchant('t.subject_id');

/** A merchant's own counters, and those of the buyers who bought from it. */
export const TALLY_TABLE: TableSpec = {
  table: 'refund_only_tally',
  tenant: (qb, merchantId) =>
    qb.where((own) =>
      own
        .where('t.merchant_id', merchantId)
        .orWhere((buyer) => buyerOfMerchant(buyer.where('t.subject', BreakerSubject.BUYER), merchantId)),
    ),
};

export const NEWEST_CASES_FIRST = { key: 'OPENED_AT', column: 'opened_at', direction: SortDirection.DESC } as const;

export interface CaseFilter {
  status?: CaseStatus[] | null;
  type?: CaseType[] | null;
  merchantId?: string | null;
  orderId?: string | null;
}

export interface CaseListArgs extends PageArgs {
  filter?: CaseFilter | null;
}

export function caseWhere(filter?: CaseFilter | null): WhereClause {
  return (qb) => {
    if (filter?.status?.length) qb.whereIn('t.status', filter.status);
    if (filter?.type?.length) qb.whereIn('t.type', filter.type);
    if (filter?.merchantId) qb.where('t.merchant_id', filter.merchantId);
    if (filter?.orderId) qb.where('t.order_id', filter.orderId);
  };
}

/** The calendar day of an instant in China Standard Time, e.g. "2026-11-27": the breakers' buckets. */
export function chinaDay(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

export interface TallyIncrement {
  subject: BreakerSubject;
  subjectId: string;
  day: string;
  merchantId: string | null;
  orders: number;
  refundOnly: number;
}

/** Adds to the counters in one statement, creating the day's rows as needed. */
export async function addToTallies(ctx: ServiceContext, increments: TallyIncrement[]): Promise<void> {
  if (!increments.length) return;
  const merged = new Map<string, TallyIncrement>();
  for (const increment of increments) {
    const key = `${increment.subject}:${increment.subjectId}:${increment.day}`;
    const seen = merged.get(key);
    if (seen) {
      seen.orders += increment.orders;
      seen.refundOnly += increment.refundOnly;
    } else merged.set(key, { ...increment });
  }
  const rows = [...merged.values()].sort((a, b) =>
    `${a.subject}${a.subjectId}${a.day}`.localeCompare(`${b.subject}${b.subjectId}${b.day}`),
  );
  const knex = ctx.em.getKnex();
  const qb = knex('refund_only_tally')
    .insert(
      rows.map((r) => ({
        subject: r.subject,
        subject_id: r.subjectId,
        day: r.day,
        merchant_id: r.merchantId,
        orders: r.orders,
        refund_only: r.refundOnly,
      })),
    )
    .onConflict(['subject', 'subject_id', 'day'])
    .merge({
      orders: knex.raw('refund_only_tally.orders + excluded.orders'),
      refund_only: knex.raw('refund_only_tally.refund_only + excluded.refund_only'),
    });
  await ctx.em
    .getConnection()
    .execute(qb.toQuery(), [], 'run', ctx.em.getTransactionContext(), ctx.em.getLoggerContext());
}

/** The window's sums per subject: a primary-key range of at most `windowDays` rows each. */
export function tallySumsQuery(
  knex: Knex,
  subjects: readonly { subject: BreakerSubject; subjectId: string }[],
  fromDay: string,
) {
  const pairs = subjects.map(() => '(?, ?::uuid)').join(', ');
  return knex('refund_only_tally as t')
    .select('t.subject', 't.subject_id')
    .sum({ orders: 't.orders', refund_only: 't.refund_only' })
    .whereRaw(
      `(t.subject, t.subject_id) in (${pairs})`,
      subjects.flatMap((s) => [s.subject, s.subjectId]),
    )
    .where('t.day', '>=', fromDay)
    .groupBy('t.subject', 't.subject_id');
}

/** The first day of the breakers' rolling window that ends today (China time). */
export function breakerWindowStart(now: Date, policy: PolicyNumbers): string {
  return chinaDay(new Date(now.getTime() - (policy.refundOnly.circuitBreaker.windowDays - 1) * DAY_MS));
}

/** The readings of `subjects` from the window sums `tallySumsQuery` returned (no row: nothing counted). */
export function readingsFromSums(
  subjects: readonly { subject: BreakerSubject; subjectId: string }[],
  rows: Row[],
  policy: PolicyNumbers,
): BreakerReading[] {
  const sums = new Map(rows.map((row) => [`${row.subject}:${row.subject_id}`, row]));
  return subjects.map(({ subject, subjectId }) => {
    const row = sums.get(`${subject}:${subjectId}`);
    return breakerReading(
      subject,
      { refundOnly: Number(row?.refund_only ?? 0), orders: Number(row?.orders ?? 0) },
      policy,
    );
  });
}
