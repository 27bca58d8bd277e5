import { Field, ObjectType, registerEnumType } from 'type-graphql';

export enum UserErrorCode {
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
}
registerEnumType(UserErrorCode, { name: 'UserErrorCode', description: 'Why a mutation refused its input.' });

@ObjectType({ description: 'An expected failure of a mutation: the input was refused and nothing was written for it.' })
export class UserError {
  @Field(() => UserErrorCode)
  code!: UserErrorCode;

  @Field(() => String)
  message!: string;

  @Field(() => [String], {
    nullable: true,
    description: 'Path to the offending input field, e.g. ["input", "3", "buyerId"].',
  })
  field?: string[] | null;
}

export function userError(code: UserErrorCode, message: string, field?: (string | number)[]): UserError {
  return Object.assign(new UserError(), { code, message, field: field?.map(String) ?? null });
}

/**
 * Thrown inside a transaction to roll it back and answer with userErrors instead of a result: the
 * mutation then writes nothing at all.
 */
export class UserInputFailure extends Error {
  constructor(readonly userErrors: UserError[]) {
    super(userErrors.map((e) => e.message).join('; '));
  }
}
