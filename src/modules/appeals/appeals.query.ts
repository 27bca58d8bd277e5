import { SortDirection, type PageArgs, type TableSpec, type WhereClause } from '../../graphql/connection';
import { AppealStatus, type AppealChannel, type AppealKind } from './appeals.enums';

export const APPEAL_TABLE: TableSpec = {
  table: 'appeal',
  tenant: (qb, merchantId) => qb.where('t.merchant_id', merchantId),
};

const ofOwnAppeal: TableSpec['tenant'] = (qb, merchantId) =>
  qb.whereRaw('exists (select 1 from appeal a where a.id = t.appeal_id and a.merchant_id = ?)', [merchantId]);

export const FORCE_MAJEURE_TABLE: TableSpec = {
  table: 'force_majeure_report',
  tenant: (qb, merchantId) => qb.where('t.merchant_id', merchantId),
};

export const APPEAL_EVIDENCE_TABLE: TableSpec = { table: 'appeal_evidence', tenant: ofOwnAppeal };
export const APPEAL_STATUS_CHANGE_TABLE: TableSpec = { table: 'appeal_status_change', tenant: ofOwnAppeal };

export const NEWEST_APPEALS_FIRST = {
  key: 'SUBMITTED_AT',
  column: 'submitted_at',
  direction: SortDirection.DESC,
} as const;
export const BY_REVIEW_DEADLINE = {
  key: 'REVIEW_DUE_AT',
  column: 'review_due_at',
  direction: SortDirection.ASC,
} as const;

export interface AppealFilter {
  status?: AppealStatus[] | null;
  kind?: AppealKind[] | null;
  channel?: AppealChannel[] | null;
  merchantId?: string | null;
  assignee?: string | null;
  /** Only appeals still open (the queue). */
  open?: boolean;
}

export interface AppealListArgs extends PageArgs {
  filter?: AppealFilter | null;
}

export function appealWhere(filter?: AppealFilter | null): WhereClause {
  return (qb) => {
    if (filter?.open) qb.whereNotIn('t.status', [AppealStatus.UPHELD, AppealStatus.REJECTED, AppealStatus.WITHDRAWN]);
    if (filter?.status?.length) qb.whereIn('t.status', filter.status);
    if (filter?.kind?.length) qb.whereIn('t.kind', filter.kind);
    if (filter?.channel?.length) qb.whereIn('t.channel', filter.channel);
    if (filter?.merchantId) qb.where('t.merchant_id', filter.merchantId);
    if (filter?.assignee) qb.where('t.assignee', filter.assignee);
  };
}
