import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { type Outcome, type Refusal, RefusalCode } from '../shared/refusal';

registerEnumType(RefusalCode, { name: 'UserErrorCode', description: 'Why a mutation refused its input.' });

@ObjectType({ description: 'An expected failure of a mutation: the input was refused and nothing was written for it.' })
export class UserError implements Refusal {
  @Field(() => RefusalCode)
  code!: RefusalCode;

  @Field(() => String)
  message!: string;

  @Field(() => [String], {
    nullable: true,
    description: 'Path to the offending input field, e.g. ["input", "3", "buyerId"].',
  })
  field!: string[] | null;
}

/** A service's outcome as a mutation payload: its result fields, and its refusals as `userErrors`. */
export function toPayload<R extends object>(
  outcome: Outcome<R>,
): Omit<Outcome<R>, 'refusals'> & { userErrors: Refusal[] } {
  const { refusals, ...result } = outcome;
  return { ...result, userErrors: refusals };
}
