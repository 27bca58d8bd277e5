import { childConnectionLoader } from '../../graphql/child-connection';
import { byIdLoader, childrenLoader, loaderSet } from '../../graphql/loaders';
import { Appeal, AppealEvidence, AppealStatusChange, ForceMajeureReport } from './appeals.entity';
import {
  APPEAL_EVIDENCE_TABLE,
  APPEAL_STATUS_CHANGE_TABLE,
  APPEAL_TABLE,
  type AppealListArgs,
  FORCE_MAJEURE_TABLE,
  appealWhere,
  NEWEST_APPEALS_FIRST,
} from './appeals.query';

export const createAppealLoaders = loaderSet({
  byId: (db) => byIdLoader(db, Appeal, APPEAL_TABLE),
  byMerchant: (db) =>
    childConnectionLoader<Appeal, AppealListArgs>(db, Appeal, {
      shape: 'appeals.ofMerchant',
      ...APPEAL_TABLE,
      parentColumn: 'merchant_id',
      where: (args) => appealWhere(args.filter),
      sort: () => NEWEST_APPEALS_FIRST,
    }),
  evidence: (db) =>
    childrenLoader(db, AppealEvidence, {
      ...APPEAL_EVIDENCE_TABLE,
      parentColumn: 'appeal_id',
      orderBy: ['supplied_at', 'id'],
    }),
  forceMajeure: (db) =>
    childrenLoader(db, ForceMajeureReport, {
      ...FORCE_MAJEURE_TABLE,
      parentColumn: 'merchant_id',
      orderBy: ['starts_at', 'id'],
    }),
  statusHistory: (db) =>
    childrenLoader(db, AppealStatusChange, {
      ...APPEAL_STATUS_CHANGE_TABLE,
      parentColumn: 'appeal_id',
      orderBy: ['created_at', 'id'],
    }),
});

declare module '../../db/session' {
  interface Loaders {
    appeals: ReturnType<typeof createAppealLoaders>;
  }
}
