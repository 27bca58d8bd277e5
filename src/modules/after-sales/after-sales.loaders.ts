import DataLoader from 'dataloader';
import type { TenantDb } from '../../db/tenant-db';
import { childConnectionLoader } from '../../graphql/connection';
import { byIdLoader, childrenLoader } from '../../graphql/loaders';
import { DAY_MS } from '../../shared/time';
import type { PolicySnapshot } from '../policies/policies.rules';
import { AfterSalesCase, CaseEvidence, CaseMessage, CaseStatusChange } from './after-sales.entity';
import type { BreakerSubject } from './after-sales.enums';
import {
  CASE_EVIDENCE_TABLE,
  CASE_MESSAGE_TABLE,
  CASE_STATUS_CHANGE_TABLE,
  CASE_TABLE,
  type CaseListArgs,
  caseWhere,
  chinaDay,
  NEWEST_CASES_FIRST,
  TALLY_TABLE,
  tallySumsQuery,
} from './after-sales.query';
import { type BreakerReading, breakerReading } from './after-sales.rules';

export function createAfterSalesLoaders(db: TenantDb, policyNow: () => Promise<PolicySnapshot>) {
  const ofCase = (table: typeof CASE_EVIDENCE_TABLE, orderBy: string[]) => ({
    ...table,
    parentColumn: 'case_id',
    orderBy,
  });
  return {
    byId: byIdLoader(db, AfterSalesCase, CASE_TABLE),
    byMerchant: childConnectionLoader<AfterSalesCase, CaseListArgs>(db, AfterSalesCase, {
      ...CASE_TABLE,
      parentColumn: 'merchant_id',
      where: (args) => caseWhere(args.filter),
      sort: () => NEWEST_CASES_FIRST,
    }),
    byOrder: childrenLoader(db, AfterSalesCase, {
      ...CASE_TABLE,
      parentColumn: 'order_id',
      orderBy: ['opened_at', 'id'],
    }),
    evidence: childrenLoader(db, CaseEvidence, ofCase(CASE_EVIDENCE_TABLE, ['supplied_at', 'id'])),
    messages: childrenLoader(db, CaseMessage, ofCase(CASE_MESSAGE_TABLE, ['sent_at', 'id'])),
    statusHistory: childrenLoader(db, CaseStatusChange, ofCase(CASE_STATUS_CHANGE_TABLE, ['created_at', 'id'])),
    /** Breaker readings of many subjects: one query over the daily counters of the window. */
    breaker: new DataLoader<{ subject: BreakerSubject; subjectId: string }, BreakerReading, string>(
      async (subjects) => {
        const { numbers } = await policyNow();
        const fromDay = chinaDay(new Date(Date.now() - (numbers.refundOnly.circuitBreaker.windowDays - 1) * DAY_MS));
        const qb = db.scoped(tallySumsQuery(db.knex(), subjects, fromDay), TALLY_TABLE.tenant);
        const rows = await db.read((run) => run(qb));
        return subjects.map(({ subject, subjectId }) => {
          const row = rows.find((r) => r.subject === subject && r.subject_id === subjectId);
          return breakerReading(
            subject,
            { refundOnly: Number(row?.refund_only ?? 0), orders: Number(row?.orders ?? 0) },
            numbers,
          );
        });
      },
      { cacheKeyFn: ({ subject, subjectId }) => `${subject}:${subjectId}` },
    ),
  };
}
