import type { ServiceContext } from '../../db/session';
import { randomUUID } from 'node:crypto';
import type { RequiredEntityData } from '@mikro-orm/core';
import { preparedInsert } from '../../db/sql';
import { nextStamp } from '../../db/stamps';
import { yuanText } from '../../shared/money';
import { canReachMerchant } from '../../db/tenant-scope';
import { asPlatform, type Tx } from '../../db/transaction';
import { countAsked, type Page } from '../../graphql/connection';
import { AUDIT_TABLE, type AuditLogArgs } from './audit.loaders';
import type { DomainEvent } from '../../shared/domain-events';
import { AuditEntry } from './audit.entity';
import { AuditAction, AuditSubjectType } from './audit.enums';
import { ASKS_ALL, type ConnectionAsk } from '../../graphql/selection';

export interface AuditLine {
  merchantId: string;
  action: AuditAction;
  subjectType: AuditSubjectType;
  subjectId: string;
  cause: string;
  policyVersion?: number | null;
  occurredAt: Date;
}

/** The audit line of an event on a merchant's account, or null for events that are not about one. */
function entryOf(event: DomainEvent): AuditLine | null {
  switch (event.type) {
    case 'AfterSalesCaseOpened':
      return {
        merchantId: event.merchantId,
        action: AuditAction.CASE_OPENED,
        subjectType: AuditSubjectType.AFTER_SALES_CASE,
        subjectId: event.caseId,
        cause: event.refundOnly ? 'refund-only case opened' : 'after-sales case opened',
        occurredAt: event.openedAt,
      };
    case 'AfterSalesCaseDecided':
      return {
        merchantId: event.merchantId,
        action: AuditAction.CASE_DECISION,
        subjectType: AuditSubjectType.AFTER_SALES_CASE,
        subjectId: event.caseId,
        cause: `intervention decision: ${event.outcome}`,
        policyVersion: event.policyVersion,
        occurredAt: event.at,
      };
    case 'AfterSalesCaseRuled':
      return {
        merchantId: event.merchantId,
        action: AuditAction.CASE_RULED,
        subjectType: AuditSubjectType.AFTER_SALES_CASE,
        subjectId: event.caseId,
        cause: `ruled ${event.ruling}, refund ${yuanText(event.refundAmount)}${event.merchantAtFault ? ', merchant at fault' : ''}`,
        occurredAt: event.ruledAt,
      };
    case 'ForceMajeureReported':
      return {
        merchantId: event.merchantId,
        action: AuditAction.FORCE_MAJEURE_REPORTED,
        subjectType: AuditSubjectType.MERCHANT,
        subjectId: event.merchantId,
        cause:
          `force majeure in ${event.region} from ${event.startsAt.toISOString()} to ` +
          `${event.endsAt.toISOString()}: ${event.reason}`,
        policyVersion: null,
        occurredAt: event.at,
      };
    case 'AppealMoved':
      return {
        merchantId: event.merchantId,
        action: AuditAction.APPEAL_MOVED,
        subjectType: AuditSubjectType.APPEAL,
        subjectId: event.appealId,
        cause: `${event.from ?? 'new'} → ${event.to}: ${event.reason}`,
        policyVersion: event.policyVersion ?? null,
        occurredAt: event.at,
      };
    case 'LedgerTransactionPosted':
      return event.merchantId
        ? {
            merchantId: event.merchantId,
            action: AuditAction.LEDGER_POSTED,
            subjectType: AuditSubjectType.LEDGER_TRANSACTION,
            subjectId: event.transactionId,
            cause: `${event.kind} ${yuanText(event.amount)}${event.reversalOfId ? ' (reversal)' : ''}`,
            occurredAt: event.at,
          }
        : null;
    case 'ScoreEventRecorded':
      return event.merchantId
        ? {
            merchantId: event.merchantId,
            action: AuditAction.SCORE_EVENT,
            subjectType: AuditSubjectType.SCORE_EVENT,
            subjectId: event.eventId,
            cause: event.factor,
            occurredAt: event.occurredAt,
          }
        : null;
    case 'MerchantStatusChanged':
      return {
        merchantId: event.merchantId,
        action: AuditAction.STATUS_CHANGED,
        subjectType: AuditSubjectType.MERCHANT_STATUS_CHANGE,
        subjectId: event.changeId,
        cause: `${event.from} → ${event.to}: ${event.reason}`,
        occurredAt: event.at,
      };
    case 'ProductPriceHeld':
      return {
        merchantId: event.merchantId,
        action: AuditAction.WARNING_RAISED,
        subjectType: AuditSubjectType.WARNING,
        subjectId: event.warningId,
        cause: `low price ${yuanText(event.heldPrice)} held (median ${yuanText(event.medianPrice)})`,
        policyVersion: event.policyVersion,
        occurredAt: event.at,
      };
    case 'OrderFlaggedAbnormal':
      return {
        merchantId: event.merchantId,
        action: AuditAction.WARNING_RAISED,
        subjectType: AuditSubjectType.WARNING,
        subjectId: event.warningId,
        cause: `abnormal order: ${event.reasons.join('; ')}`,
        occurredAt: event.at,
      };
    default:
      return null;
  }
}

