import { describe, expect, it } from 'vitest';
import { liveEventsOf, LiveEventKind } from '../../../src/modules/live/live.events';

const at = new Date('2026-11-27T10:00:00Z');
const appealMove = (from: string | null, to: string, reason = 'filed') => ({
  type: 'AppealMoved' as const,
  appealId: 'a1',
  merchantId: 'm1',
  from,
  to,
  reason,
  at,
});

describe('live events: what a console hears of a domain event', () => {
  it('tells a new appeal (the staff queue) from a later move of it', () => {
    const [filed, moved] = liveEventsOf([appealMove(null, 'SUBMITTED'), appealMove('SUBMITTED', 'UNDER_REVIEW')], 'x');
    expect(filed).toMatchObject({
      kind: LiveEventKind.APPEAL_FILED,
      merchantId: 'm1',
      subjectType: 'APPEAL',
      subjectId: 'a1',
    });
    expect(moved.kind).toBe(LiveEventKind.APPEAL_MOVED);
  });

  it('carries a posting to a merchant with its amount in words, and nothing for a platform-only posting', () => {
    const posting = (merchantId: string | null) => ({
      type: 'LedgerTransactionPosted' as const,
      transactionId: 't1',
      kind: 'TRANSIT_LOSS_COMPENSATION',
      amount: 1234,
      merchantId,
      orderId: null,
      reversalOfId: null,
      at: new Date('2026-12-06T00:00:00Z'),
    });
    const events = liveEventsOf([posting('m1'), posting(null)], 'FINANCE:f');
    expect(events).toEqual([
      expect.objectContaining({
        kind: LiveEventKind.LEDGER_POSTED,
        summary: 'TRANSIT_LOSS_COMPENSATION 12.34 yuan',
        actor: 'FINANCE:f',
      }),
    ]);
  });

  it('keeps a summary to 500 characters, so a notification stays far below PostgreSQL’s 8,000 bytes', () => {
    const [event] = liveEventsOf([appealMove(null, 'SUBMITTED', '很长的理由'.repeat(1000))], 'x');
    expect(event.summary).toHaveLength(500);
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThan(8000);
  });
});
