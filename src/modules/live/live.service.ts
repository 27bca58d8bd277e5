import type { ServiceContext } from '../../db/session';
import { isUuid } from '../../shared/uuid';
import { GraphQLError } from 'graphql';
import { auditService } from '../audit/audit.service';
import type { AuditAction, AuditSubjectType } from '../audit/audit.enums';
import { type LiveEvent, liveEventOf } from './live.events';
import type { LiveFilter, LiveHub } from './live.hub';

type AuditEntry = Awaited<ReturnType<typeof auditService.after>>[number];

/** The most missed events a reconnecting console is sent; further behind, it refetches instead. */
export const MAX_RESUMED_EVENTS = 1_000;

interface Position {
  recordedAt: string;
  id: string;
}

/** An event's place in the audit log, as the opaque cursor a console resumes from. */
export function eventCursor(event: Pick<LiveEvent, 'recordedAt' | 'id'>): string {
  return Buffer.from(JSON.stringify([event.recordedAt, event.id]), 'utf8').toString('base64url');
}

function positionOf(cursor: string): Position {
  try {
    const [recordedAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof recordedAt === 'string' && !Number.isNaN(Date.parse(recordedAt)) && isUuid(id))
      return { recordedAt: new Date(recordedAt).toISOString(), id };
  } catch {
    // refused below
  }
  throw new GraphQLError('`after` is not the cursor of a merchant event', {
    extensions: { code: 'BAD_USER_INPUT', field: ['after'] },
  });
}

const isAfter = (event: Position, position: Position) =>
  event.recordedAt > position.recordedAt || (event.recordedAt === position.recordedAt && event.id > position.id);

/** An audit line as the live feed announced it. */
function eventOf(entry: AuditEntry): LiveEvent {
  const { subjectId, cause, occurredAt } = entry;
  const line = {
    merchantId: entry.merchant.id,
    action: entry.action as AuditAction,
    subjectType: entry.subjectType as AuditSubjectType,
    subjectId,
    cause,
    occurredAt,
  };
  return liveEventOf(line, entry.actor, entry);
}

/** What was missed, then the live events from the point the backlog ends, without a gap or a repeat. */
class ResumedStream implements AsyncIterableIterator<LiveEvent> {
  constructor(
    private readonly backlog: LiveEvent[],
    private readonly live: AsyncIterableIterator<LiveEvent>,
    private readonly seenUpTo: Position,
  ) {}

  async next(): Promise<IteratorResult<LiveEvent>> {
    const missed = this.backlog.shift();
    if (missed) return { value: missed, done: false };
    for (;;) {
      const result = await this.live.next();
      if (result.done || isAfter(result.value, this.seenUpTo)) return result;
    }
  }

  return(): Promise<IteratorResult<LiveEvent>> {
    this.backlog.length = 0;
    return this.live.return!();
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

export const liveService = {
  /**
   * The events matching `filter` from now on, or, given the cursor of the last event a console saw,
   * first every event it missed since (read from the audit log, which holds the same lines). The live
   * subscription is opened before the log is read, so nothing committed in between is lost.
   */
  async subscribe(
    ctx: ServiceContext,
    hub: LiveHub,
    filter: LiveFilter,
    after?: string | null,
  ): Promise<AsyncIterableIterator<LiveEvent>> {
    if (!after) return hub.subscribe(filter);
    const position = positionOf(after);
    const live = hub.subscribe(filter);
    const lines = await auditService.after(
      ctx,
      position,
      { merchantId: filter.merchantId, actions: null },
      MAX_RESUMED_EVENTS + 1,
    );
    if (lines.length > MAX_RESUMED_EVENTS) {
      await live.return!();
      throw new GraphQLError(
        `more than ${MAX_RESUMED_EVENTS} events since that cursor: refetch, then subscribe without \`after\``,
        { extensions: { code: 'SLOW_CONSUMER' } },
      );
    }
    const backlog = lines.map(eventOf).filter((event) => !filter.kinds || filter.kinds.has(event.kind));
    const last = lines.at(-1);
    return new ResumedStream(
      backlog,
      live,
      last ? { recordedAt: last.createdAt.toISOString(), id: last.id } : position,
    );
  },
};
