import { describe, expect, it } from 'vitest';
import {
  canChangeMerchantStatus,
  remedyWindowOpenUntil,
  reversalOf,
  whyNotAppealable,
} from '../../../src/modules/merchants/merchants.rules';
import { MerchantStatus } from '../../../src/shared/enums';

const { ACTIVE, WARNED, RESTRICTED, CLEARED } = MerchantStatus;

describe('merchant status transitions', () => {
  it('warns before clearing: an active store cannot be cleared or restricted directly', () => {
    expect(canChangeMerchantStatus(ACTIVE, CLEARED)).toBe(false);
    expect(canChangeMerchantStatus(ACTIVE, RESTRICTED)).toBe(false);
    expect(canChangeMerchantStatus(ACTIVE, WARNED)).toBe(true);
    expect(canChangeMerchantStatus(WARNED, CLEARED)).toBe(true);
  });

  it('lets a warned store remedy and a cleared store be reinstated', () => {
    expect(canChangeMerchantStatus(WARNED, ACTIVE)).toBe(true);
    expect(canChangeMerchantStatus(CLEARED, ACTIVE)).toBe(true);
    expect(canChangeMerchantStatus(CLEARED, WARNED)).toBe(false);
  });
});

describe('remedy window', () => {
  const warnedAt = new Date('2026-11-01T00:00:00Z');
  const day = 86_400_000;
  it('keeps RESTRICTED and CLEARED closed for 7 days after the warning, and says until when', () => {
    const at = (days: number) => new Date(warnedAt.getTime() + days * day);
    expect(remedyWindowOpenUntil(MerchantStatus.CLEARED, warnedAt, at(6.99), 7)).toEqual(at(7));
    expect(remedyWindowOpenUntil(MerchantStatus.RESTRICTED, warnedAt, at(0), 7)).toEqual(at(7));
    expect(remedyWindowOpenUntil(MerchantStatus.CLEARED, warnedAt, at(7), 7)).toBeNull();
    expect(remedyWindowOpenUntil(MerchantStatus.ACTIVE, warnedAt, at(0), 7)).toBeNull();
  });
});

describe('penalties on appeal', () => {
  const change = (fromStatus: MerchantStatus | null, toStatus: MerchantStatus, reversedAt: Date | null = null) => ({
    fromStatus,
    toStatus,
    reversedAt,
  });

  it('only a standing move to a harsher status is appealable', () => {
    expect(whyNotAppealable(change(ACTIVE, WARNED))).toBeNull();
    expect(whyNotAppealable(change(RESTRICTED, CLEARED))).toBeNull();
    expect(whyNotAppealable(change(WARNED, ACTIVE))).toContain('no penalty');
    expect(whyNotAppealable(change(RESTRICTED, WARNED))).toContain('no penalty');
    expect(whyNotAppealable(change(null, ACTIVE))).toContain('no penalty');
    expect(whyNotAppealable(change(ACTIVE, WARNED, new Date(0)))).toContain('already reversed');
  });

  it('reverses the later penalties resting on the contested one, unless the merchant was brought below it since', () => {
    const warning = change(ACTIVE, WARNED);
    const restriction = change(WARNED, RESTRICTED);
    const clearance = change(RESTRICTED, CLEARED);
    expect(reversalOf(warning, [restriction, clearance])).toEqual({
      reversed: [warning, restriction, clearance],
      restore: ACTIVE,
    });
    expect(reversalOf(restriction, [clearance])).toEqual({ reversed: [restriction, clearance], restore: WARNED });
    const eased = change(RESTRICTED, WARNED);
    expect(reversalOf(restriction, [eased])).toEqual({ reversed: [restriction], restore: null });
    const reinstated = change(WARNED, ACTIVE);
    const warnedAgain = change(ACTIVE, WARNED);
    expect(reversalOf(warning, [reinstated, warnedAgain])).toEqual({ reversed: [warning], restore: null });
  });
});
