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
