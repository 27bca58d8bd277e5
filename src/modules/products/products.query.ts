import type { TableSpec, TenantCondition } from '../../graphql/connection';

export const PRODUCT_TABLE: TableSpec = {
  table: 'product',
  tenant: (qb, merchantId) => qb.where('t.merchant_id', merchantId),
};

/** For tenant conditions of tables keyed by a product (here and in other modules): the merchant's own products. */
export function productOfMerchant(productColumn: string): TenantCondition {
  return (qb, merchantId) =>
    qb.whereRaw(`exists (select 1 from product p where p.id = ${productColumn} and p.merchant_id = ?)`, [merchantId]);
}

export const PRODUCT_PRICE_TABLE: TableSpec = { table: 'product_price', tenant: productOfMerchant('t.product_id') };
