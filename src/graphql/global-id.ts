import { isUuid } from '../shared/uuid';
/**
 * Opaque global ids for the Relay `Node` interface: base64url("<Type>:<uuid>"). Clients must treat
 * them as opaque; the type prefix lets `node(id:)` route and lets inputs reject an id of the wrong type.
 */

export type NodeTypeName =
  | 'Merchant'
  | 'Buyer'
  | 'Product'
  | 'Order'
  | 'LedgerTransaction'
  | 'ScoreEvent'
  | 'AfterSalesCase'
  | 'Warning'
  | 'Appeal'
  | 'MerchantStatusChangeNode';

const NODE_TYPES: readonly string[] = [
  'Merchant',
  'Buyer',
  'Product',
  'Order',
  'LedgerTransaction',
  'ScoreEvent',
  'AfterSalesCase',
  'Warning',
  'Appeal',
  'MerchantStatusChangeNode',
];

export function toGlobalId(type: NodeTypeName, id: string): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
}

export { isUuid };

/** The type and local id inside a global id, or null when it is not one of ours. */
export function fromGlobalId(globalId: string): { type: NodeTypeName; id: string } | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(globalId)) return null;
  const [type, id, ...rest] = Buffer.from(globalId, 'base64url').toString('utf8').split(':');
  if (rest.length || !id || !isUuid(id)) return null;
  if (!NODE_TYPES.includes(type as NodeTypeName)) return null;
  return { type: type as NodeTypeName, id };
}

/** The local id when `globalId` names a `type`, else null. */
export function localIdOf(type: NodeTypeName, globalId: string): string | null {
  const parsed = fromGlobalId(globalId);
  return parsed?.type === type ? parsed.id : null;
}
