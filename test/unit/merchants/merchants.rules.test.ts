import { describe, expect, it } from 'vitest';
import { canChangeMerchantStatus } from '../../../src/modules/merchants/merchants.rules';
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
