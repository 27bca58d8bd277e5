import { describe, expect, it } from 'vitest';
import { applyPatch, versionInForce } from '../../src/modules/policies/policies.rules';

describe('policy rules', () => {
  const at = (iso: string) => new Date(iso);
  const timeline = [
    { version: 1, effectiveFrom: at('1970-01-01T00:00:00Z') },
    { version: 2, effectiveFrom: at('2026-06-01T00:00:00Z') },
    { version: 3, effectiveFrom: at('2026-06-01T00:00:00Z') },
    { version: 4, effectiveFrom: at('2027-01-01T00:00:00Z') },
  ];

  it('the version in force is the latest to take effect, the higher one on a tie', () => {
    expect(versionInForce(timeline, at('2026-05-31T23:59:59Z')).version).toBe(1);
    expect(versionInForce(timeline, at('2026-06-01T00:00:00Z')).version).toBe(3);
    expect(versionInForce(timeline, at('2027-06-01T00:00:00Z')).version).toBe(4);
    expect(() => versionInForce(timeline.slice(1), at('2020-01-01T00:00:00Z'))).toThrow(/no policy version/);
  });

  it('patches merge objects deeply and replace lists whole', () => {
    const base = { a: 1, nested: { b: 2, c: 3 }, list: [1, 2] };
    expect(applyPatch(base, { nested: { c: 4 }, list: [9] })).toEqual({ a: 1, nested: { b: 2, c: 4 }, list: [9] });
    expect(applyPatch(base, {})).toEqual(base);
  });
});
