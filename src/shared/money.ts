/**
 * Money is integer fen (分, 1/100 yuan) everywhere inside the gateway. Conversions to and from the
 * decimal yuan strings of the API are exact string arithmetic, never floating point.
 */

const YUAN_PATTERN = /^(0|[1-9]\d{0,12})(?:\.(\d{1,2}))?$/;

/** Parses a non-negative yuan amount such as "128.5" into fen; null when it is not one. */
export function parseYuan(text: string): number | null {
  const match = YUAN_PATTERN.exec(text.trim());
  if (!match) return null;
  const fen = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(fen) ? fen : null;
}

/**
 * Formats fen as an exact decimal yuan string with two decimals: 12850 → "128.50". A bigint is
 * formatted exactly at any size (a product of quantity and price can pass 2^53).
 */
export function formatYuan(fen: number | bigint): string {
  if (typeof fen === 'number' && !Number.isSafeInteger(fen))
    throw new RangeError(`not an integer amount of fen: ${fen}`);
  const value = BigInt(fen);
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/** An amount as explanations and audit lines write it: 12850 → "128.50 yuan". */
export function yuanText(fen: number | bigint): string {
  return `${formatYuan(fen)} yuan`;
}
