import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVELOPMENT_JWT_SECRET } from '../../../src/config';
import type { Merchant } from '../../../src/modules/merchants/merchant.entity';
import { createGateway, type Gateway } from '../../../src/server/app';
import { AllocateFundDocument, IngestOrdersDocument, PostSubsidyDocument } from '../../generated/graphql';
import { factories, orderInput } from '../../helpers/factories';
import { tokenFor } from '../../helpers/gateway-process';
import { liveClient, type LiveClient, listeningTo, type LiveSubscription } from '../../helpers/live-client';
import { actors, createTestApp, type TestApp } from '../../helpers/test-app';
import { GATEWAY } from '../../../src/modules';

const AUTH = { issuer: 'weiquan', audience: 'weiquan-gateway', jwtSecret: DEVELOPMENT_JWT_SECRET, jwksUrl: undefined };

/** The live feed under a large commit: one notification per merchant and transaction, not per line. */
describe('the live feed on big commits', () => {
  let app: TestApp;
  const gateways: Gateway[] = [];
  const clients: LiveClient[] = [];
  let merchant: Merchant;
  let refs: Parameters<typeof orderInput>[0];

  const start = async (maxQueuedEvents?: number) => {
    const gateway = await createGateway(app.orm, {
      gateway: GATEWAY,
      isProduction: true,
      introspection: false,
      auth: AUTH,
      liveLimits: maxQueuedEvents ? { maxQueuedEvents } : {},
    });
    await new Promise<void>((resolve) => gateway.httpServer.listen(0, '127.0.0.1', resolve));
    gateways.push(gateway);
    return (gateway.httpServer.address() as AddressInfo).port;
  };
  const connect = async (port: number) => {
    const client = liveClient(port, await tokenFor(actors.merchant(merchant)));
    clients.push(client);
    return client;
  };
  /** A payout the subscription must see first: proof that it listens. */
  let payouts = 0;
  const payout = () =>
    app.data(PostSubsidyDocument, {
      input: {
        kind: 'SMALL_MERCHANT_COUPONS',
        merchantId: `${Buffer.from(`Merchant:${merchant.id}`).toString('base64url')}`,
        amount: '1.00',
        idempotencyKey: `live-volume-${++payouts}`,
        reason: 'listening',
      },
    });
  const listening = async (subscription: LiveSubscription) => {
    await listeningTo([subscription], payout);
    return subscription.events.length;
  };
  const ingest = (count: number) =>
    app.data(IngestOrdersDocument, {
      input: Array.from({ length: count }, () =>
        orderInput(refs, {
          destinationRegion: 'XINJIANG',
          status: 'COMPLETED',
          paidAt: new Date(Date.now() - 20 * 86_400_000).toISOString(),
          shippedAt: new Date(Date.now() - 19 * 86_400_000).toISOString(),
          deliveredAt: new Date(Date.now() - 17 * 86_400_000).toISOString(),
          completedAt: new Date(Date.now() - 86_400_000).toISOString(),
        }),
      ),
    });
  const auditLines = async () =>
    (
      await app.orm.em
        .fork()
        .getConnection()
        .execute<{ n: number }[]>('select count(*)::int as n from audit_entry where merchant_id = ?', [merchant.id])
    )[0].n;

  beforeAll(async () => {
    app = await createTestApp();
    const make = factories(app.orm);
    merchant = await make.merchant({ tier: 'SMALL' as never });
    refs = { merchant, buyer: await make.buyer(), product: await make.product(merchant) };
    for (const fund of ['SPECIAL_SUBSIDY', 'RESOURCE_PACK'])
      await app.data(AllocateFundDocument, {
        input: { fund: fund as never, amount: '1000000', reason: 'budget', idempotencyKey: `budget-${fund}` },
      });
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    for (const gateway of gateways) await gateway.stop();
    await app?.close();
  });

  it('a prompt subscriber receives every event of a 1,000-order ingest, in the audit log’s order', async () => {
    const port = await start();
    const subscription = (await connect(port)).subscribe();
    const listened = await listening(subscription);
    const before = await auditLines();
    await ingest(1000);
    const announced = (await auditLines()) - before;
    expect(announced).toBeGreaterThanOrEqual(2000); // a score event and two fees per order
    const events = await subscription.received(listened + announced, 60_000);
    expect(subscription.errors).toEqual([]);
    const cursors = events.map((event) => event.cursor);
    const order = (cursor: string) => JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string];
    const sorted = [...cursors].sort((a, b) => {
      const [x, y] = [order(a), order(b)];
      return x[0] === y[0] ? (x[1] < y[1] ? -1 : 1) : x[0] < y[0] ? -1 : 1;
    });
    expect(cursors).toEqual(sorted);
    expect(new Set(cursors).size).toBe(cursors.length);

    // A console that reconnects with the last cursor it saw gets what it missed, then what follows.
    const seen = events.length - 20;
    const resumed = (await connect(port)).subscribe({ after: events[seen - 1].cursor });
    const missed = await resumed.received(20);
    expect(missed.map((event) => event.cursor)).toEqual(cursors.slice(seen));
    await payout();
    const [next] = (await resumed.received(21)).slice(20);
    expect(next).toMatchObject({ kind: 'LEDGER_POSTED', summary: expect.stringContaining('1.00') });
    expect(resumed.errors).toEqual([]);
  }, 120_000);

  it('drops a subscriber that falls behind its limit with SLOW_CONSUMER, in production too', async () => {
    const port = await start(50);
    const subscription = (await connect(port)).subscribe();
    await listening(subscription);
    await ingest(100); // about 300 lines at once: more than this subscriber may hold
    await expect
      .poll(() => subscription.errors, { timeout: 10_000 })
      .toEqual([expect.objectContaining({ extensions: { code: 'SLOW_CONSUMER' } })]);
  });

  it('refuses to resume from a cursor too far back, and a cursor that is not one', async () => {
    const port = await start();
    const first = (await connect(port)).subscribe();
    await listening(first);
    const [marker] = first.events;
    await ingest(400);
    const tooFar = (await connect(port)).subscribe({ after: marker.cursor });
    await expect
      .poll(() => tooFar.errors, { timeout: 10_000 })
      .toEqual([expect.objectContaining({ extensions: { code: 'SLOW_CONSUMER' } })]);
    const forged = (await connect(port)).subscribe({ after: 'not-a-cursor' });
    await expect
      .poll(() => forged.errors, { timeout: 10_000 })
      .toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: ['after'] } })]);
  });
});
