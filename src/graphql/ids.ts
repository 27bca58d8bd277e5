import { GraphQLError } from 'graphql';
import { localIdOf, type NodeTypeName } from './global-id';
import { UserErrorCode, userError, type UserError } from './user-error';

/** For queries: a malformed id is a client bug, answered with BAD_USER_INPUT naming the argument. */
export function requireLocalId(type: NodeTypeName, globalId: string, argument: string): string {
  const id = localIdOf(type, globalId);
  if (!id) {
    throw new GraphQLError(`${argument} is not a valid ${type} id`, {
      extensions: { code: 'BAD_USER_INPUT', field: argument },
    });
  }
  return id;
}

/** For mutations: a malformed id becomes a userError at `field`. */
export function parseIdInput(
  type: NodeTypeName,
  globalId: string,
  field: (string | number)[],
  errors: UserError[],
): string | null {
  const id = localIdOf(type, globalId);
  if (!id) errors.push(userError(UserErrorCode.INVALID_ID, `not a valid ${type} id`, field));
  return id;
}
