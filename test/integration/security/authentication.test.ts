import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Merchant } from '../../../src/modules/merchants/merchant.entity';
import { Role } from '../../../src/security/roles';
import { signToken } from '../../../src/security/tokens';
import { createGateway, type Gateway } from '../../../src/server/app';
import { factories, gid } from '../../helpers/factories';
import { createTestApp, type TestApp } from '../../helpers/test-app';
import { GATEWAY } from '../../../src/modules';

const SECRET = 'test-secret-with-at-least-thirty-two-characters';
const ISSUER = 'weiquan';
const AUDIENCE = 'weiquan-gateway';
const QUERY = '{ merchants(first: 10) { totalCount edges { node { id } } } }';

async function listen(gateway: Gateway): Promise<string> {
  await new Promise<void>((resolve) => gateway.httpServer.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(gateway.httpServer.address() as AddressInfo).port}/graphql`;
}

async function post(url: string, headers: Record<string, string> = {}, query = QUERY) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as { data?: any; errors?: any[] },
  };
}

describe('authentication over HTTP', () => {
  let app: TestApp;
  let url: string;
  let gateway: Gateway;
  let merchant: Merchant;
  const sign = (claims: Parameters<typeof signToken>[1]) =>
    signToken({ issuer: ISSUER, audience: AUDIENCE, jwtSecret: SECRET }, claims);

  beforeAll(async () => {
    app = await createTestApp();
    merchant = await factories(app.orm).merchant();
    await factories(app.orm).merchant();
    gateway = await createGateway(app.orm, {
      gateway: GATEWAY,
      isProduction: false,
      introspection: true,
      auth: { jwtSecret: SECRET, jwksUrl: undefined, issuer: ISSUER, audience: AUDIENCE },
    });
    url = await listen(gateway);
  });
  afterAll(async () => {
    await gateway?.apollo.stop();
    await app?.close();
  });

  it('without a token every field answers UNAUTHENTICATED, no data and 401, like a bad token', async () => {
    const { status, body } = await post(url);
    expect(status).toBe(401);
    expect(body.data).toBeNull();
    expect(body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses malformed, forged, expired, foreign-audience, incomplete, unbounded and future tokens with 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const key = new TextEncoder().encode(SECRET);
    const tokens = {
      malformed: 'Token abc',
      forged: `Bearer ${await new SignJWT({ role: 'ADMIN' }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('1h').sign(new TextEncoder().encode('another-secret-of-at-least-thirty-two-chars'))}`,
      expired: `Bearer ${await new SignJWT({ role: 'ADMIN' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('x')
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime(now - 60)
        .sign(key)}`,
      foreignAudience: `Bearer ${await new SignJWT({ role: 'ADMIN' }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer(ISSUER).setAudience('someone-else').setExpirationTime('1h').sign(key)}`,
      unknownRole: `Bearer ${await new SignJWT({ role: 'GOD' }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('1h').sign(key)}`,
      merchantWithoutMerchant: `Bearer ${await sign({ subject: 'm', role: Role.MERCHANT })}`,
      withoutExpiry: `Bearer ${await new SignJWT({ role: 'ADMIN' }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().sign(key)}`,
      hundredYears: `Bearer ${await new SignJWT({ role: 'ADMIN' }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().setExpirationTime('100y').sign(key)}`,
      issuedInTheFuture: `Bearer ${await new SignJWT({ role: 'ADMIN' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('x')
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(now + 600)
        .setExpirationTime(now + 3600)
        .sign(key)}`,
      issuedTwoDaysAgo: `Bearer ${await new SignJWT({ role: 'ADMIN' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('x')
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(now - 2 * 86_400)
        .setExpirationTime(now + 3600)
        .sign(key)}`,
    };
    for (const [name, authorization] of Object.entries(tokens)) {
      const { status, body } = await post(url, { authorization });
      expect(status, name).toBe(401);
      expect(body.errors?.[0].extensions.code, name).toBe('UNAUTHENTICATED');
      expect(body.data, name).toBeUndefined();
    }
  });

  it('a merchant token reaches its own merchant only; a staff token reaches all', async () => {
    const own = await post(url, {
      authorization: `Bearer ${await sign({ subject: 'shop-owner', role: Role.MERCHANT, merchantId: gid.merchant(merchant) })}`,
    });
    expect(own.body.data.merchants).toEqual({ totalCount: 1, edges: [{ node: { id: gid.merchant(merchant) } }] });
    const staff = await post(url, { authorization: `Bearer ${await sign({ subject: 'analyst', role: Role.RISK })}` });
    expect(staff.body.data.merchants.totalCount).toBe(2);
  });

  it('echoes a caller’s request id, or makes one', async () => {
    expect((await post(url, { 'x-request-id': 'trace-123' })).headers.get('x-request-id')).toBe('trace-123');
    expect((await post(url)).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('verifies asymmetric tokens against a JWKS URL', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
    const jwks = http.createServer((_req, res) =>
      res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })),
    );
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const jwksGateway = await createGateway(app.orm, {
      gateway: GATEWAY,
      isProduction: true,
      introspection: false,
      auth: {
        jwtSecret: undefined,
        jwksUrl: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
        issuer: ISSUER,
        audience: AUDIENCE,
      },
    });
    try {
      const jwksUrl = await listen(jwksGateway);
      const token = await new SignJWT({ role: 'FINANCE' })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setSubject('fin')
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      expect((await post(jwksUrl, { authorization: `Bearer ${token}` })).body.data.merchants.totalCount).toBe(2);
      // An HS256 token signed with some secret is no use against a JWKS deployment.
      expect(
        (await post(jwksUrl, { authorization: `Bearer ${await sign({ subject: 'x', role: Role.ADMIN })}` })).status,
      ).toBe(401);
    } finally {
      await jwksGateway.apollo.stop();
      jwks.close();
    }
  });
});
