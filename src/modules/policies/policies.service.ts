import { runMutation } from '../../db/transaction';
import { Refused, RefusalCode, refusal } from '../../shared/refusal';
import { CLOCK_SKEW_MS } from '../../shared/time';
import { PolicyVersion } from './policy.entity';
import { applyPatch, type PolicySnapshot, scheduledAfter, versionInForce } from './policies.rules';
import { type PolicyNumbers, policyNumbersSchema } from './policy.schema';
import type { Read, ServiceContext } from '../../db/session';
import { timelineRead, toSnapshot } from './policies.snapshots';
import type { PublishPolicyInput } from './policies.types';
import { sqlRun } from '../../db/sql';

/**
 * The transaction's memo slot of the timeline: versions change only by publishing, which forgets it,
 * so a ruling's handlers (the case, the scores, each payout) read it once between them. Every scope
 * reads the same versions.
 */
const TIMELINE = 'policies.timeline';

const remembered = (ctx: ServiceContext) => ctx.memo?.get<Promise<PolicySnapshot[]>>(TIMELINE, 'all');

function rememberTimeline(ctx: ServiceContext, timeline: Promise<PolicySnapshot[]>): void {
  const { memo } = ctx;
  if (!memo) return;
  memo.set(TIMELINE, 'all', timeline, true);
  timeline.catch(() => memo.forget(TIMELINE, 'all'));
}

/** Every version, oldest first: a handful of rows, read once per request or transaction. */
function loadTimeline(ctx: ServiceContext): Promise<PolicySnapshot[]> {
  let timeline = remembered(ctx);
  if (!timeline) rememberTimeline(ctx, (timeline = readTimeline(ctx)));
  return timeline;
}

async function readTimeline(ctx: ServiceContext): Promise<PolicySnapshot[]> {
  const rows = await ctx.em.find(
    PolicyVersion,
    {},
    { orderBy: { effectiveFrom: 'asc', version: 'asc' }, disableIdentityMap: true },
  );
  return rows.map(toSnapshot);
}

/** The numbers with `changes` applied, or the refusals of what does not validate. */
function patched(base: PolicyNumbers, changes: Record<string, unknown>): PolicyNumbers {
  const parsed = policyNumbersSchema.safeParse(applyPatch(base, changes));
  if (!parsed.success) {
    throw new Refused(
      parsed.error.issues.map((issue) =>
        refusal(RefusalCode.INVALID_INPUT, issue.message, ['input', 'changes', ...issue.path.map(String)]),
      ),
    );
  }
  return parsed.data;
}

export const policiesService = {
  /** The request's view of all versions, read once. */
  timeline(ctx: ServiceContext): Promise<PolicySnapshot[]> {
    return ctx.loaders.policies.timeline.load('all');
  },

  /** For services inside a mutation's transaction. */
  timelineIn: loadTimeline,

  /**
   * The timeline as a read to send with others in a transaction's message, or null when the
   * transaction has read it already (then `timelineIn` answers without a statement).
   */
  timelineReadIn(ctx: ServiceContext): Read<PolicySnapshot[]> | null {
    if (!ctx.memo) return timelineRead;
    if (remembered(ctx)) return null;
    return {
      statements: timelineRead.statements,
      parse: (results) => {
        const timeline = timelineRead.parse(results);
        rememberTimeline(ctx, Promise.resolve(timeline));
        return timeline;
      },
    };
  },

  /** The version in force at `at`, by default the context's time (the wall clock unless a test moves it). */
  async inForce(ctx: ServiceContext, at?: Date): Promise<PolicySnapshot> {
    return versionInForce(await this.timeline(ctx), at ?? ctx.now());
  },

  async byVersion(ctx: ServiceContext, version: number): Promise<PolicySnapshot | null> {
    return (await this.timeline(ctx)).find((v) => v.version === version) ?? null;
  },

  async list(ctx: ServiceContext): Promise<PolicySnapshot[]> {
    return [...(await this.timeline(ctx))].sort((a, b) => b.version - a.version);
  },

  /**
   * A draft: the version in force now with `changes`, validated as a publish would, numbered as the
   * next version. Nothing is stored. Refuses invalid changes at their path under `input.changes`.
   */
  async draftIn(
    ctx: ServiceContext,
    changes: Record<string, unknown>,
    now: Date,
  ): Promise<{ version: number; numbers: PolicyNumbers }> {
    const timeline = await loadTimeline(ctx);
    return {
      version: Math.max(...timeline.map((v) => v.version)) + 1,
      numbers: patched(versionInForce(timeline, now).numbers, changes),
    };
  },

  publish(ctx: ServiceContext, input: PublishPolicyInput) {
    return runMutation(ctx, async (tx) => {
      const { em } = tx;
      const now = tx.now();
      const effectiveFrom = input.effectiveFrom ?? now;
      if (effectiveFrom.getTime() < now.getTime() - CLOCK_SKEW_MS) {
        throw new Refused([
          refusal(RefusalCode.INVALID_INPUT, 'a policy cannot take effect in the past', ['input', 'effectiveFrom']),
        ]);
      }
      // One publisher at a time, so version numbers are dense and the base is the latest.
      await sqlRun(em, `select pg_advisory_xact_lock(hashtext('policy_version'))`);
      // Read afresh under the lock, and forgotten: this transaction adds versions.
      const timeline = await readTimeline(tx);
      tx.memo.forget(TIMELINE, 'all');
      const base = versionInForce(timeline, effectiveFrom);
      const parsed = { data: patched(base.numbers, input.changes) };
      let version = Math.max(...timeline.map((v) => v.version));
      const policy = em.create(PolicyVersion, {
        version: ++version,
        effectiveFrom,
        numbers: parsed.data,
        note: input.note,
        publishedBy: tx.actorLabel,
      });
      // A change that takes effect before versions already scheduled must not be undone when they
      // take effect: each is published again (same time, higher version) with its own changes laid
      // over the new chain. Nothing stored is edited.
      const chain: PolicySnapshot[] = [...timeline, toSnapshot(policy)];
      for (const { scheduled, patch } of scheduledAfter(timeline, effectiveFrom)) {
        const base = versionInForce(
          chain.filter((v) => v.effectiveFrom < scheduled.effectiveFrom),
          scheduled.effectiveFrom,
        );
        const rebased = policyNumbersSchema.parse(applyPatch(base.numbers, patch));
        const copy = em.create(PolicyVersion, {
          version: ++version,
          effectiveFrom: scheduled.effectiveFrom,
          numbers: rebased,
          note: `${scheduled.note} (re-based on version ${policy.version})`,
          publishedBy: tx.actorLabel,
        });
        chain.push(toSnapshot(copy));
      }
      return { policy: toSnapshot(policy) };
    });
  },
};
