import { describe, expect, it } from 'vitest';
import { applyPatch, diffNumbers, scheduledAfter, versionInForce } from '../../src/modules/policies/policies.rules';

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

describe('scheduled versions', () => {
  const v = (version: number, day: number, numbers: object) => ({
    version,
    effectiveFrom: new Date(Date.UTC(2030, 0, day)),
    numbers: numbers as never,
  });
  it('diffNumbers gives back the patch a version made, lists whole', () => {
    expect(diffNumbers({ a: 1, b: { c: 2, d: [1] } }, { a: 1, b: { c: 3, d: [1, 2] } })).toEqual({
      b: { c: 3, d: [1, 2] },
    });
    expect(diffNumbers({ a: 1 }, { a: 1 })).toBeUndefined();
  });
  it('scheduledAfter finds each later version in force with its own patch over its base', () => {
    const timeline = [v(1, 1, { x: 1, y: 1 }), v(2, 20, { x: 2, y: 1 }), v(3, 20, { x: 3, y: 1 })];
    expect(scheduledAfter(timeline, new Date(Date.UTC(2030, 0, 10)))).toEqual([
      { scheduled: timeline[2], patch: { x: 3 } },
    ]);
  });
});
