import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config';
import { createGateway, type Gateway } from '../../../src/server/app';
import { Role } from '../../../src/security/roles';
import { signToken } from '../../../src/security/tokens';
import { factories } from '../../helpers/factories';
import { createTestApp, type TestApp } from '../../helpers/test-app';
import { GATEWAY } from '../../../src/modules';

const auth = { issuer: 'weiquan', audience: 'weiquan-gateway', jwtSecret: 'kX9#mP2$vL7@qR4!wN8&zT1^bY6*cF3%' };

/** A browser console on another origin, as a Vite dev server or the production console would call. */
describe('cross-origin requests from browser consoles', () => {
  let app: TestApp;
  let gateway: Gateway;
  let url: string;
  beforeAll(async () => {
    app = await createTestApp();
    await factories(app.orm).merchant();
    gateway = await createGateway(app.orm, {
      gateway: GATEWAY,
      isProduction: true,
      introspection: false,
      auth,
      corsOrigins: loadConfig({ NODE_ENV: 'test', CORS_ORIGINS: 'https://console.example.com' }).corsOrigins,
    });
    await new Promise<void>((resolve) => gateway.httpServer.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(gateway.httpServer.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    await gateway?.apollo.stop();
    await app?.close();
  });

  const preflight = (origin: string) =>
    fetch(url, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });

  it('answers the preflight of an allowed origin, then serves its request with the CORS headers', async () => {
    const answer = await preflight('https://console.example.com');
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://console.example.com');
    expect(answer.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(answer.headers.get('access-control-allow-methods')).toMatch(/POST/);

    const token = await signToken(auth, { subject: 'cors', role: Role.ADMIN });
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        origin: 'https://console.example.com',
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ query: '{ merchants(first: 1) { totalCount } }' }),
    });
    expect(response.headers.get('access-control-allow-origin')).toBe('https://console.example.com');
    expect(await response.json()).toEqual({ data: { merchants: { totalCount: 1 } } });
  });

  it('gives another origin no CORS headers, so its browser refuses the answer', async () => {
    const answer = await preflight('https://evil.example.net');
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('keeps CSRF prevention: a simple cross-site GET without a preflight header is refused', async () => {
    const response = await fetch(`${url}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { origin: 'https://console.example.com' },
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/CSRF/i);
  });

  it('allows the local dev servers by default outside production, and no origin in production', () => {
    const development = loadConfig({ NODE_ENV: 'development' }).corsOrigins;
    const allowed = (origin: string) =>
      development.some((rule) => (typeof rule === 'string' ? rule === origin : rule.test(origin)));
    expect(allowed('http://localhost:5173')).toBe(true);
    expect(allowed('http://127.0.0.1:3000')).toBe(true);
    expect(allowed('http://localhost.evil.net')).toBe(false);
    const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://x@db/x', AUTH_JWT_SECRET: auth.jwtSecret };
    expect(loadConfig(production).corsOrigins).toEqual([]);
    expect(() => loadConfig({ ...production, CORS_ORIGINS: 'https://console.example.com/app' })).toThrow(/origin/);
  });
});
