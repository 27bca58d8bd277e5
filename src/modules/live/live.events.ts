import type { Tx } from '../../db/transaction';
import type { DomainEvent } from '../../shared/domain-events';
import { auditService } from '../audit/audit.service';

/** What a merchant console is told as it happens: the merchant's audit lines, as they commit. */
export enum LiveEventKind {
  WARNING_RAISED = 'WARNING_RAISED',
  CASE_OPENED = 'CASE_OPENED',
  CASE_DECISION = 'CASE_DECISION',
  CASE_RULED = 'CASE_RULED',
  APPEAL_FILED = 'APPEAL_FILED',
  APPEAL_MOVED = 'APPEAL_MOVED',
  LEDGER_POSTED = 'LEDGER_POSTED',
  SCORE_EVENT = 'SCORE_EVENT',
  STATUS_CHANGED = 'STATUS_CHANGED',
}

export interface LiveEvent {
  kind: LiveEventKind;
  merchantId: string;
  subjectType: string;
  /** Local id of what it is about. */
  subjectId: string;
  summary: string;
  actor: string;
  occurredAt: string;
}

/** The PostgreSQL channel live events travel on between replicas. */
export const LIVE_CHANNEL = 'weiquan_live';

/** NOTIFY payloads are limited to 8,000 bytes; a summary is a line, not a document. */
const MAX_SUMMARY = 500;

export function liveEventsOf(events: DomainEvent[], actor: string): LiveEvent[] {
  return events.flatMap((event) =>
    auditService.linesOf([event]).map((line) => ({
      kind:
        event.type === 'AppealMoved' && event.from === null
          ? LiveEventKind.APPEAL_FILED
          : (line.action as LiveEventKind),
      merchantId: line.merchantId,
      subjectType: line.subjectType,
      subjectId: line.subjectId,
      summary: line.cause.slice(0, MAX_SUMMARY),
      actor,
      occurredAt: line.occurredAt.toISOString(),
    })),
  );
}

/**
 * A blocking handler: NOTIFY inside the action's transaction. PostgreSQL delivers a notification only
 * when its transaction commits, so a rolled-back action is never announced, and one committed on any
 * replica reaches listeners on all of them.
 */
export async function publishLiveEvents(events: DomainEvent[], tx: Tx): Promise<void> {
  const payloads = liveEventsOf(events, tx.actor).map((event) => JSON.stringify(event));
  if (!payloads.length) return;
  await tx.em.getConnection().execute(
    // One statement for the batch: the payloads travel as one JSON array.
    'select pg_notify(?, payload) from json_array_elements_text(?::json) as payload',
    [LIVE_CHANNEL, JSON.stringify(payloads)],
    'run',
    tx.em.getTransactionContext(),
  );
}
