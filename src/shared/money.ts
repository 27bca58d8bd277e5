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

/** Formats fen as an exact decimal yuan string with two decimals: 12850 → "128.50". */
export function formatYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`not an integer amount of fen: ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
