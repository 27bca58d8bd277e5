import { platformContext } from '../../../src/server/context';
import { MODULES } from '../../../src/modules';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countStatements } from '../../../src/db/query-counter';
import { runMutation } from '../../../src/db/transaction';
import { writeEvents } from '../../../src/modules/trust/trust.service';
import { Role } from '../../../src/security/roles';
import {
  IngestOrdersDocument,
  MerchantsWithTrustDocument,
  RecordScoreEventsDocument,
  type ScoreEventInput,
} from '../../generated/graphql';
import { factories, gid, orderInput } from '../../helpers/factories';
import { actors, createTestApp, type TestApp } from '../../helpers/test-app';

describe('trust scores: SQL statements per request', () => {
  let app: TestApp;
  const hourAgo = () => new Date(Date.now() - 3_600_000).toISOString();
  const record = (input: ScoreEventInput[]) =>
    app.as(actors.role(Role.INGEST)).data(RecordScoreEventsDocument, { input });

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app?.close());

  it('writing no score events sends nothing (the insert rides with the sums only when there is one)', async () => {
    const ctx = platformContext(app.orm, MODULES, 'test');
    const { result, statements } = await countStatements(() =>
      runMutation(ctx, async (tx) => ({ written: await writeEvents(tx, []) })),
    );
    expect(result.written).toEqual([]);
    expect(statements.filter((sql) => /score_event/.test(sql))).toEqual([]);
  });

  it('merchants → trust → factors and history: the same statements for 5 merchants as for 50', async () => {
    const make = factories(app.orm);
    for (let i = 0; i < 50; i++) {
      const merchant = await make.merchant();
      const product = await make.product(merchant);
      const { ingestOrders } = await app.data(IngestOrdersDocument, {
        input: [orderInput({ merchant, product, buyer: await make.buyer() })],
      });
      await record([
        {
          factor: 'SHIPPED_ON_TIME',
          merchantId: gid.merchant(merchant),
          orderId: ingestOrders.results[0].order!.id,
          occurredAt: hourAgo(),
        },
      ]);
    }
    const five = await app.statementsOf(MerchantsWithTrustDocument, { first: 5 });
    const fifty = await app.statementsOf(MerchantsWithTrustDocument, { first: 50 });
    expect(fifty).toHaveLength(five.length);
    const data = await app.data(MerchantsWithTrustDocument, { first: 50 });
    expect(data.merchants.edges).toHaveLength(50);
    expect(data.merchants.edges.every((e) => e.node.trust.history.edges[0].node.order?.id)).toBe(true);
    // merchants, policy, scores, repurchase, order counts (NEW or not), factors, history page + count,
    // history orders; one round trip each
    expect(five).toHaveLength(9);
  });

  it('recording a batch of events costs the same statements for 5 merchants as for 50', async () => {
    const make = factories(app.orm);
    const merchants = await Promise.all(Array.from({ length: 50 }, () => make.merchant()));
    const events = (n: number) =>
      merchants
        .slice(0, n)
        .map((m) => ({ factor: 'COMPLAINT' as const, merchantId: gid.merchant(m), occurredAt: hourAgo() }));
    const ingest = app.as(actors.role(Role.INGEST));
    const five = await ingest.statementsOf(RecordScoreEventsDocument, { input: events(5) });
    const fifty = await ingest.statementsOf(RecordScoreEventsDocument, { input: events(50) });
    expect(fifty.length).toBe(five.length);
  });
});
