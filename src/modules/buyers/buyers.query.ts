import type { TableSpec } from '../../graphql/connection';
import { boughtFromMerchant } from '../orders/orders.query';

/** A merchant sees a buyer only through an order the buyer placed with it. */
export const BUYER_TABLE: TableSpec = { table: 'buyer', tenant: boughtFromMerchant('t.id') };