/** The event types that leave a line in a merchant's audit log. */
export const AUDITED_EVENTS = [
  'AfterSalesCaseOpened',
  'AfterSalesCaseDecided',
  'AfterSalesCaseRuled',
  'AppealMoved',
  'ForceMajeureReported',
  'LedgerTransactionPosted',
  'ScoreEventRecorded',
  'MerchantStatusChanged',
  'ProductPriceHeld',
  'OrderFlaggedAbnormal',
] as const;

/** The line each event was recorded as, for the live feed, which announces those very lines. */
const recorded = new WeakMap<DomainEvent, AuditEntry>();

type AuditRow = RequiredEntityData<AuditEntry>;
const merchantOf = (row: AuditRow) => row.merchant as string;

/** Each transaction's lines, in the order recorded, until it commits. */
const unwritten = new WeakMap<object, AuditRow[]>();

/**
 * The transaction's lines in one insert, last before commit, in the transaction's own scope; lines
 * that scope may not write (another merchant's, recorded while the platform acted for a merchant's
 * mutation) in a second insert in the platform's scope.
 */
async function writeLines(tx: Tx, rows: AuditRow[]): Promise<void> {
  const insert = (lines: AuditRow[]) => preparedInsert(tx.em, AuditEntry, lines);
  const own = rows.filter((row) => canReachMerchant(tx.scope, merchantOf(row)));
  const others = rows.filter((row) => !canReachMerchant(tx.scope, merchantOf(row)));
  if (own.length) tx.write(insert(own));
  if (others.length) await asPlatform(tx, async (platformTx) => platformTx.write(insert(others)));
}

export const auditService = {
  /**
   * A blocking handler: the events' lines, written in the transaction that emitted them, in one
   * insert last before it commits. Nothing in a transaction reads its own lines back.
   */
  async record(tx: Tx, events: DomainEvent[]): Promise<void> {
    const rows = events.flatMap((event): AuditRow[] => {
      const line = entryOf(event);
      if (!line) return [];
      const { merchantId, ...rest } = line;
      const createdAt = nextStamp();
      const row = {
        ...rest,
        id: randomUUID(),
        merchant: merchantId,
        actor: tx.actorLabel,
        createdAt,
        updatedAt: createdAt,
      };
      recorded.set(event, tx.em.create(AuditEntry, row, { persist: false }));
      return [row];
    });
    // What the emitting service changed is written now, before its consequences' own writes.
    await tx.em.flush();
    if (!rows.length) return;
    const lines = unwritten.get(tx.em);
    if (lines) return void lines.push(...rows);
    unwritten.set(tx.em, rows);
    tx.beforeCommit('audit-log', (outer) => {
      unwritten.delete(tx.em);
      return writeLines(outer, rows);
    });
  },

  /** The audit entry `record` wrote for an event in this transaction, if it is about a merchant. */
  recordedEntryOf(event: DomainEvent): AuditEntry | undefined {
    return recorded.get(event);
  },

  /**
   * The lines recorded after a position of the log, oldest first, at most `limit`: what a console
   * missed while it was away. One merchant's, or every merchant's the actor may read.
   */
  after(
    ctx: ServiceContext,
    position: { recordedAt: string; id: string },
    filter: { merchantId: string | null; actions: string[] | null },
    limit: number,
  ): Promise<AuditEntry[]> {
    const db = ctx.db;
    const qb = db.scoped(db.knex()('audit_entry as t'), AUDIT_TABLE.tenant).select('t.*');
    qb.whereRaw('(t.created_at, t.id) > (?::timestamptz, ?::uuid)', [position.recordedAt, position.id]);
    if (filter.merchantId) qb.where('t.merchant_id', filter.merchantId);
    if (filter.actions) qb.whereIn('t.action', filter.actions);
    qb.orderBy([{ column: 't.created_at' }, { column: 't.id' }]).limit(limit);
    return db.read(async (run) => (await run(qb)).map((row) => db.map(AuditEntry, row)));
  },

  /** What the events say about merchants' accounts, as audit lines (for the live feed, which streams them). */
  linesOf(events: DomainEvent[]): AuditLine[] {
    return events.flatMap((event) => entryOf(event) ?? []);
  },

  ofMerchant(
    ctx: ServiceContext,
    merchantId: string,
    args: AuditLogArgs,
    asked: ConnectionAsk = ASKS_ALL,
  ): Promise<Page<AuditEntry>> {
    return ctx.loaders.audit.byMerchant.load({ parentId: merchantId, args, ...countAsked(asked) });
  },
};
