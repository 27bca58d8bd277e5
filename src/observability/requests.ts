import { performance } from 'node:perf_hooks';
import type { ApolloServerPlugin } from '@apollo/server';
import { trace } from '@opentelemetry/api';
import type { GraphQLSchema } from 'graphql';
import { stdSerializers } from 'pino';
import { pinoHttp } from 'pino-http';
import type { StatementTally } from '../db/query-counter';
import type { Refusal } from '../shared/refusal';
import type { Logger } from '../shared/logger';
import { graphqlErrors, operationLabel, rejectedDocuments, requestDuration, userErrors } from './metrics';
import { requestIdOf } from './request-id';

export type RequestOutcome = 'ok' | 'user_error' | 'client_error' | 'rejected' | 'error';

/** What one GraphQL request did, filled in as it runs; the request's log line and metrics read it. */
export interface RequestReport {
  operation: string | null;
  operationType: string | null;
  outcome: RequestOutcome | null;
  userErrors: number;
  /** The request's SQL statements, counted as they are sent. */
  statements: StatementTally;
  role: string | null;
  merchantId: string | null;
  traceId: string | null;
}

export function newRequestReport(
  actor: { role: string | null; merchantId: string | null },
  statements: StatementTally,
): RequestReport {
  return {
    statements,
    operation: null,
    operationType: null,
    outcome: null,
    userErrors: 0,
    role: actor.role,
    merchantId: actor.merchantId,
    traceId: trace.getActiveSpan()?.spanContext().traceId ?? null,
  };
}

const CLIENT_REJECTIONS = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED']);

/** Measures every GraphQL request: its outcome, duration and errors by code, for metrics and the log. */
export function requestObservationPlugin(): ApolloServerPlugin<{ report: RequestReport }> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ response, contextValue, operation, operationName }) {
          const report = contextValue.report;
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          const codes = errors.map((error) => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
          for (const code of codes) graphqlErrors.inc({ code });
          if (codes.some((code) => code === 'GRAPHQL_PARSE_FAILED' && /tokens/.test(errors[0].message)))
            rejectedDocuments.inc({ reason: 'tokens' });

          report.operation = operation ? operationLabel(operationName) : null;
          report.operationType = operation?.operation ?? null;
          report.outcome = codes.includes('INTERNAL_SERVER_ERROR')
            ? 'error'
            : !operation || codes.some((code) => CLIENT_REJECTIONS.has(code))
              ? 'rejected'
              : codes.length
                ? 'client_error'
                : report.userErrors
                  ? 'user_error'
                  : 'ok';
          requestDuration.observe(
            { operation: report.operation ?? 'none', type: report.operationType ?? 'none', outcome: report.outcome },
            (performance.now() - started) / 1000,
          );
        },
      };
    },
  };
}

/** The refusals in a mutation's payload: its own `userErrors` and those of its per-item results. */
function refusalsOf(payload: unknown): Refusal[] {
  if (!payload || typeof payload !== 'object') return [];
  const withErrors = (value: unknown): value is { userErrors: Refusal[] } =>
    !!value && typeof value === 'object' && Array.isArray((value as { userErrors?: unknown }).userErrors);
  const found = withErrors(payload) ? [...payload.userErrors] : [];
  for (const value of Object.values(payload)) {
    if (Array.isArray(value)) for (const item of value) if (withErrors(item)) found.push(...item.userErrors);
  }
  return found;
}

/**
 * Counts the userErrors each mutation returns, by code, whether or not the client selected them.
 * Only the root mutation fields are wrapped, so queries pay nothing.
 */
export function countUserErrors(schema: GraphQLSchema): GraphQLSchema {
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const resolve = field.resolve;
    if (!resolve) continue;
    field.resolve = async (source, args, context: { report?: RequestReport }, info) => {
      const payload: unknown = await resolve(source, args, context, info);
      const refusals = refusalsOf(payload);
      for (const { code } of refusals) userErrors.inc({ code });
      if (context.report) context.report.userErrors += refusals.length;
      return payload;
    };
  }
  return schema;
}

/** The report as its log line shows it: the statement count as a number. */
const reported = (report: RequestReport | undefined) => {
  if (!report) return undefined;
  const { statements, ...fields } = report;
  return { ...fields, statements: statements.count };
};

/**
 * One log line per HTTP request (pino-http): request id, method, path, status, duration and, for
 * GraphQL, what the request report holds. No header is logged, so no token can be.
 */
export function requestLogger(logger: Logger) {
  const line = (
    req: { method?: string; url?: string; originalUrl?: string },
    res: { statusCode: number; locals?: Record<string, unknown> },
    ms: number,
  ) => ({
    method: req.method,
    path: (req.originalUrl ?? req.url)?.split('?')[0],
    status: res.statusCode,
    durationMs: ms,
    ...reported(res.locals?.report as RequestReport | undefined),
  });
  return pinoHttp({
    logger,
    genReqId: (req, res) => {
      const id = requestIdOf(req);
      res.setHeader('x-request-id', id);
      return id;
    },
    // The request is never bound to a logger whole (its headers would be serialized on every request).
    wrapSerializers: false,
    serializers: { req: () => undefined, err: stdSerializers.err },
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'requestId' },
    quietResLogger: true,
    autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessMessage: () => 'request completed',
    customErrorMessage: () => 'request failed',
    customSuccessObject: (req, res, base) => line(req, res, base.responseTime as number),
    customErrorObject: (req, res, err, base) => ({ ...line(req, res, base.responseTime as number), err }),
  });
}
