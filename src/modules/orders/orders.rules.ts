import { OrderStatus, type Province } from '../../shared/enums';
import { HOUR_MS, isInFuture } from '../../shared/time';

const { PAID, SHIPPED, DELIVERED, COMPLETED, CANCELLED, REFUNDED, VOIDED } = OrderStatus;

/** The order state machine as a table: from → the statuses it may move to. */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  [PAID]: [SHIPPED, CANCELLED, REFUNDED, VOIDED],
  [SHIPPED]: [DELIVERED, REFUNDED, VOIDED],
  [DELIVERED]: [COMPLETED, REFUNDED, VOIDED],
  [COMPLETED]: [REFUNDED],
  [CANCELLED]: [],
  [REFUNDED]: [],
  [VOIDED]: [],
};

export function canTransitionOrder(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

export type OrderTimestampField =
  'shippedAt' | 'deliveredAt' | 'completedAt' | 'cancelledAt' | 'refundedAt' | 'voidedAt';

/** The timestamp a status sets when an order enters it. */
export const TIMESTAMP_OF_STATUS: Readonly<Record<Exclude<OrderStatus, OrderStatus.PAID>, OrderTimestampField>> = {
  [SHIPPED]: 'shippedAt',
  [DELIVERED]: 'deliveredAt',
  [COMPLETED]: 'completedAt',
  [CANCELLED]: 'cancelledAt',
  [REFUNDED]: 'refundedAt',
  [VOIDED]: 'voidedAt',
};

/** Timestamps an ingested order must carry in each status, and those it may carry besides. */
const TIMESTAMPS_BY_STATUS: Readonly<
  Record<OrderStatus, { required: OrderTimestampField[]; optional: OrderTimestampField[] }>
> = {
  [PAID]: { required: [], optional: [] },
  [SHIPPED]: { required: ['shippedAt'], optional: [] },
  [DELIVERED]: { required: ['shippedAt', 'deliveredAt'], optional: [] },
  [COMPLETED]: { required: ['shippedAt', 'deliveredAt', 'completedAt'], optional: [] },
  [CANCELLED]: { required: ['cancelledAt'], optional: [] },
  [REFUNDED]: { required: ['refundedAt'], optional: ['shippedAt', 'deliveredAt', 'completedAt'] },
  [VOIDED]: { required: ['voidedAt'], optional: ['shippedAt', 'deliveredAt'] },
};

/** Events must follow each other in this order. */
const CHRONOLOGY: readonly ('paidAt' | OrderTimestampField)[] = ['paidAt', 'shippedAt', 'deliveredAt', 'completedAt'];

export const MAX_INGEST_BATCH = 1000;
export const MAX_LINES_PER_ORDER = 100;
export const MAX_LINE_QUANTITY = 1_000_000;
/**
 * The largest amount an order, a line or its shipping may carry: 100 million yuan. Far above any real
 * sub-order, and small enough that every sum of them stays exact in a JavaScript number.
 */
export const MAX_ORDER_FEN = 10_000_000_000;

export interface OrderFacts {
  status: OrderStatus;
  paidAt: Date;
  shipBy?: Date | null;
  promoted: boolean;
  promotionFee: number;
  paidAmount: number;
  shippingFee: number;
  lines: { quantity: number; unitPrice: number }[];
  shippedAt?: Date | null;
  deliveredAt?: Date | null;
  completedAt?: Date | null;
  cancelledAt?: Date | null;
  refundedAt?: Date | null;
  voidedAt?: Date | null;
}

export interface RuleViolation {
  field: (string | number)[];
  message: string;
}

/** Checks an order's own consistency (no database): lines, fees, and timestamps against its status. */
export function orderFactsViolations(order: OrderFacts, now: Date): RuleViolation[] {
  const violations: RuleViolation[] = [];
  if (order.lines.length === 0) violations.push({ field: ['lines'], message: 'an order needs at least one line' });
  if (order.lines.length > MAX_LINES_PER_ORDER) {
    violations.push({ field: ['lines'], message: `at most ${MAX_LINES_PER_ORDER} lines per order` });
  }
  order.lines.forEach((line, i) => {
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_LINE_QUANTITY) {
      violations.push({
        field: ['lines', i, 'quantity'],
        message: `quantity must be a whole number from 1 to ${MAX_LINE_QUANTITY}`,
      });
    }
  });
  let goods = 0;
  order.lines.forEach((line, i) => {
    const amount = line.quantity * line.unitPrice;
    if (amount > MAX_ORDER_FEN) {
      violations.push({
        field: ['lines', i, 'unitPrice'],
        message: `a line may amount to at most ${MAX_ORDER_FEN / 100} yuan`,
      });
    }
    goods += Math.min(amount, MAX_ORDER_FEN + 1);
  });
  // Paid excludes shipping and may be less than the goods (platform discounts), never more.
  if (order.lines.length && order.paidAmount > goods && goods <= MAX_ORDER_FEN) {
    violations.push({
      field: ['paidAmount'],
      message: 'paidAmount (excluding shipping) cannot exceed the sum of the lines',
    });
  }
  for (const field of ['paidAmount', 'shippingFee', 'promotionFee'] as const) {
    if (order[field] > MAX_ORDER_FEN)
      violations.push({ field: [field], message: `${field} may be at most ${MAX_ORDER_FEN / 100} yuan` });
  }
  if (order.promotionFee > order.paidAmount) {
    violations.push({ field: ['promotionFee'], message: 'the promotion fee cannot exceed the amount paid' });
  }
  if (order.promotionFee > 0 && !order.promoted) {
    violations.push({ field: ['promotionFee'], message: 'only a promoted order has a promotion fee' });
  }
  if (order.shipBy && order.shipBy < order.paidAt) {
    violations.push({ field: ['shipBy'], message: 'shipBy cannot be before paidAt' });
  }

  const { required, optional } = TIMESTAMPS_BY_STATUS[order.status];
  for (const field of Object.values(TIMESTAMP_OF_STATUS)) {
    const present = order[field] != null;
    if (required.includes(field) && !present) {
      violations.push({ field: [field], message: `a ${order.status} order needs ${field}` });
    } else if (present && !required.includes(field) && !optional.includes(field)) {
      violations.push({ field: [field], message: `a ${order.status} order cannot have ${field}` });
    }
  }
  for (const field of ['paidAt', 'shipBy', ...Object.values(TIMESTAMP_OF_STATUS)] as const) {
    const at = order[field];
    if (at && isInFuture(at, now)) violations.push({ field: [field], message: `${field} is in the future` });
  }
  let previous: { field: string; at: Date } | undefined;
  for (const field of CHRONOLOGY) {
    const at = order[field];
    if (!at) continue;
    if (previous && at < previous.at)
      violations.push({ field: [field], message: `${field} cannot be before ${previous.field}` });
    previous = { field, at };
  }
  for (const field of ['cancelledAt', 'refundedAt', 'voidedAt'] as const) {
    const at = order[field];
    if (at && at < order.paidAt) violations.push({ field: [field], message: `${field} cannot be before paidAt` });
  }
  return violations;
}

