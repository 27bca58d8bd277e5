/**
 * Expected failures as plain domain values: a service refuses input with a code, a message and the
 * path of the offending field. The GraphQL layer shows them as `UserError`s; the CLI and jobs read
 * them as they are.
 */

export enum RefusalCode {
  INVALID_ID = 'INVALID_ID',
  NOT_FOUND = 'NOT_FOUND',
  INVALID_INPUT = 'INVALID_INPUT',
  BATCH_EMPTY = 'BATCH_EMPTY',
  BATCH_TOO_LARGE = 'BATCH_TOO_LARGE',
  DUPLICATE_CONFLICT = 'DUPLICATE_CONFLICT',
  ILLEGAL_TRANSITION = 'ILLEGAL_TRANSITION',
  NOT_ELIGIBLE = 'NOT_ELIGIBLE',
  CAP_EXCEEDED = 'CAP_EXCEEDED',
  BUDGET_EXHAUSTED = 'BUDGET_EXHAUSTED',
  IDEMPOTENCY_CONFLICT = 'IDEMPOTENCY_CONFLICT',
  ALREADY_REVERSED = 'ALREADY_REVERSED',
  /** A second open item where one may be open at a time (an after-sales case of a type on an order). */
  ALREADY_OPEN = 'ALREADY_OPEN',
  /** The actor tried to act as another party (a merchant writing as the buyer). */
  FORBIDDEN_PARTY = 'FORBIDDEN_PARTY',
}

export interface Refusal {
  code: RefusalCode;
  message: string;
  /** Path to the offending input field, e.g. ["input", "3", "buyerId"]. */
  field: string[] | null;
}

export function refusal(code: RefusalCode, message: string, field?: (string | number)[]): Refusal {
  return { code, message, field: field?.map(String) ?? null };
}

/**
 * Thrown inside a transaction to roll it back and answer with refusals instead of a result: the
 * work then writes nothing at all.
 */
export class Refused extends Error {
  constructor(readonly refusals: Refusal[]) {
    super(refusals.map((r) => r.message).join('; '));
  }
}

/** What a mutation's work returns: its result and no refusals, or refusals and no result. */
export type Outcome<R extends object> = (R & { refusals: [] }) | (Partial<R> & { refusals: Refusal[] });
