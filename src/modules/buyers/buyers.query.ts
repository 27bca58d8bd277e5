import type { TableSpec } from '../../graphql/connection';

/** A merchant sees a buyer only through an order the buyer placed with it. */
export const BUYER_TABLE: TableSpec = {
  table: 'buyer',
  tenant: (qb, merchantId) =>
    qb.whereRaw('exists (select 1 from "order" o where o.buyer_id = t.id and o.merchant_id = ?)', [merchantId]),
};
