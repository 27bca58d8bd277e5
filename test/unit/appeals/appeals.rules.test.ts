import { describe, expect, it } from 'vitest';
import { AppealChannel, AppealKind, AppealStatus } from '../../../src/modules/appeals/appeals.enums';
import {
  canMoveAppeal,
  channelOf,
  isOpenAppeal,
  missingEvidence,
  reviewDueAt,
} from '../../../src/modules/appeals/appeals.rules';
import { DEFAULT_POLICY_NUMBERS as POLICY } from '../../../src/modules/policies/policy.defaults';
import { EvidenceKind, MerchantTier } from '../../../src/shared/enums';

const HOUR = 3_600_000;

describe('appeal rules', () => {
  it('follows the transition table: evidence requests return to review; decisions and withdrawals are final', () => {
    expect(canMoveAppeal(AppealStatus.UNDER_REVIEW, AppealStatus.NEEDS_EVIDENCE)).toBe(true);
    expect(canMoveAppeal(AppealStatus.NEEDS_EVIDENCE, AppealStatus.UNDER_REVIEW)).toBe(true);
    expect(canMoveAppeal(AppealStatus.SUBMITTED, AppealStatus.UPHELD)).toBe(false);
    expect(canMoveAppeal(AppealStatus.NEEDS_EVIDENCE, AppealStatus.UPHELD)).toBe(false);
    for (const final of [AppealStatus.UPHELD, AppealStatus.REJECTED, AppealStatus.WITHDRAWN]) {
      expect(isOpenAppeal(final)).toBe(false);
    }
  });

  it(`the green channel (high repurchase, STRENGTH, SUPER_FACTORY) is due in ${POLICY.appealSla.greenChannelHours} h, others in ${POLICY.appealSla.standardHours} h`, () => {
    expect(channelOf({ tier: MerchantTier.STANDARD, highRepurchase: true })).toBe(AppealChannel.GREEN);
    expect(channelOf({ tier: MerchantTier.SUPER_FACTORY, highRepurchase: false })).toBe(AppealChannel.GREEN);
    expect(channelOf({ tier: MerchantTier.SMALL, highRepurchase: false })).toBe(AppealChannel.STANDARD);
    const at = new Date('2026-11-27T00:00:00Z');
    expect(reviewDueAt(AppealChannel.GREEN, at, POLICY).getTime() - at.getTime()).toBe(24 * HOUR);
    expect(reviewDueAt(AppealChannel.STANDARD, at, POLICY).getTime() - at.getTime()).toBe(72 * HOUR);
  });

  it('names the evidence a kind still lacks', () => {
    expect(missingEvidence(AppealKind.MALICIOUS_COMPLAINT, [EvidenceKind.DESCRIPTION], POLICY)).toEqual({
      required: [EvidenceKind.DESCRIPTION, EvidenceKind.CHAT_LOG],
      missing: [EvidenceKind.CHAT_LOG],
    });
  });
});
