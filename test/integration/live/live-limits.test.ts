import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEVELOPMENT_JWT_SECRET } from '../../../src/config';
import { LiveHub, MAX_QUEUED_EVENTS } from '../../../src/modules/live/live.hub';
import { LiveEventKind, type LiveEvent } from '../../../src/modules/live/live.events';
import type { Merchant } from '../../../src/modules/merchants/merchant.entity';
import { Role } from '../../../src/security/roles';
import { createGateway, type Gateway } from '../../../src/server/app';
import { CLOSE } from '../../../src/server/live-socket';
import { AdjustMerchantScoreDocument } from '../../generated/graphql';
import { factories, gid } from '../../helpers/factories';
import { tokenFor } from '../../helpers/gateway-process';
import { listeningTo, liveClient } from '../../helpers/live-client';
import { actors, createTestApp, type TestApp } from '../../helpers/test-app';
import { GATEWAY } from '../../../src/modules';

const AUTH = { issuer: 'weiquan', audience: 'weiquan-gateway', jwtSecret: DEVELOPMENT_JWT_SECRET, jwksUrl: undefined };

describe('limits of live sockets', () => {
  let app: TestApp;
  let gateway: Gateway;
  let port: number;
  let merchant: Merchant;
  let other: Merchant;
  const disposers: (() => Promise<void>)[] = [];
  const connect = async (token: string | null, options?: { lazy?: boolean }) => {
    const client = liveClient(port, token, options);
    disposers.push(client.dispose);
    return client;
  };

  beforeAll(async () => {
    app = await createTestApp();
    [merchant, other] = [await factories(app.orm).merchant(), await factories(app.orm).merchant()];
    gateway = await createGateway(app.orm, {
      gateway: GATEWAY,
      isProduction: true,
      introspection: false,
      auth: AUTH,
      // Idle after 1.5 s: long enough that a loaded machine still subscribes the first two sockets before
      // the third arrives (at 400 ms a busy CI machine closed them as idle first, and the third got in).
      liveLimits: { socketsPerActor: 2, idleMs: 1_500, heartbeatMs: 200, subscriptionsPerSocket: 2 },
    });
    await new Promise<void>((resolve) => gateway.httpServer.listen(0, '127.0.0.1', resolve));
    port = (gateway.httpServer.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await Promise.all(disposers.map((dispose) => dispose()));
    await gateway?.apollo.stop();
    await app?.close();
  });

  it('refuses a socket without a valid token in connection_init', async () => {
    expect(await (await connect(null)).closed).toBe(4403);
    expect(await (await connect('not-a-token')).closed).toBe(4403);
    // The INGEST service account may connect but not subscribe: it reads no merchant data.
    const ingest = (await connect(await tokenFor(actors.role(Role.INGEST)))).subscribe();
    await expect.poll(() => ingest.errors.length).toBe(1);
    expect(ingest.errors[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
  });

  it('a merchant may hear only itself: naming another merchant is FORBIDDEN', async () => {
    const client = await connect(await tokenFor(actors.merchant(merchant)));
    const spying = client.subscribe({ merchantId: gid.merchant(other) });
    await expect.poll(() => spying.errors.length).toBe(1);
    expect(spying.errors[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
  });

  it('serves only subscriptions over the socket, and at most the limit per connection', async () => {
    const client = await connect(await tokenFor(actors.admin));
    const query = client.subscribe({}, '{ merchants(first: 1) { totalCount } }');
    await expect.poll(() => query.errors.length).toBe(1);
    expect(query.errors[0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' } });
    client.subscribe();
    client.subscribe();
    const third = client.subscribe();
    await expect.poll(() => third.errors.length).toBe(1);
    expect(JSON.stringify(third.errors)).toMatch(/at most 2 subscriptions/);
  });

  it('closes the third socket of one user, an idle socket, and a socket whose token expires', async () => {
    const token = await tokenFor(actors.role(Role.RISK));
    const [first, second] = [await connect(token), await connect(token)];
    // Both heard an event before the third connects: their subscriptions stand, so no idle sweep can
    // have closed them (under a loaded suite a subscription may take longer than the idle limit).
    await listeningTo([first.subscribe(), second.subscribe()], () =>
      app.as(actors.role(Role.RISK)).data(AdjustMerchantScoreDocument, {
        input: { merchantId: gid.merchant(merchant), experienceDelta: '0.1', reason: 'poke' },
      }),
    );
    const third = await connect(token);
    expect(await third.closed).toBe(CLOSE.tooManySockets);

    // Connected, but never subscribing: closed once idle.
    const idle = await connect(await tokenFor(actors.role(Role.ARBITRATOR)));
    expect(await idle.closed).toBe(CLOSE.idle);

    // A token 29 s past its expiry is still inside the 30 s clock tolerance: accepted, then cut off.
    const now = Math.floor(Date.now() / 1000);
    const expiring = await new SignJWT({ role: Role.FINANCE })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('expiring')
      .setIssuer(AUTH.issuer)
      .setAudience(AUTH.audience)
      .setIssuedAt(now - 60)
      .setExpirationTime(now - 29)
      .sign(new TextEncoder().encode(AUTH.jwtSecret));
    const client = await connect(expiring);
    client.subscribe();
    const started = Date.now();
    expect(await client.closed).toBe(CLOSE.tokenExpired);
    expect(Date.now() - started).toBeLessThan(3000);

    // A valid token's socket ends at its expiry, not 30 s of clock tolerance later.
    const soon = await new SignJWT({ role: Role.FINANCE })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('expiring-soon')
      .setIssuer(AUTH.issuer)
      .setAudience(AUTH.audience)
      .setIssuedAt(now)
      .setExpirationTime(now + 3)
      .sign(new TextEncoder().encode(AUTH.jwtSecret));
    const live = await connect(soon);
    live.subscribe();
    expect(await live.closed).toBe(CLOSE.tokenExpired);
    expect(Date.now() / 1000).toBeLessThan(now + 3 + 2);
  });

  it('refuses a subscription sent over HTTP with a client error naming the WebSocket endpoint', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await tokenFor(actors.merchant(merchant))}`,
      },
      body: JSON.stringify({ query: 'subscription { merchantEvents { kind subjectType } }' }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(body.errors[0].message).toMatch(/WebSocket/);
  });

  it('drops a socket whose message is larger than the limit', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { padding: 'x'.repeat(20_000) } }));
    expect(await closed).toBe(1009); // message too big
  });

  it('ends the subscription of a consumer that falls too far behind, and forgets it', async () => {
    const hub = new LiveHub();
    const stream = hub.subscribe({ merchantId: null, kinds: null });
    const event: LiveEvent = {
      kind: LiveEventKind.LEDGER_POSTED,
      merchantId: merchant.id,
      subjectType: 'LEDGER_TRANSACTION',
      subjectId: merchant.id,
      summary: 'x',
      actor: 'test',
      occurredAt: new Date().toISOString(),
      recordedAt: new Date().toISOString(),
      id: merchant.id,
    };
    hub.deliver(Array.from({ length: MAX_QUEUED_EVENTS }, () => event));
    expect(hub.subscriptions).toBe(1);
    hub.deliver([event]); // one too many
    const failure = (await stream.next().catch((error: unknown) => error)) as { extensions?: { code?: string } };
    expect(failure.extensions?.code).toBe('SLOW_CONSUMER');
    expect(hub.subscriptions).toBe(0);
    for (let i = 0; i < 10; i++) hub.deliver(Array.from({ length: MAX_QUEUED_EVENTS }, () => event)); // nobody holds them
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });
});
