import { type PageArgs, SortDirection, type SortSpec, type TableSpec } from '../../graphql/connection';
import { childConnectionLoader } from '../../graphql/child-connection';
import { loaderSet } from '../../graphql/loaders';
import { AuditEntry } from './audit.entity';
import type { AuditEntrySortField } from './audit.types';

export const AUDIT_TABLE: TableSpec = {
  table: 'audit_entry',
  tenant: (qb, merchantId) => qb.where('t.merchant_id', merchantId),
};

/** The log in the order it was written; newest first unless asked otherwise. */
export interface AuditLogArgs extends PageArgs {
  sort?: { field: AuditEntrySortField; direction: SortDirection } | null;
}

const auditSort = (args: AuditLogArgs): SortSpec => ({
  key: 'CREATED_AT',
  column: 'created_at',
  direction: args.sort?.direction ?? SortDirection.DESC,
});

export const createAuditLoaders = loaderSet({
  byMerchant: (db) =>
    childConnectionLoader<AuditEntry, AuditLogArgs>(db, AuditEntry, {
      shape: 'audit.ofMerchant',
      ...AUDIT_TABLE,
      parentColumn: 'merchant_id',
      where: () => () => {},
      sort: auditSort,
    }),
});

declare module '../../db/session' {
  interface Loaders {
    audit: ReturnType<typeof createAuditLoaders>;
  }
}
