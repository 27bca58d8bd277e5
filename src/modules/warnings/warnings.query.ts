import { SortDirection, type PageArgs, type TableSpec, type WhereClause } from '../../graphql/connection';
import type { WarningKind, WarningStatus } from './warnings.enums';

export const WARNING_TABLE: TableSpec = {
  table: 'warning',
  tenant: (qb, merchantId) => qb.where('t.merchant_id', merchantId),
};

export const NEWEST_WARNINGS_FIRST = { key: 'RAISED_AT', column: 'raised_at', direction: SortDirection.DESC } as const;

export interface WarningFilter {
  kind?: WarningKind[] | null;
  status?: WarningStatus[] | null;
}

export interface WarningListArgs extends PageArgs {
  filter?: WarningFilter | null;
}

export function warningWhere(filter?: WarningFilter | null): WhereClause {
  return (qb) => {
    if (filter?.kind?.length) qb.whereIn('t.kind', filter.kind);
    if (filter?.status?.length) qb.whereIn('t.status', filter.status);
  };
}
