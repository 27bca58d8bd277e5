import { GraphQLError } from 'graphql';
import { type Outcome, type Refusal, RefusalCode, refusal } from '../shared/refusal';
import { isUuid, localIdOf, type NodeTypeName } from './global-id';
import { toPayload } from './user-error';

/**
 * Global ids are decoded here, at the GraphQL edge: services take and return local ids.
 */

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

/** An optional id argument of a query. */
export function optionalLocalId(
  type: NodeTypeName,
  globalId: string | null | undefined,
  argument: string,
): string | null {
  return globalId ? requireLocalId(type, globalId, argument) : null;
}

type Path = (string | number)[];

export interface IdReader {
  /** The local id inside `globalId`; on a malformed one, records an INVALID_ID refusal at `field`. */
  id(type: NodeTypeName, globalId: string, ...field: Path): string;
  /** Like `id`, for an optional field. */
  optional(type: NodeTypeName, globalId: string | null | undefined, ...field: Path): string | null;
  /** A reference to something without a global id of its own yet (cases, appeals): a plain uuid. */
  uuid(value: string | null | undefined, ...field: Path): string | null;
}

/**
 * For mutation inputs: `build` reads the input with its ids decoded. A malformed id is not an error
 * of the request but a refusal at the field's path (`input.3.buyerId`), like any other bad input.
 */
export function decodeInput<T>(path: Path, build: (ids: IdReader) => T): { value: T; refusals: Refusal[] } {
  const refusals: Refusal[] = [];
  const reader: IdReader = {
    id(type, globalId, ...field) {
      const id = localIdOf(type, globalId);
      if (!id) refusals.push(refusal(RefusalCode.INVALID_ID, `not a valid ${type} id`, [...path, ...field]));
      return id ?? '';
    },
    optional(type, globalId, ...field) {
      return globalId ? reader.id(type, globalId, ...field) : null;
    },
    uuid(value, ...field) {
      if (!value) return null;
      if (!isUuid(value))
        refusals.push(refusal(RefusalCode.INVALID_ID, 'not a valid id (expected a UUID)', [...path, ...field]));
      return value;
    },
  };
  return { value: build(reader), refusals };
}

/** A mutation whose input has ids: decoded first (bad ones refuse it), then run, then shaped as its payload. */
export async function decodedMutation<T, R extends object>(
  build: (ids: IdReader) => T,
  run: (input: T) => Promise<Outcome<R>>,
) {
  const { value, refusals } = decodeInput(['input'], build);
  return toPayload<R>(refusals.length ? ({ refusals } as Outcome<R>) : await run(value));
}
