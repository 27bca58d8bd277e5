import { IncomingMessage } from 'node:http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { GraphQLInstrumentation } from '@opentelemetry/instrumentation-graphql';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { requestIdOf } from './request-id';

const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * OpenTelemetry tracing, started only when an OTLP endpoint is configured: HTTP → GraphQL operation →
 * resolvers that do work → each SQL statement, exported over OTLP/HTTP. Without an endpoint nothing
 * is loaded or patched, so tracing off costs nothing. Must run before express, graphql and pg are
 * first required (see `instrument.ts`).
 */
export function startTracing(env: NodeJS.ProcessEnv = process.env): NodeSDK | undefined {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  // Traces only: metrics are Prometheus's (/metrics) and logs go to stdout; the SDK reads these itself.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? 'weiquan-gateway',
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has(req.url?.split('?')[0] ?? ''),
        // The request id on the root span, so a log line leads to its trace.
        requestHook: (span, req) => {
          if (req instanceof IncomingMessage) span.setAttribute('weiquan.request_id', requestIdOf(req));
        },
      }),
      new ExpressInstrumentation(),
      // Fields without a resolver of their own (a property read) get no span: only resolvers that work.
      new GraphQLInstrumentation({ ignoreTrivialResolveSpans: true, mergeItems: true }),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  return sdk;
}
