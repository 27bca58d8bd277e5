import { describe, expect, it } from 'vitest';
import { canChangeMerchantStatus, remedyWindowOpenUntil } from '../../../src/modules/merchants/merchants.rules';
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
