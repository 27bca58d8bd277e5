import DataLoader from 'dataloader';
import { childConnectionLoader } from '../../graphql/child-connection';
import { byIdLoader, childrenLoader, loaderSet } from '../../graphql/loaders';
import { policyInForce } from '../policies/policies.loaders';
import { AfterSalesCase, CaseEvidence, CaseMessage, CaseStatusChange } from './after-sales.entity';
import type { BreakerSubject } from './after-sales.enums';
import {
  CASE_EVIDENCE_TABLE,
  CASE_MESSAGE_TABLE,
  CASE_STATUS_CHANGE_TABLE,
  CASE_TABLE,
  type CaseListArgs,
  caseWhere,
  breakerWindowStart,
  NEWEST_CASES_FIRST,
  readingsFromSums,
  TALLY_TABLE,
  tallySumsQuery,
} from './after-sales.query';
import type { BreakerReading } from './after-sales.rules';

const ofCase = (table: typeof CASE_EVIDENCE_TABLE, orderBy: string[]) => ({
  ...table,
  parentColumn: 'case_id',
  orderBy,
});

export const createAfterSalesLoaders = loaderSet({
  byId: (db) => byIdLoader(db, AfterSalesCase, CASE_TABLE),
  byMerchant: (db) =>
    childConnectionLoader<AfterSalesCase, CaseListArgs>(db, AfterSalesCase, {
      shape: 'afterSales.ofMerchant',
      ...CASE_TABLE,
      parentColumn: 'merchant_id',
      where: (args) => caseWhere(args.filter),
      sort: () => NEWEST_CASES_FIRST,
    }),
  byOrder: (db) =>
    childrenLoader(db, AfterSalesCase, {
      ...CASE_TABLE,
      parentColumn: 'order_id',
      orderBy: ['opened_at', 'id'],
    }),
  evidence: (db) => childrenLoader(db, CaseEvidence, ofCase(CASE_EVIDENCE_TABLE, ['supplied_at', 'id'])),
  messages: (db) => childrenLoader(db, CaseMessage, ofCase(CASE_MESSAGE_TABLE, ['sent_at', 'id'])),
  statusHistory: (db) => childrenLoader(db, CaseStatusChange, ofCase(CASE_STATUS_CHANGE_TABLE, ['created_at', 'id'])),
  /** Breaker readings of many subjects: one query over the daily counters of the window. */
  breaker: (db, loaders) =>
    new DataLoader<{ subject: BreakerSubject; subjectId: string }, BreakerReading, string>(
      async (subjects) => {
        const { numbers } = await policyInForce(loaders)();
        const qb = db.scoped(
          tallySumsQuery(db.knex(), subjects, breakerWindowStart(new Date(), numbers)),
          TALLY_TABLE.tenant,
        );
        return readingsFromSums(subjects, await db.read((run) => run(qb)), numbers);
      },
      { cacheKeyFn: ({ subject, subjectId }) => `${subject}:${subjectId}` },
    ),
});

declare module '../../db/session' {
  interface Loaders {
    afterSales: ReturnType<typeof createAfterSalesLoaders>;
  }
}
