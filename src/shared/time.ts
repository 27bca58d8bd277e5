/** Clocks of the platform and the gateway differ a little; anything later than this is in the future. */
export const CLOCK_SKEW_MS = 5 * 60_000;

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export function isInFuture(at: Date, now: Date): boolean {
  return at.getTime() > now.getTime() + CLOCK_SKEW_MS;
}

/**
 * Where a mutation reads the time. The wall clock in production; tests move one forward to reach a
 * deadline (a remedy window, a review SLA) without waiting for it.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
