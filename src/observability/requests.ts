import { performance } from 'node:perf_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { trace } from '@opentelemetry/api';
import type { GraphQLSchema } from 'graphql';
import type { RequestHandler } from 'express';
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

/** The report as its log line shows it: how many statements, in how many messages (round trips). */
const reported = (report: RequestReport | undefined) =>
  report && {
    operation: report.operation,
    operationType: report.operationType,
    outcome: report.outcome,
    userErrors: report.userErrors,
    role: report.role,
    merchantId: report.merchantId,
    traceId: report.traceId,
    statements: report.statements.count,
    roundTrips: report.statements.roundTrips,
  };

/** What the request log line reads from a response: the GraphQL request's report, when there was one. */
const reports = new WeakMap<ServerResponse, RequestReport>();

/** Ties a GraphQL request's report to its response, for the log line. */
export function reportOnResponse(res: ServerResponse, report: RequestReport): void {
  reports.set(res, report);
}

/**
 * One log line per HTTP request: request id, method, path, status, duration and, for GraphQL, what
 * the request report holds. No header is logged, so no token can be. Written here rather than by
 * pino-http, whose per-request child logger and serializer wrapping cost about a seventh of a small
 * query's CPU; the line is the same. Called by Express and by the bare GraphQL path alike.
 */
export function logRequest(logger: Logger, req: IncomingMessage, res: ServerResponse): void {
  const requestId = requestIdOf(req);
  res.setHeader('x-request-id', requestId);
  if (req.url === '/healthz' || req.url === '/readyz') return;
  const started = performance.now();
  // 'close' comes after every response, finished or not; one listener covers both.
  res.once('close', () => {
    const line = {
      requestId,
      method: req.method,
      path: ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').split('?')[0],
      status: res.statusCode,
      durationMs: Math.round(performance.now() - started),
      ...reported(reports.get(res)),
    };
    const failure = !res.writableFinished
      ? 'request aborted'
      : res.statusCode >= 500
        ? `failed with status code ${res.statusCode}`
        : null;
    if (failure) logger.error({ ...line, err: { message: failure } }, 'request failed');
    else logger.info(line, 'request completed');
  });
}

export function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    logRequest(logger, req, res);
    next();
  };
}
