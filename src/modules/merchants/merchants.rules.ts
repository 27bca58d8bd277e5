import { MerchantStatus } from '../../shared/enums';
import { DAY_MS } from '../../shared/time';

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

/**
 * Clearing is prudent: a restriction or clearance only once the remedy window after the latest
 * warning has passed. Returns when the window ends while it is still open, otherwise null.
 */
export function remedyWindowOpenUntil(
  to: MerchantStatus,
  warnedAt: Date | null,
  now: Date,
  remedyWindowDays: number,
): Date | null {
  if (to !== RESTRICTED && to !== CLEARED) return null;
  if (!warnedAt) return null; // no warning on record (imported standing): the transition table decides
  const until = new Date(warnedAt.getTime() + remedyWindowDays * DAY_MS);
  return now < until ? until : null;
}
