import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../../src/security/roles';
import type { Gateway } from '../../../src/server/app';
import { listeningGateway } from '../../helpers/http-gateway';
import { createTestApp, type TestApp } from '../../helpers/test-app';

/**
 * A plain JSON POST to /graphql takes the bare path; a browser's (an Origin header), a compressed one or
 * another content type goes through Express. Either way a body that is no JSON object, too large or in
 * another charset is a JSON error with a 4xx status — never Express's HTML page, which outside
 * production carries a stack trace — and a good request answers the same. A development gateway: the
 * worst case for leaks.
 */
describe('request bodies over HTTP, on both paths', () => {
  let app: TestApp;
  let gateway: Gateway;
  let url: string;
  let token: string;

  beforeAll(async () => {
    app = await createTestApp();
    const listening = await listeningGateway(app, { isProduction: false, introspection: true });
    ({ gateway, url } = listening);
    token = await listening.token(Role.ADMIN);
  });
  afterAll(async () => {
    await gateway?.stop();
    await app?.close();
  });

  const paths: Record<string, Record<string, string>> = {
    bare: {},
    'Express (a browser’s Origin)': { origin: 'https://console.example' },
  };
  const badBodies: Record<string, { body: string | Buffer; headers?: Record<string, string>; status: number }> = {
    'truncated JSON': { body: '{"query": ', status: 400 },
    'no body': { body: '', status: 400 },
    'a JSON string': { body: '"{ __typename }"', status: 400 },
    'JSON null': { body: 'null', status: 400 },
    'over 2 MB': { body: JSON.stringify({ query: '{ __typename }', padding: 'x'.repeat(2_200_000) }), status: 413 },
    'Latin-1': {
      body: '{"query":"{ __typename }"}',
      headers: { 'content-type': 'application/json; charset=latin1' },
      status: 415,
    },
    'gzip of broken JSON': {
      body: gzipSync('{"query": '),
      headers: { 'content-encoding': 'gzip' },
      status: 400,
    },
  };
  const post = (body: string | Buffer, headers: Record<string, string>) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
      body,
    });

  for (const [path, pathHeaders] of Object.entries(paths)) {
    for (const [name, bad] of Object.entries(badBodies)) {
      it(`${path}: ${name} is a ${bad.status} with a JSON error, no stack trace`, async () => {
        const response = await post(bad.body, { ...pathHeaders, ...bad.headers });
        const text = await response.text();
        expect(response.status).toBe(bad.status);
        expect(response.headers.get('content-type')).toMatch(/^application\/json/);
        expect(JSON.parse(text)).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
        expect(text).not.toMatch(/node_modules|at \w+ \(|Error:/);
        expect(response.headers.get('x-request-id')).toBeTruthy();
      });
    }
  }

  it('a good request answers the same on both paths', async () => {
    const query = JSON.stringify({ query: '{ activePolicy { version } }' });
    const answers = await Promise.all(
      Object.values(paths).map(async (headers) => {
        const response = await post(query, headers);
        return [response.status, await response.json()];
      }),
    );
    expect(answers[0]).toEqual([200, { data: { activePolicy: { version: 1 } } }]);
    expect(answers[1]).toEqual(answers[0]);
    const gzipped = await post(gzipSync(query), { 'content-encoding': 'gzip' });
    expect(await gzipped.json()).toEqual(answers[0][1]);
  });
});
