import http from 'node:http';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../../src/security/roles';
import { OrderStatus } from '../../../src/shared/enums';
import { AllocateFundDocument, MerchantsWithOrdersDocument, PostSubsidyDocument } from '../../generated/graphql';
import { factories, gid } from '../../helpers/factories';
import { freePort } from '../../helpers/database';
import { type GatewayProcess, metricValue, startGatewayProcess } from '../../helpers/gateway-process';
import { actors, createTestApp, type TestApp } from '../../helpers/test-app';
import { eventually } from '../../helpers/wait';

interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: { stringValue?: string; intValue?: string } }[];
}

/** An OTLP/HTTP receiver that keeps the spans it is sent in memory. */
async function startSpanReceiver(): Promise<{ url: string; spans: Span[]; close(): Promise<void> }> {
  const spans: Span[] = [];
  const server = http.createServer((req, res) => {
    if (req.url !== '/v1/traces') return void res.writeHead(404).end();
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const sent = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: Span[] }[] }[] };
      for (const resource of sent.resourceSpans) for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const port = await freePort();
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${port}`, spans, close: () => new Promise((done) => server.close(() => done())) };
}

const attribute = (span: Span, key: string) => span.attributes.find((a) => a.key === key)?.value.stringValue;

describe('a gateway process with tracing on', () => {
  let app: TestApp;
  let receiver: Awaited<ReturnType<typeof startSpanReceiver>>;
  let gateway: GatewayProcess;
  let merchantId: string;
  let shippedOrderId: string;

  beforeAll(async () => {
    app = await createTestApp();
    const make = factories(app.orm);
    const buyer = await make.buyer();
    for (let i = 0; i < 3; i++) {
      const merchant = await make.merchant();
      merchantId ??= merchant.id;
      const product = await make.product(merchant);
      const values = { shippedAt: new Date() };
      const orders = await make.orders(
        [{ merchant, buyer, product, count: 4, status: OrderStatus.SHIPPED, values }],
        2,
      );
      shippedOrderId ??= orders[0].id;
    }
    receiver = await startSpanReceiver();
    gateway = await startGatewayProcess(app.databaseUrl, {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await receiver?.close();
    await app?.close();
  });

  it('exports one trace per request: HTTP, the GraphQL operation, resolvers and each SQL statement', async () => {
    const requestId = 'trace-me-0001';
    const response = await gateway.graphql(
      actors.admin,
      print(MerchantsWithOrdersDocument),
      { first: 3 },
      { 'x-request-id': requestId },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.headers.get('x-request-id')).toBe(requestId);

    const root = await eventually(
      () => receiver.spans.find((s) => attribute(s, 'weiquan.request_id') === requestId),
      'the HTTP span',
    );
    expect(root.parentSpanId ?? '').toBe('');
    const inTrace = () => receiver.spans.filter((s) => s.traceId === root.traceId);
    await eventually(() => inTrace().some((s) => /^pg\.query/.test(s.name)), 'SQL spans');
    const spans = inTrace();
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const reachesRoot = (span: Span): boolean => {
      for (let at: Span | undefined = span; at; at = at.parentSpanId ? byId.get(at.parentSpanId) : undefined)
        if (at === root) return true;
      return false;
    };

    const operation = spans.find((s) => attribute(s, 'graphql.operation.name') === 'MerchantsWithOrders');
    expect(operation, spans.map((s) => s.name).join(', ')).toBeDefined();
    expect(attribute(operation!, 'graphql.operation.type')).toBe('query');
    expect(reachesRoot(operation!)).toBe(true);
    const resolvers = spans.filter((s) => s.name.startsWith('graphql.resolve'));
    expect(resolvers.map((s) => attribute(s, 'graphql.field.name'))).toEqual(
      // (the buyer, asked for its id only, is answered from the order's key: no work, no span)
      expect.arrayContaining(['merchants', 'orders']),
    );
    const statements = spans.filter((s) => /^pg\.query/.test(s.name));
    expect(statements.length).toBeGreaterThanOrEqual(3);
    for (const statement of statements) {
      expect(reachesRoot(statement)).toBe(true);
      expect(attribute(statement, 'db.system') ?? attribute(statement, 'db.system.name')).toBe('postgresql');
    }

    // The log line of the same request, with the trace it belongs to.
    const line = await eventually(
      () => gateway.logLines().find((l) => l.requestId === requestId && l.msg === 'request completed'),
      'the request log line',
    );
    expect(line).toMatchObject({
      method: 'POST',
      path: '/graphql',
      operation: 'MerchantsWithOrders',
      operationType: 'query',
      outcome: 'ok',
      role: Role.ADMIN,
      status: 200,
      traceId: root.traceId,
    });
    expect(line.statements).toBe(statements.length);
    expect(line.durationMs).toEqual(expect.any(Number));
  });

  it('counts the statements of a mutation and the messages they travel in, one span per message', async () => {
    const requestId = 'trace-me-0002';
    const allocated = await gateway.graphql(
      actors.role(Role.FINANCE),
      print(AllocateFundDocument),
      { input: { fund: 'SPECIAL_SUBSIDY', amount: '5', reason: 'trace', idempotencyKey: 'trace-allocation' } },
      { 'x-request-id': requestId },
    );
    expect(allocated.body.errors).toBeUndefined();
    const root = await eventually(
      () => receiver.spans.find((s) => attribute(s, 'weiquan.request_id') === requestId),
      'the mutation HTTP span',
    );
    const line = await eventually(
      () => gateway.logLines().find((l) => l.requestId === requestId && l.msg === 'request completed'),
      'the mutation log line',
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // the last spans of the batch
    const statements = receiver.spans.filter((s) => s.traceId === root.traceId && /^pg\.query/.test(s.name));
    expect(line).toMatchObject({ operationType: 'mutation', outcome: 'ok', role: Role.FINANCE });
    // BEGIN and the tenant's settings with the reads; the writes with COMMIT.
    expect(statements.length).toBe(2);
    // A span per message; a message may carry several statements (the posting's writes travel together).
    expect(line.roundTrips).toBe(statements.length);
    expect(line.statements).toBeGreaterThan(line.roundTrips as number);
  });

  it('logs one line per request with actor, outcome and statements, never the token', async () => {
    const merchant = actors.merchant({ id: merchantId });
    const refused = await gateway.graphql(merchant, print(MerchantsWithOrdersDocument), { first: 3 });
    expect(refused.body.errors).toBeUndefined();
    const requestId = refused.headers.get('x-request-id')!;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const line = await eventually(
      () => gateway.logLines().find((l) => l.requestId === requestId),
      'the merchant request log line',
    );
    expect(line).toMatchObject({ role: Role.MERCHANT, merchantId, outcome: 'ok', operation: 'MerchantsWithOrders' });
    // A caller's request id that does not look like one is replaced, not logged.
    const odd = await gateway.graphql(merchant, '{ __typename }', {}, { 'x-request-id': 'a b\u00e9' });
    expect(odd.headers.get('x-request-id')).not.toBe('a b\u00e9');
    expect(gateway.output()).not.toMatch(/Bearer|eyJ[\w-]+\.eyJ/);
  });

  it('serves Prometheus metrics on their own port: durations by operation and outcome, errors, pool, postings', async () => {
    const finance = actors.role(Role.FINANCE);
    const allocated = await gateway.graphql(finance, print(AllocateFundDocument), {
      input: { fund: 'SPECIAL_SUBSIDY', amount: '1000', reason: 'budget', idempotencyKey: 'metrics-budget' },
    });
    expect(allocated.body.errors).toBeUndefined();
    const postLoss = (amount: string) =>
      gateway.graphql(finance, print(PostSubsidyDocument), {
        input: {
          kind: 'TRANSIT_LOSS_COMPENSATION',
          orderId: gid.order({ id: shippedOrderId }),
          amount,
          reason: 'metrics',
          idempotencyKey: 'metrics-posting',
        },
      });
    expect((await postLoss('12.34')).body.errors).toBeUndefined();
    // The same key with another amount: refused with a userError, nothing posted.
    const conflict = await postLoss('99.00');
    expect(conflict.body.data.postSubsidy.userErrors).toEqual([
      expect.objectContaining({ code: 'IDEMPOTENCY_CONFLICT' }),
    ]);
    const tooDeep = `{ merchants(first: 1) { edges { node { orders(first: 1) { edges { node { merchant { orders(first: 1) { edges { node { merchant { orders(first: 1) { edges { node { id } } } } } } } } } } } } } } }`;
    expect((await gateway.graphql(actors.admin, tooDeep)).status).toBe(400);
    const anonymous = await gateway.graphql(actors.anonymous, '{ merchants(first: 1) { totalCount } }');
    expect(anonymous.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');

    expect((await gateway.get('/metrics')).status).toBe(404); // not on the API's port
    const text = await gateway.metrics();
    const ok = { operation: 'MerchantsWithOrders', type: 'query', outcome: 'ok' };
    expect(metricValue(text, 'weiquan_graphql_request_duration_seconds_count', ok)).toBeGreaterThanOrEqual(2);
    expect(metricValue(text, 'weiquan_graphql_request_duration_seconds_bucket', { ...ok, le: '+Inf' })).toBe(
      metricValue(text, 'weiquan_graphql_request_duration_seconds_count', ok),
    );
    expect(
      metricValue(text, 'weiquan_graphql_request_duration_seconds_count', { type: 'mutation', outcome: 'user_error' }),
    ).toBe(1);
    expect(metricValue(text, 'weiquan_graphql_user_errors_total', { code: 'IDEMPOTENCY_CONFLICT' })).toBe(1);
    expect(metricValue(text, 'weiquan_graphql_errors_total', { code: 'UNAUTHENTICATED' })).toBe(1);
    expect(metricValue(text, 'weiquan_graphql_rejected_documents_total', { reason: 'depth' })).toBe(1);
    expect(metricValue(text, 'weiquan_ledger_postings_total', { kind: 'TRANSIT_LOSS_COMPENSATION' })).toBe(1);
    expect(metricValue(text, 'weiquan_ledger_posted_fen_total', { kind: 'TRANSIT_LOSS_COMPENSATION' })).toBe(1234);
    expect(text).toMatch(/^weiquan_db_pool_connections\{state="in_use"\} \d+$/m);
    expect(text).toMatch(/^weiquan_db_pool_connections\{state="waiting"\} 0$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });
});
