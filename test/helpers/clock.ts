import type { Clock } from '../../src/shared/time';

/** The wall clock plus an offset the test moves forward: time still flows, deadlines arrive at once. */
export class MovableClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}
