import type { EntityManager } from '@mikro-orm/postgresql';
import { runMutation, type Session } from '../../db/transaction';
import { Refused, RefusalCode, refusal } from '../../shared/refusal';
import type { RequestContext } from '../../server/context';
import { CLOCK_SKEW_MS } from '../../shared/time';
import { PolicyVersion } from './policy.entity';
import { applyPatch, type PolicySnapshot, versionInForce } from './policies.rules';
import { policyNumbersSchema } from './policy.schema';
import type { PublishPolicyInput } from './policies.types';
import { sqlRun } from '../../db/sql';

/** Every version, oldest first: a handful of rows, read once per request or transaction. */
async function loadTimeline(em: EntityManager): Promise<PolicySnapshot[]> {
  const rows = await em.find(
    PolicyVersion,
    {},
    { orderBy: { effectiveFrom: 'asc', version: 'asc' }, disableIdentityMap: true },
  );
  return rows.map(toSnapshot);
}

/**
 * Versions are read through the current schema, so one stored before a section was added reads that
 * section's defaults. Snapshots are plain data: nothing can write a version back.
 */
export function toSnapshot(
  row: Pick<PolicySnapshot, 'version' | 'effectiveFrom' | 'note' | 'publishedBy' | 'publishedAt'> & {
    numbers: unknown;
  },
): PolicySnapshot {
  const { version, effectiveFrom, note, publishedBy, publishedAt } = row;
  return { version, effectiveFrom, note, publishedBy, publishedAt, numbers: policyNumbersSchema.parse(row.numbers) };
}

export const policiesService = {
  /** The request's view of all versions, read once. */
  timeline(ctx: RequestContext): Promise<PolicySnapshot[]> {
    return ctx.loaders.policies.timeline.load('all');
  },

  /** For services inside a mutation's transaction. */
  timelineIn: loadTimeline,

  async inForce(ctx: RequestContext, at = new Date()): Promise<PolicySnapshot> {
    return versionInForce(await this.timeline(ctx), at);
  },

  async byVersion(ctx: RequestContext, version: number): Promise<PolicySnapshot | null> {
    return (await this.timeline(ctx)).find((v) => v.version === version) ?? null;
  },

  async list(ctx: RequestContext): Promise<PolicySnapshot[]> {
    return [...(await this.timeline(ctx))].sort((a, b) => b.version - a.version);
  },

  publish(session: Session, input: PublishPolicyInput) {
    return runMutation(session, async ({ em, actor }) => {
      const now = new Date();
      const effectiveFrom = input.effectiveFrom ?? now;
      if (effectiveFrom.getTime() < now.getTime() - CLOCK_SKEW_MS) {
        throw new Refused([
          refusal(RefusalCode.INVALID_INPUT, 'a policy cannot take effect in the past', ['input', 'effectiveFrom']),
        ]);
      }
      // One publisher at a time, so version numbers are dense and the base is the latest.
      await sqlRun(em, `select pg_advisory_xact_lock(hashtext('policy_version'))`);
      const timeline = await loadTimeline(em);
      const base = versionInForce(timeline, effectiveFrom);
      const parsed = policyNumbersSchema.safeParse(applyPatch(base.numbers, input.changes));
      if (!parsed.success) {
        throw new Refused(
          parsed.error.issues.map((issue) =>
            refusal(RefusalCode.INVALID_INPUT, issue.message, ['input', 'changes', ...issue.path.map(String)]),
          ),
        );
      }
      const policy = em.create(PolicyVersion, {
        version: Math.max(...timeline.map((v) => v.version)) + 1,
        effectiveFrom,
        numbers: parsed.data,
        note: input.note,
        publishedBy: actor,
      });
      return { policy: toSnapshot(policy) };
    });
  },
};
