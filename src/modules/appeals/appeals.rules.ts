import { EvidenceKind, MerchantTier } from '../../shared/enums';
import type { PolicyNumbers } from '../policies/policy.schema';
import { AppealChannel, AppealKind, AppealStatus, AppealSubjectType } from './appeals.enums';

const HOUR = 3_600_000;

/** Where each state may go; UPHELD, REJECTED and WITHDRAWN are final. */
export const APPEAL_TRANSITIONS: Record<AppealStatus, readonly AppealStatus[]> = {
  [AppealStatus.SUBMITTED]: [AppealStatus.UNDER_REVIEW, AppealStatus.WITHDRAWN],
  [AppealStatus.UNDER_REVIEW]: [
    AppealStatus.NEEDS_EVIDENCE,
    AppealStatus.UPHELD,
    AppealStatus.REJECTED,
    AppealStatus.WITHDRAWN,
  ],
  // Unanswered by its deadline, an evidence request expires the appeal (rejected).
  [AppealStatus.NEEDS_EVIDENCE]: [AppealStatus.UNDER_REVIEW, AppealStatus.REJECTED, AppealStatus.WITHDRAWN],
  [AppealStatus.UPHELD]: [],
  [AppealStatus.REJECTED]: [],
  [AppealStatus.WITHDRAWN]: [],
};

export function canMoveAppeal(from: AppealStatus, to: AppealStatus): boolean {
  return APPEAL_TRANSITIONS[from].includes(to);
}

export function isOpenAppeal(status: AppealStatus): boolean {
  return APPEAL_TRANSITIONS[status].length > 0;
}

/** The green channel: high-repurchase shops and the STRENGTH and SUPER_FACTORY tiers. */
export function channelOf(merchant: { tier: MerchantTier; highRepurchase: boolean }): AppealChannel {
  return merchant.highRepurchase ||
    merchant.tier === MerchantTier.STRENGTH ||
    merchant.tier === MerchantTier.SUPER_FACTORY
    ? AppealChannel.GREEN
    : AppealChannel.STANDARD;
}

/** When the review is due: the channel's hours from the policy, counted from submission. */
export function reviewDueAt(channel: AppealChannel, submittedAt: Date, policy: PolicyNumbers): Date {
  const hours = channel === AppealChannel.GREEN ? policy.appealSla.greenChannelHours : policy.appealSla.standardHours;
  return new Date(submittedAt.getTime() + hours * HOUR);
}

/** The evidence an appeal of `kind` must carry, and what of it is missing. */
export function missingEvidence(kind: AppealKind, supplied: EvidenceKind[], policy: PolicyNumbers) {
  const required = policy.appeals.evidence[kind] ?? [EvidenceKind.DESCRIPTION];
  return { required, missing: required.filter((k) => !supplied.includes(k)) };
}

/**
 * A penalty (a status change) is contested by a PENALTY appeal, and a PENALTY appeal contests a
 * penalty; the other kinds contest orders, cases and score events. Null when they fit, else why not.
 */
export function kindMismatch(kind: AppealKind, subjectType: AppealSubjectType): string | null {
  const penaltyKind = kind === AppealKind.PENALTY;
  const penaltySubject = subjectType === AppealSubjectType.MERCHANT_STATUS_CHANGE;
  if (penaltyKind === penaltySubject) return null;
  return penaltyKind
    ? 'a PENALTY appeal contests a status change (subjectType MERCHANT_STATUS_CHANGE)'
    : `a status change is contested by a PENALTY appeal, not ${kind}`;
}
