import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_NUMBERS as DEFAULT_POLICY } from '../../../src/modules/policies/policy.defaults';
import {
  canTransitionOrder,
  defaultShipBy,
  isRemoteRegion,
  orderFactsViolations,
  transitionViolation,
  type OrderFacts,
  MAX_ORDER_FEN,
} from '../../../src/modules/orders/orders.rules';
import { contentHash } from '../../../src/shared/hash';
import { OrderStatus, Province } from '../../../src/shared/enums';

const HOUR = 3_600_000;
const now = new Date('2026-06-01T12:00:00Z');
const paid = (overrides: Partial<OrderFacts> = {}): OrderFacts => ({
  status: OrderStatus.PAID,
  paidAt: new Date(now.getTime() - 10 * HOUR),
  promoted: false,
  promotionFee: 0,
  paidAmount: 9_900,
  shippingFee: 0,
  lines: [{ quantity: 1, unitPrice: 9_900 }],
  ...overrides,
});

describe('order transitions', () => {
  it('follows the table', () => {
    expect(canTransitionOrder(OrderStatus.PAID, OrderStatus.SHIPPED)).toBe(true);
    expect(canTransitionOrder(OrderStatus.PAID, OrderStatus.DELIVERED)).toBe(false);
    expect(canTransitionOrder(OrderStatus.COMPLETED, OrderStatus.REFUNDED)).toBe(true);
    for (const to of Object.values(OrderStatus)) {
      expect(canTransitionOrder(OrderStatus.CANCELLED, to)).toBe(false);
      expect(canTransitionOrder(OrderStatus.REFUNDED, to)).toBe(false);
      expect(canTransitionOrder(to, OrderStatus.PAID)).toBe(false);
    }
  });

  it('refuses moves dated before earlier events or in the future', () => {
    const order = paid();
    expect(transitionViolation(order, OrderStatus.SHIPPED, now, now)).toBeNull();
    expect(transitionViolation(order, OrderStatus.SHIPPED, new Date(order.paidAt.getTime() - 1), now)?.field).toEqual([
      'at',
    ]);
    expect(transitionViolation(order, OrderStatus.SHIPPED, new Date(now.getTime() + HOUR), now)?.field).toEqual(['at']);
    expect(transitionViolation(order, OrderStatus.COMPLETED, now, now)?.field).toEqual(['to']);
  });
});

describe('order facts', () => {
  it('accepts a consistent paid order', () => {
    expect(orderFactsViolations(paid(), now)).toEqual([]);
  });

  it('requires the timestamps of the status and refuses later ones', () => {
    const shipped = orderFactsViolations(paid({ status: OrderStatus.SHIPPED }), now);
    expect(shipped.map((v) => v.field)).toEqual([['shippedAt']]);
    const early = orderFactsViolations(paid({ deliveredAt: now }), now);
    expect(early.map((v) => v.field)).toContainEqual(['deliveredAt']);
  });

  it('refuses events out of order, future dates, a promotion fee without promotion, empty lines', () => {
    const fields = orderFactsViolations(
      paid({
        status: OrderStatus.DELIVERED,
        shippedAt: new Date(now.getTime() - 2 * HOUR),
        deliveredAt: new Date(now.getTime() - 3 * HOUR),
        promotionFee: 500,
        lines: [],
        shipBy: new Date(now.getTime() + 48 * HOUR),
      }),
      now,
    ).map((v) => v.field.join('.'));
    expect(fields).toEqual(expect.arrayContaining(['deliveredAt', 'promotionFee', 'lines']));
    expect(
      orderFactsViolations(paid({ paidAt: new Date(now.getTime() + HOUR) }), now).map((v) => v.field),
    ).toContainEqual(['paidAt']);
    expect(
      orderFactsViolations(paid({ lines: [{ quantity: 0, unitPrice: 9_900 }] }), now).map((v) => v.field),
    ).toContainEqual(['lines', 0, 'quantity']);
  });

  it("ships by the policy's 48 hours after payment by default", () => {
    expect(DEFAULT_POLICY.shipWithinHours).toBe(48);
    const paidAt = new Date('2026-06-01T00:00:00Z');
    expect(defaultShipBy(paidAt, DEFAULT_POLICY.shipWithinHours).toISOString()).toBe('2026-06-03T00:00:00.000Z');
  });

  it('marks the six western regions as remote (电商西进)', () => {
    const remote = Object.values(Province).filter((p) => isRemoteRegion(p, DEFAULT_POLICY.remoteRegions));
    expect(remote.sort()).toEqual(['GANSU', 'INNER_MONGOLIA', 'NINGXIA', 'QINGHAI', 'TIBET', 'XINJIANG']);
  });

  it('hashes content independently of key order', () => {
    expect(contentHash({ a: 1, b: [1, { c: new Date(0) }] })).toBe(contentHash({ b: [1, { c: new Date(0) }], a: 1 }));
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
  });
});

describe('order amounts', () => {
  const fields = (overrides: Partial<OrderFacts>) =>
    orderFactsViolations(paid(overrides), now).map((v) => v.field.join('.'));
  it('a line or order above 100 million yuan is refused; paid cannot exceed the lines; discounts can', () => {
    expect(fields({ lines: [{ quantity: 1_000_000, unitPrice: 999_999_999_999_999 }] })).toContain('lines.0.unitPrice');
    expect(fields({ paidAmount: 999_999_900, lines: [{ quantity: 1, unitPrice: 30_000 }] })).toEqual(['paidAmount']);
    expect(fields({ paidAmount: 25_000, lines: [{ quantity: 1, unitPrice: 30_000 }] })).toEqual([]);
    expect(fields({ shippingFee: MAX_ORDER_FEN + 1 })).toEqual(['shippingFee']);
    expect(fields({ promoted: true, promotionFee: 10_000 })).toEqual(['promotionFee']);
  });
});
