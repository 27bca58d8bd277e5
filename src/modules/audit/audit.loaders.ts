import type { TenantDb } from '../../db/tenant-db';
import { childConnectionLoader, type PageArgs, SortDirection, type TableSpec } from '../../graphql/connection';
import { AuditEntry } from './audit.entity';

export const AUDIT_TABLE: TableSpec = {
  table: 'audit_entry',
  tenant: (qb, merchantId) => qb.where('t.merchant_id', merchantId),
};

const IN_ORDER = { key: 'CREATED_AT', column: 'created_at', direction: SortDirection.ASC } as const;

export function createAuditLoaders(db: TenantDb) {
  return {
    byMerchant: childConnectionLoader<AuditEntry, PageArgs>(db, AuditEntry, {
      ...AUDIT_TABLE,
      parentColumn: 'merchant_id',
      where: () => () => {},
      sort: () => IN_ORDER,
    }),
  };
}
