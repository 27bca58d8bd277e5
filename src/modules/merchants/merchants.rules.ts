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

const SEVERITY: Readonly<Record<MerchantStatus, number>> = { [ACTIVE]: 0, [WARNED]: 1, [RESTRICTED]: 2, [CLEARED]: 3 };

interface ChangeOfStatus {
  fromStatus?: MerchantStatus | null;
  toStatus: MerchantStatus;
  reversedAt?: Date | null;
}

/** A penalty is a move to a harsher status: a warning, a restriction, a clearance. */
export function isPenalty(change: ChangeOfStatus): boolean {
  return change.fromStatus != null && SEVERITY[change.toStatus] > SEVERITY[change.fromStatus];
}

/** Why a status change cannot be appealed (a PENALTY appeal), or null when it can. */
export function whyNotAppealable(change: ChangeOfStatus): string | null {
  if (!isPenalty(change))
    return `a change to ${change.toStatus} is no penalty: only a warning, restriction or clearance is appealed`;
  if (change.reversedAt) return `this ${change.toStatus} was already reversed on ${change.reversedAt.toISOString()}`;
  return null;
}

/**
 * What an upheld appeal against `contested` undoes, given the changes recorded after it (oldest first):
 * the contested penalty and, while the merchant stayed at least that harsh, every later penalty (a
 * restriction rests on the warning before it), restoring the status the contested change started from.
 * When the merchant was since brought below the contested status, that standing is already gone: only the
 * contested change is marked reversed and the status is left as it is.
 */
export function reversalOf<C extends ChangeOfStatus>(
  contested: C,
  later: readonly C[],
): { reversed: C[]; restore: MerchantStatus | null } {
  const floor = SEVERITY[contested.toStatus];
  if (later.some((change) => SEVERITY[change.toStatus] < floor)) return { reversed: [contested], restore: null };
  const laterPenalties = later.filter((change) => isPenalty(change) && !change.reversedAt);
  return { reversed: [contested, ...laterPenalties], restore: contested.fromStatus ?? null };
}
