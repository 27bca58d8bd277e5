import type { TableSpec } from '../../graphql/connection';

export const PRODUCT_TABLE: TableSpec = { table: 'product', tenant: (qb, merchantId) => qb.where('t.merchant_id', merchantId) };

export const PRODUCT_PRICE_TABLE: TableSpec = {
  table: 'product_price',
  tenant: (qb, merchantId) =>
    qb.whereRaw('exists (select 1 from product p where p.id = t.product_id and p.merchant_id = ?)', [merchantId]),
};
