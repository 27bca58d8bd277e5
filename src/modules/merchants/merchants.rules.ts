import { MerchantStatus } from '../../shared/enums';

const { ACTIVE, WARNED, RESTRICTED, CLEARED } = MerchantStatus;

/**
 * Legal status moves. Clearing is "strict and prudent": an active store is warned first and given a
 * chance to remedy; only a warned or restricted store can be cleared; a cleared store can be
 * reinstated (e.g. after a successful appeal).
 */
export const MERCHANT_STATUS_TRANSITIONS: Readonly<Record<MerchantStatus, readonly MerchantStatus[]>> = {
  [ACTIVE]: [WARNED],
  [WARNED]: [ACTIVE, RESTRICTED, CLEARED],
  [RESTRICTED]: [ACTIVE, WARNED, CLEARED],
  [CLEARED]: [ACTIVE],
};

export function canChangeMerchantStatus(from: MerchantStatus, to: MerchantStatus): boolean {
  return MERCHANT_STATUS_TRANSITIONS[from].includes(to);
}
