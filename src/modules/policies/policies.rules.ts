import type { PolicyNumbers } from './policy.schema';

/** A published version as services use it: plain data, its numbers read with the current schema. */
export interface PolicySnapshot {
  version: number;
  effectiveFrom: Date;
  numbers: PolicyNumbers;
  note: string;
  publishedBy: string;
  publishedAt: Date;
}

/** The version in force at `at`: the latest to take effect at or before it (the higher version on a tie). */
export function versionInForce<T extends Pick<PolicySnapshot, 'version' | 'effectiveFrom'>>(
  timeline: readonly T[],
  at: Date,
): T {
  const inForce = timeline
    .filter((entry) => entry.effectiveFrom <= at)
    .sort((x, y) => x.effectiveFrom.getTime() - y.effectiveFrom.getTime() || x.version - y.version)
    .at(-1);
  if (!inForce) throw new Error(`no policy version in force at ${at.toISOString()}`);
  return inForce;
}

/** The numbers of a new version: the previous ones with `patch` laid over (lists are replaced whole). */
export function applyPatch<T>(base: T, patch: unknown): unknown {
  if (
    patch === null ||
    typeof patch !== 'object' ||
    Array.isArray(patch) ||
    base === null ||
    typeof base !== 'object' ||
    Array.isArray(base)
  ) {
    return patch === undefined ? base : patch;
  }
  const merged: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch))
    merged[key] = applyPatch((base as Record<string, unknown>)[key], value);
  return merged;
}

/** What `changed` sets differently from `base`, as a patch `applyPatch` lays back (lists whole). */
export function diffNumbers(base: unknown, changed: unknown): unknown {
  const isRecord = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isRecord(base) || !isRecord(changed))
    return JSON.stringify(base) === JSON.stringify(changed) ? undefined : changed;
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(changed)) {
    const sub = diffNumbers(base[key], value);
    if (sub !== undefined) patch[key] = sub;
  }
  return Object.keys(patch).length ? patch : undefined;
}

/**
 * Versions scheduled after `at` that a version taking effect at `at` must carry forward: for each
 * later effective time, the version then in force, with the patch it made over its own base (the
 * version in force at its time among those published before it).
 */
export function scheduledAfter<T extends Pick<PolicySnapshot, 'version' | 'effectiveFrom' | 'numbers'>>(
  timeline: readonly T[],
  at: Date,
): { scheduled: T; patch: unknown }[] {
  const times = [...new Set(timeline.filter((v) => v.effectiveFrom > at).map((v) => v.effectiveFrom.getTime()))].sort(
    (a, b) => a - b,
  );
  return times.map((time) => {
    const scheduled = versionInForce(timeline, new Date(time));
    const base = versionInForce(
      timeline.filter((v) => v.version < scheduled.version),
      scheduled.effectiveFrom,
    );
    return { scheduled, patch: diffNumbers(base.numbers, scheduled.numbers) ?? {} };
  });
}
