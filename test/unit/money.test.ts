import { describe, expect, it } from 'vitest';
import { formatYuan, parseYuan } from '../../src/shared/money';

describe('yuan ↔ fen', () => {
  it('parses decimal yuan exactly', () => {
    expect(parseYuan('128.50')).toBe(12_850);
    expect(parseYuan('128.5')).toBe(12_850);
    expect(parseYuan('0.01')).toBe(1);
    expect(parseYuan('0')).toBe(0);
    expect(parseYuan('50000')).toBe(5_000_000);
    // 0.1 + 0.2 style float error cannot happen: the digits are taken as they are.
    expect(parseYuan('0.29')).toBe(29);
  });

  it('refuses negative, non-numeric, over-precise and padded amounts', () => {
    for (const bad of ['-1', '1.234', 'abc', '', '1e3', '01', '.5', '1.', 'NaN', '١٢'])
      expect(parseYuan(bad)).toBeNull();
  });

  it('formats fen with two decimals', () => {
    expect(formatYuan(12_850)).toBe('128.50');
    expect(formatYuan(5)).toBe('0.05');
    expect(formatYuan(-1_800)).toBe('-18.00');
    expect(() => formatYuan(1.5)).toThrow(RangeError);
  });
});
