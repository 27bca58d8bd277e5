import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../../src/security/roles';
import { signToken } from '../../../src/security/tokens';
import { createGateway, type Gateway } from '../../../src/server/app';
import { factories, gid } from '../../helpers/factories';
import { createTestApp, type TestApp } from '../../helpers/test-app';
import { GATEWAY } from '../../../src/modules';

const auth = {
  jwtSecret: 'bad-input-test-secret-Zq8Lm2Xv9Kp4Rt7W',
  jwksUrl: undefined,
  issuer: 'weiquan',
  audience: 'weiquan-gateway',
};

/** Client input is never a server fault: each of these is a validation error or a userError, never INTERNAL. */
describe('bad client input over HTTP (production gateway)', () => {
  let app: TestApp;
  let gateway: Gateway;
  let url: string;
  let token: string;
  let merchantId: string;

  beforeAll(async () => {
    app = await createTestApp();
    merchantId = gid.merchant(await factories(app.orm).merchant());
    gateway = await createGateway(app.orm, { gateway: GATEWAY, isProduction: true, introspection: false, auth });
    await new Promise<void>((resolve) => gateway.httpServer.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(gateway.httpServer.address() as AddressInfo).port}/graphql`;
    token = await signToken(auth, { subject: 'fuzz', role: Role.ADMIN });
  });
  afterAll(async () => {
    await gateway?.apollo.stop();
    await app?.close();
  });

  const send = async (body: unknown) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      body: (await response.json()) as { errors?: { extensions?: { code?: string } }[] },
    };
  };
  const codesOf = (result: Awaited<ReturnType<typeof send>>) =>
    (result.body.errors ?? []).map((e) => e.extensions?.code);
  const cursor = (parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');
  const uuid = '00000000-0000-4000-8000-000000000000';
  const upsert = (name: string) =>
    `mutation { upsertMerchant(input: { externalId: "NUL", name: ${JSON.stringify(name)}, tier: STANDARD, mainCategory: "x", region: ZHEJIANG, deposit: "0" }) { userErrors { code } } }`;

  const cases: Record<string, unknown> = {
    'a NUL byte in a variable': {
      query:
        'mutation($name: String!) { upsertMerchant(input: { externalId: "NUL", name: $name, tier: STANDARD, mainCategory: "x", region: ZHEJIANG, deposit: "0" }) { userErrors { code } } }',
      variables: { name: 'a\u0000b' },
    },
    'a NUL byte in a literal': { query: upsert('a\u0000b') },
    'a cursor with a value of the wrong type': {
      query: `{ orders(first: 1, after: "${cursor(['PAID_AT', 'DESC', 'not-a-date', uuid])}") { totalCount } }`,
    },
    'a cursor with a non-UUID id': {
      query: `{ orders(first: 1, after: "${cursor(['PAID_AT', 'DESC', '2026-01-01T00:00:00.000Z', 'x'])}") { totalCount } }`,
    },
    'an amount cursor that is no number': {
      query: `{ orders(first: 1, sort: { field: PAID_AMOUNT }, after: "${cursor(['PAID_AMOUNT', 'DESC', '1e99x', uuid])}") { totalCount } }`,
    },
    'year 0000': { query: '{ orders(first: 1, filter: { paidAt: { from: "0000-01-01T00:00:00Z" } }) { totalCount } }' },
    'a time before the first policy version': {
      query: `mutation { ingestOrders(input: [{ platform: PINDUODUO, externalNumber: "OLD", merchantId: "${uuid}", buyerId: "x", lines: [], paidAmount: "1", shippingFee: "0", destinationRegion: JIANGSU, paidAt: "1960-01-01T00:00:00Z" }]) { rejectedCount } }`,
    },
    'a persisted-query hash that does not match': {
      query: '{ activePolicy { version } }',
      extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } },
    },
    'an unknown persisted-query version': {
      query: '{ activePolicy { version } }',
      extensions: { persistedQuery: { version: 2, sha256Hash: 'a'.repeat(64) } },
    },
    'a 10,000-token document': { query: `{ merchants(first: 1) { ${'totalCount '.repeat(10_000)} } }` },
  };

  for (const [name, body] of Object.entries(cases)) {
    it(`${name}: a client error (4xx or a validation code), never INTERNAL`, async () => {
      const result = await send(body);
      expect(codesOf(result)).not.toContain('INTERNAL_SERVER_ERROR');
      expect(codesOf(result).length, JSON.stringify(result.body)).toBeGreaterThan(0);
      expect(result.status).toBeLessThan(500);
    });
  }

  it('the merchant named with a NUL byte was not written, and a clean name still works', async () => {
    const clean = await send({ query: upsert('干净的名字') });
    expect(codesOf(clean)).toEqual([]);
    expect(merchantId).toBeTruthy();
  });
});
