import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVELOPMENT_JWT_SECRET } from '../../src/config';
import { createGateway, type Gateway } from '../../src/server/app';
import { factories } from '../helpers/factories';
import { tokenFor } from '../helpers/gateway-process';
import { actors, createTestApp, type TestApp } from '../helpers/test-app';
import { GATEWAY } from '../../src/modules';

const AUTH = { issuer: 'weiquan', audience: 'weiquan-gateway', jwtSecret: DEVELOPMENT_JWT_SECRET, jwksUrl: undefined };

/**
 * The bundled explorer in a real headless Chromium (Debian's package), on a machine that reaches no
 * CDN: load the page, put the token in the headers editor, run a query, read the answer on the page.
 */
describe('the offline explorer (GraphiQL) in a browser', () => {
  let app: TestApp;
  let gateway: Gateway;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    app = await createTestApp();
    await factories(app.orm).merchant({ name: '浏览器里的店' });
    gateway = await createGateway(app.orm, {
      gateway: GATEWAY,
      isProduction: false,
      introspection: true,
      auth: AUTH,
      explorer: 'graphiql',
    });
    await new Promise<void>((resolve) => gateway.httpServer.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(gateway.httpServer.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await app?.close();
  });

  it('runs a query with the token from the headers editor and shows the answer', async () => {
    const page = await browser.newPage();
    const outside: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(base)) outside.push(request.url());
    });
    // GET /graphql in a browser leads to the explorer when EXPLORER=graphiql.
    await page.goto(`${base}/graphql`);
    expect(new URL(page.url()).pathname).toBe('/explorer');
    await page.waitForSelector('.graphiql-container', { timeout: 20_000 });

    const token = await tokenFor(actors.admin);
    const headers = page.locator('.graphiql-editor-tool .CodeMirror').last();
    await headers.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    await page.keyboard.insertText(`{ "Authorization": "Bearer ${token}" }`);

    const query = page.locator('.graphiql-query-editor .CodeMirror').first();
    await query.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    await page.keyboard.insertText('{ merchants(first: 5) { totalCount edges { node { name } } } }');
    await page.locator('.graphiql-execute-button').click();

    const result = page.locator('.graphiql-response');
    await expect.poll(() => result.innerText(), { timeout: 20_000 }).toContain('浏览器里的店');
    expect(await result.innerText()).toContain('"totalCount": 1');
    await page.screenshot({ path: 'test/browser/explorer.png' }).catch(() => {});
    expect(outside).toEqual([]);
  });
});
