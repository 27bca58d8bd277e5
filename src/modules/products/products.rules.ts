/** The median of prices (fen), rounded down; null without prices. */
export function medianPrice(prices: number[]): number | null {
  if (!prices.length) return null;
  const sorted = [...prices].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : Math.floor((sorted[middle - 1] + sorted[middle]) / 2);
}

/**
 * Whether a new price is a low-price risk: below `belowMedianBp` of the median, compared exactly in
 * integers (49% of a 100-yuan median is below 50%; 50% is not).
 */
export function isLowPrice(price: number, median: number | null, belowMedianBp: number): boolean {
  return median !== null && median > 0 && price * 10_000 < median * belowMedianBp;
}
