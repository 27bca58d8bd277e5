import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { factories, gid } from '../helpers/factories';
import { createTestApp, type TestApp } from '../helpers/test-app';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');

/** `npm run token` as a newcomer uses it, against the gateway's database. */
describe('the token script', () => {
  let app: TestApp;
  let merchantId: string;
  beforeAll(async () => {
    app = await createTestApp();
    merchantId = gid.merchant(await factories(app.orm).merchant({ name: '令牌测试店' }));
  });
  afterAll(() => app?.close());

  const token = (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'src/cli/token.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'development', DATABASE_URL: app.databaseUrl },
    });

  it('mints a MERCHANT token for a merchant that exists, naming it', async () => {
    const { stdout } = await token('--role', 'MERCHANT', '--merchant', merchantId);
    expect(decodeJwt(stdout.trim())).toMatchObject({ role: 'MERCHANT', merchant_id: merchantId });
  });

  it('refuses a merchant that does not exist, and says how to list them', async () => {
    const missing = gid.merchant({ id: '00000000-0000-4000-8000-000000000000' });
    await expect(token('--role', 'MERCHANT', '--merchant', missing)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/no merchant .*--list-merchants/),
    });
    await expect(token('--role', 'MERCHANT', '--merchant', 'shop-1')).rejects.toMatchObject({ code: 1 });
  });

  it('lists the merchants with the ids a token takes', async () => {
    const { stdout } = await token('--list-merchants');
    expect(stdout).toContain(merchantId);
    expect(stdout).toContain('令牌测试店');
  });
});
