import { escapeLiteral } from 'pg';
import { prepared } from '../../db/read-statements';
import type { Tx } from '../../db/transaction';
import type { DomainEvent } from '../../shared/domain-events';
import { AuditAction } from '../audit/audit.enums';
import { type AuditLine, auditService } from '../audit/audit.service';

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
  FORCE_MAJEURE_REPORTED = 'FORCE_MAJEURE_REPORTED',
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
  /** The audit line it announces: its id and recording time, the position a console resumes from. */
  id: string;
  recordedAt: string;
}

/** The PostgreSQL channel live events travel on between replicas. */
export const LIVE_CHANNEL = 'weiquan_live';

/** A transaction's live events, one notification per merchant's batch (a JSON array of their texts). */
const NOTIFY = prepared(
  `select pg_notify(${escapeLiteral(LIVE_CHANNEL)}, payload) from json_array_elements_text($1::json) as payload`,
);

/** NOTIFY payloads are limited to 8,000 bytes; a summary is a line, not a document. */
const MAX_SUMMARY = 500;

/** An audit line as the live feed announces it; an appeal's first move is its filing (the staff queue). */
export function liveEventOf(
  line: Pick<AuditLine, 'merchantId' | 'action' | 'subjectType' | 'subjectId' | 'cause' | 'occurredAt'>,
  actor: string,
  recorded?: { id: string; createdAt: Date },
): LiveEvent {
  const filed = line.action === AuditAction.APPEAL_MOVED && line.cause.startsWith('new →');
  return {
    kind: filed ? LiveEventKind.APPEAL_FILED : LiveEventKind[line.action],
    merchantId: line.merchantId,
    subjectType: line.subjectType,
    subjectId: line.subjectId,
    summary: line.cause.slice(0, MAX_SUMMARY),
    actor,
    occurredAt: line.occurredAt.toISOString(),
    id: recorded?.id ?? '',
    recordedAt: recorded?.createdAt.toISOString() ?? '',
  };
}

export function liveEventsOf(events: DomainEvent[], actor: string): LiveEvent[] {
  return events.flatMap((event) =>
    auditService.linesOf([event]).map((line) => liveEventOf(line, actor, auditService.recordedEntryOf(event))),
  );
}

/** Under PostgreSQL's 8,000-byte limit of a NOTIFY payload, with room for the envelope. */
export const MAX_PAYLOAD_BYTES = 7_500;

type CompactEvent = [LiveEventKind, string, string, string, string, string, string, string];

/**
 * A transaction's events as NOTIFY payloads: one per merchant, holding all its events in order as
 * compact rows, split only where a payload would pass the size limit. A 1,000-order ingest is then a
 * few dozen notifications, not thousands.
 */
export function encodeBatches(events: LiveEvent[]): string[] {
  const byMerchant = new Map<string, LiveEvent[]>();
  for (const event of events) byMerchant.set(event.merchantId, [...(byMerchant.get(event.merchantId) ?? []), event]);
  const payloads: string[] = [];
  for (const [merchantId, own] of byMerchant) {
    let rows: string[] = [];
    let bytes = 0;
    const flush = () => {
      if (rows.length) payloads.push(`{"m":${JSON.stringify(merchantId)},"e":[${rows.join(',')}]}`);
      rows = [];
      bytes = 0;
    };
    for (const event of own) {
      const compact: CompactEvent = [
        event.kind,
        event.subjectType,
        event.subjectId,
        event.summary,
        event.actor,
        event.occurredAt,
        event.recordedAt,
        event.id,
      ];
      const row = JSON.stringify(compact);
      const size = Buffer.byteLength(row) + 1;
      if (bytes + size > MAX_PAYLOAD_BYTES - 100) flush();
      rows.push(row);
      bytes += size;
    }
    flush();
  }
  return payloads;
}

/** The events of one payload, in order. */
export function decodeBatch(payload: { m: string; e: CompactEvent[] }): LiveEvent[] {
  return payload.e.map(([kind, subjectType, subjectId, summary, actor, occurredAt, recordedAt, id]) => ({
    kind,
    merchantId: payload.m,
    subjectType,
    subjectId,
    summary,
    actor,
    occurredAt,
    recordedAt,
    id,
  }));
}

/** Each transaction's events waiting for its end. */
const pending = new WeakMap<object, LiveEvent[]>();

/**
 * A blocking handler: the events join their transaction's batch, sent last in the transaction as one
 * statement of NOTIFYs (one per merchant). PostgreSQL delivers a notification only when its
 * transaction commits, so a rolled-back action is never announced, and one committed on any replica
 * reaches listeners on all of them.
 */
export async function publishLiveEvents(tx: Tx, events: DomainEvent[]): Promise<void> {
  const live = liveEventsOf(events, tx.actorLabel);
  if (!live.length) return;
  const batch = pending.get(tx.em) ?? [];
  if (!batch.length) pending.set(tx.em, batch);
  batch.push(...live);
  tx.beforeCommit('live-feed', async () => {
    pending.delete(tx.em);
    tx.write(NOTIFY(JSON.stringify(encodeBatches(batch))));
  });
}
