import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { ValidationError } from 'class-validator';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
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
        extensions: { code: 'BAD_USER_INPUT', fields: problems },
      };
    }
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    if (isClientError(extensions.code)) {
      // graphql-js suggests enum values and types ("Did you mean …?"): a map of the schema, not for production.
      const message = options.maskInternalErrors
        ? formatted.message.replace(/ Did you mean .*\?$/, '').replace(/more tha[nt] \d+ tokens/, 'too many tokens')
        : formatted.message;
      return { ...formatted, message, extensions };
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
