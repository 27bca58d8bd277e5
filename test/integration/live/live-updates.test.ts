import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventBus } from '../../../src/db/events';
import type { Merchant } from '../../../src/modules/merchants/merchant.entity';
import { Role } from '../../../src/security/roles';
import { OrderStatus } from '../../../src/shared/enums';
import { AllocateFundDocument, PostSubsidyDocument } from '../../generated/graphql';
import { factories, gid } from '../../helpers/factories';
import { type GatewayProcess, startGatewayProcess, tokenFor } from '../../helpers/gateway-process';
import { type LiveClient, liveClient, listeningTo } from '../../helpers/live-client';
import { caseUnderReview } from '../../helpers/scenario';
import { actors, createTestApp, type TestApp } from '../../helpers/test-app';

/** An amount whose posting the injected handler below fails, after the posting's NOTIFY was sent. */
const DOOMED_AMOUNT = 666;

/**
 * A console connected to one gateway process hears what another process commits: the test process is
 * that other gateway (it posts through its own Apollo server), the console is a real graphql-ws client
 * of a gateway started with `src/main.ts`.
 */
describe('live updates across replicas (graphql-ws, LISTEN/NOTIFY)', () => {
  let app: TestApp;
  let listening: GatewayProcess;
  const clients: LiveClient[] = [];
  const shipped = new Map<string, string[]>();
  let mine: Merchant;
  let theirs: Merchant;
  let posted = 0;

  /** A transit-loss compensation to one of the merchant's shipped orders, through the test's gateway. */
  const pay = async (merchant: Merchant, amount: string) => {
    const orders = shipped.get(merchant.id)!;
    return app.as(actors.role(Role.FINANCE)).execute(PostSubsidyDocument, {
      input: {
        kind: 'TRANSIT_LOSS_COMPENSATION',
        orderId: gid.order({ id: orders.shift()! }),
        amount,
        reason: 'live feed',
        idempotencyKey: `live-${posted++}`,
      },
    });
  };
  const connect = async (actor: Parameters<typeof tokenFor>[0]) => {
    const client = liveClient(listening.port, await tokenFor(actor));
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    app = await createTestApp();
    const make = factories(app.orm);
    const buyer = await make.buyer();
    [mine, theirs] = [await make.merchant(), await make.merchant()];
    for (const merchant of [mine, theirs]) {
      const product = await make.product(merchant);
      const values = { shippedAt: new Date() };
      const orders = await make.orders([{ merchant, buyer, product, count: 30, status: OrderStatus.SHIPPED, values }]);
      shipped.set(
        merchant.id,
        orders.map((o) => o.id),
      );
    }
    await app.as(actors.role(Role.FINANCE)).data(AllocateFundDocument, {
      input: { fund: 'SPECIAL_SUBSIDY', amount: '10000', reason: 'budget', idempotencyKey: 'live-budget' },
    });
    eventBus.onBlocking(
      'LedgerTransactionPosted',
      { name: 'test.failingAfterNotify', after: ['live.publish'] },
      async (_tx, events) => {
        if (events.some((e) => e.amount === DOOMED_AMOUNT)) throw new Error('injected failure after NOTIFY');
      },
    );
    listening = await startGatewayProcess(app.databaseUrl);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await listening?.stop();
    await app?.close();
  });

  it('delivers a payout committed by another gateway process to its merchant and to staff, and nothing to another merchant', async () => {
    const merchantConsole = (await connect(actors.merchant(mine))).subscribe({ kinds: ['LEDGER_POSTED'] });
    const otherConsole = (await connect(actors.merchant(theirs))).subscribe({ kinds: ['LEDGER_POSTED'] });
    const staffQueue = (await connect(actors.role(Role.FINANCE))).subscribe({ kinds: ['LEDGER_POSTED'] });
    const staffOnOne = (await connect(actors.role(Role.RISK))).subscribe({ merchantId: gid.merchant(theirs) });
    await listeningTo([merchantConsole, staffQueue], () => pay(mine, '1.00'));
    await listeningTo([otherConsole, staffOnOne], () => pay(theirs, '2.00'));
    const [mineHeard, staffHeard, otherHeard, onOneHeard] = [merchantConsole, staffQueue, otherConsole, staffOnOne].map(
      (s) => s.events.length,
    );

    const payout = await pay(mine, '12.34');
    const transactionId = payout.data!.postSubsidy.transaction!.id;
    const event = (await merchantConsole.received(mineHeard + 1))[mineHeard];
    expect(event).toMatchObject({
      kind: 'LEDGER_POSTED',
      merchantId: gid.merchant(mine),
      subjectType: 'LEDGER_TRANSACTION',
      subjectId: transactionId,
      summary: 'TRANSIT_LOSS_COMPENSATION 12.34 yuan',
      actor: 'FINANCE:test-finance',
    });
    await staffQueue.received(staffHeard + 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The other merchant heard only its own payouts, and so did staff following that merchant.
    expect(otherConsole.events).toHaveLength(otherHeard);
    expect(staffOnOne.events).toHaveLength(onOneHeard);
    for (const heard of [otherConsole, staffOnOne]) {
      expect(new Set(heard.events.map((e) => e.merchantId))).toEqual(new Set([gid.merchant(theirs)]));
    }
    expect(otherConsole.errors).toEqual([]);
  });

  it('announces nothing for a rolled-back mutation, though its NOTIFY was sent inside the transaction', async () => {
    const console_ = (await connect(actors.merchant(mine))).subscribe({ kinds: ['LEDGER_POSTED'] });
    await listeningTo([console_], () => pay(mine, '0.50'));
    const heard = console_.events.length;

    const doomed = await pay(mine, (DOOMED_AMOUNT / 100).toFixed(2));
    expect(doomed.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    const after = await pay(mine, '0.75');
    expect(after.errors).toBeUndefined();
    // Notifications arrive in commit order: had the doomed one been delivered, it would come before.
    await console_.received(heard + 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(console_.events.slice(heard - 1).map((e) => e.summary)).toEqual([
      'TRANSIT_LOSS_COMPENSATION 0.50 yuan',
      'TRANSIT_LOSS_COMPENSATION 0.75 yuan',
    ]);
  });

  it("tells a console what a ruling caused after the ruling, in the audit log's order", async () => {
    const shop = await factories(app.orm).merchant();
    const console_ = (await connect(actors.merchant(shop))).subscribe();
    const { rule } = await caseUnderReview(app, shop, 'LIVE-FULL');
    // The opening and the decision show the subscription is in place; what else the setup caused
    // has arrived once the feed has been quiet a moment.
    await console_.received(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const heard = console_.events.length;
    await rule();
    const events = (await console_.received(heard + 4)).slice(heard);
    expect(events[0]).toMatchObject({ kind: 'CASE_RULED' });
    expect(events.slice(1).map((e) => [e.kind, e.summary])).toEqual(
      expect.arrayContaining([
        ['LEDGER_POSTED', expect.stringContaining('BUYER_EXPERIENCE_COUPON')],
        ['LEDGER_POSTED', expect.stringContaining('PROMOTION_FEE_REBATE')],
        ['SCORE_EVENT', 'AFTER_SALES_MERCHANT_AT_FAULT'],
      ]),
    );
  });
});
