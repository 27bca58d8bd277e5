import { prepared } from '../../db/read-statements';
import type { Read } from '../../db/session';
import type { Row } from '../../db/tenant-db';
import type { PolicySnapshot } from './policies.rules';
import { policyNumbersSchema } from './policy.schema';

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

/**
 * Parsed versions by identity. A version is never updated or deleted (a trigger and the app role's
 * grants refuse it), so its parse is reused instead of validating the whole document on every request;
 * the publication time in the key keeps versions of different databases apart.
 */
const parsed = new Map<string, PolicySnapshot>();
const MAX_PARSED = 1_000;

export function snapshotOf(row: Row): PolicySnapshot {
  const key = `${row.version}|${String(row.published_at)}|${String(row.effective_from)}`;
  let snapshot = parsed.get(key);
  if (!snapshot) {
    snapshot = toSnapshot({
      version: row.version as number,
      effectiveFrom: new Date(row.effective_from as string),
      numbers: row.numbers,
      note: row.note as string,
      publishedBy: row.published_by as string,
      publishedAt: new Date(row.published_at as string),
    });
    if (parsed.size >= MAX_PARSED) parsed.clear();
    // Shared by every request from now on: frozen, so a caller that changed it would fail loudly.
    parsed.set(key, deepFreeze(snapshot));
  }
  return snapshot;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** Every version, oldest first, as parsed snapshots: a read to send along with others. */
const TIMELINE_SQL = 'select t.* from policy_version as t order by t.effective_from, t.version';

export const timelineRead: Read<PolicySnapshot[]> = {
  statements: [prepared(TIMELINE_SQL)()],
  parse: ([rows]) => rows.map(snapshotOf),
};
