import { SortDirection, type SortSpec, type TableSpec, type WhereClause } from '../../graphql/connection';
import { type MerchantFilter, type MerchantSort, MerchantSortField } from './merchants.types';

export const MERCHANT_TABLE: TableSpec = {
  table: 'merchant',
  tenant: (qb, merchantId) => qb.where('t.id', merchantId),
};

export const MERCHANT_STATUS_CHANGE_TABLE: TableSpec = {
  table: 'merchant_status_change',
  tenant: (qb, merchantId) => qb.where('t.merchant_id', merchantId),
};

const SORT_COLUMNS: Record<MerchantSortField, string> = {
  [MerchantSortField.NAME]: 'name',
  [MerchantSortField.CREATED_AT]: 'created_at',
};

export function merchantWhere(filter?: MerchantFilter | null): WhereClause {
  return (qb) => {
    if (!filter) return;
    if (filter.tier?.length) qb.whereIn('t.tier', filter.tier);
    if (filter.status?.length) qb.whereIn('t.status', filter.status);
    if (filter.region?.length) qb.whereIn('t.region', filter.region);
    if (filter.mainCategory) qb.where('t.main_category', filter.mainCategory);
    if (filter.nameContains) qb.whereILike('t.name', `%${filter.nameContains.replace(/[\\%_]/g, '\\$&')}%`);
    if (filter.createdAt?.from) qb.where('t.created_at', '>=', filter.createdAt.from);
    if (filter.createdAt?.to) qb.where('t.created_at', '<', filter.createdAt.to);
  };
}

export function merchantSort(sort?: MerchantSort | null): SortSpec {
  const field = sort?.field ?? MerchantSortField.NAME;
  return { key: field, column: SORT_COLUMNS[field], direction: sort?.direction ?? SortDirection.ASC };
}
