import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { ValidationError } from 'class-validator';
import { type ASTNode, BREAK, type GraphQLError, type GraphQLFormattedError, Kind, parse, visit } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import type { Logger } from '../shared/logger';
import type { RequestContext } from './context';

/** Errors the client caused; anything else is ours: logged with its stack, masked in production. */
const CLIENT_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'INTROSPECTION_DISABLED',
  'MAX_RECURSIVE_SELECTIONS_EXCEEDED',
  // A live subscriber that fell too far behind: its own pace, not a fault of ours.
  'SLOW_CONSUMER',
]);

const INTERNAL = 'INTERNAL_SERVER_ERROR';

function isClientError(code: unknown): boolean {
  return typeof code === 'string' && CLIENT_ERROR_CODES.has(code);
}

function flattenValidation(errors: ValidationError[], prefix: string[] = []): { field: string[]; message: string }[] {
  return errors.flatMap((error) => {
    const field = [...prefix, error.property];
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flattenValidation(error.children ?? [], field)];
  });
}

/** `filter.merchantId` or `input[0].paidAmount` as a path: ["filter", "merchantId"], ["input", "0", "paidAmount"]. */
const pathOf = (dotted: string): string[] => dotted.split(/[.[\]]+/).filter(Boolean);

/**
 * Where in the document's arguments a literal that failed validation sits: the argument's name, then
 * input fields and list indices, e.g. ["input", "0", "paidAmount"]. Undefined for errors that are not
 * about an argument (an unknown field, a fragment).
 */
function literalPath(node: ASTNode | undefined): string[] | undefined {
  const body = node?.loc?.source.body;
  if (!node?.loc || !body) return undefined;
  let found: string[] | undefined;
  visit(parse(body), {
    enter(candidate, _key, parent, _path, ancestors) {
      if (candidate.kind !== node.kind || candidate.loc?.start !== node.loc!.start) return undefined;
      const chain = [...ancestors, parent, candidate].filter((a): a is ASTNode => Boolean(a) && !Array.isArray(a));
      const path: string[] = [];
      chain.forEach((step, i) => {
        if (step.kind === Kind.ARGUMENT) path.splice(0, path.length, step.name.value);
        else if (step.kind === Kind.OBJECT_FIELD) path.push(step.name.value);
        else if (step.kind === Kind.LIST && chain[i + 1]) path.push(String(step.values.indexOf(chain[i + 1] as never)));
      });
      found = chain.some((step) => step.kind === Kind.ARGUMENT) ? path : undefined;
      return BREAK;
    },
  });
  return found;
}

/**
 * The argument an error concerns, as a path (one shape whichever layer raised it): a service's or a
 * resolver's `field`, a variable graphql-js could not coerce (its name, then the path inside it), or
 * an inline literal that failed validation.
 */
function fieldOf(formatted: GraphQLFormattedError, error: unknown): string[] | undefined {
  const given = formatted.extensions?.field;
  if (Array.isArray(given)) return given.map(String);
  if (typeof given === 'string') return pathOf(given);
  const variable =
    /^Variable "\$(\w+)" (?:got invalid value .*? at "([^"]+)"|got invalid value|of required type|of non-null type)/s.exec(
      formatted.message,
    );
  if (variable) return variable[2] ? pathOf(variable[2]) : [variable[1]];
  return literalPath((error as GraphQLError | undefined)?.nodes?.[0]);
}

export function createErrorFormatter(options: { maskInternalErrors: boolean }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    // class-validator's report names the offending input field; say it in the message too.
    if (original instanceof ArgumentValidationError) {
      const problems = flattenValidation(original.extensions.validationErrors as ValidationError[]);
      return {
        message: `Invalid input: ${problems.map((p) => `${p.field.join('.')}: ${p.message}`).join('; ')}`,
        locations: formatted.locations,
        path: formatted.path,
        // The first offending field, like every other error; all of them when there are several.
        extensions: { code: 'BAD_USER_INPUT', field: problems[0]?.field ?? [], fields: problems },
      };
    }
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    if (isClientError(extensions.code)) {
      // graphql-js suggests enum values and types ("Did you mean …?"): a map of the schema, not for production.
      const message = options.maskInternalErrors
        ? formatted.message.replace(/ Did you mean .*\?$/, '').replace(/more tha[nt] \d+ tokens/, 'too many tokens')
        : formatted.message;
      const field = fieldOf(formatted, error);
      return { ...formatted, message, extensions: field ? { ...extensions, field } : extensions };
    }
    return {
      message: options.maskInternalErrors ? 'Internal server error' : formatted.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: INTERNAL },
    };
  };
}

/**
 * Logs every unexpected error with its stack and the request id, and puts the request id on the
 * masked error the client sees, so a support ticket can be matched to the log line.
 */
export function errorReportingPlugin(logger: Logger): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors as readonly GraphQLError[]) {
            if (isClientError(error.extensions?.code) || unwrapResolverError(error) instanceof ArgumentValidationError)
              continue;
            logger.error(
              { err: unwrapResolverError(error), path: error.path, requestId: contextValue.requestId },
              'unexpected error in GraphQL request',
            );
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors ?? [];
          // A response whose errors are all the client's is never a server fault.
          if (
            (response.http.status ?? 500) >= 500 &&
            errors.length &&
            errors.every((e) => isClientError(e.extensions?.code))
          ) {
            response.http.status = 400;
          }
          for (const error of errors) {
            if (error.extensions?.code === INTERNAL)
              (error.extensions as Record<string, unknown>).requestId = contextValue.requestId;
          }
        },
      };
    },
  };
}