/** Checks that `to` is reachable from the order's status at time `at`. */
export function transitionViolation(
  order: Pick<OrderFacts, 'status' | 'paidAt' | 'shippedAt' | 'deliveredAt' | 'completedAt'>,
  to: OrderStatus,
  at: Date,
  now: Date,
): RuleViolation | null {
  if (!canTransitionOrder(order.status, to)) {
    const allowed = ORDER_TRANSITIONS[order.status];
    return {
      field: ['to'],
      message: `a ${order.status} order cannot become ${to}; allowed: ${allowed.length ? allowed.join(', ') : 'none (final)'}`,
    };
  }
  if (isInFuture(at, now)) return { field: ['at'], message: 'at is in the future' };
  const earlier = [order.paidAt, order.shippedAt, order.deliveredAt, order.completedAt].filter(
    (d): d is Date => d != null,
  );
  if (earlier.some((d) => at < d)) return { field: ['at'], message: "at cannot be before the order's previous events" };
  return null;
}

/** Default ship-by time: the policy's shipping window after payment (PDD: 48 h). */
export function defaultShipBy(paidAt: Date, shipWithinHours: number): Date {
  return new Date(paidAt.getTime() + shipWithinHours * HOUR_MS);
}

export function isRemoteRegion(region: Province, remoteRegions: readonly Province[]): boolean {
  return remoteRegions.includes(region);
}
