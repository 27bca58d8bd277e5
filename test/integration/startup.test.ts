import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_SIZES } from '../../src/cli/seed-demo-data';
import { Role } from '../../src/security/roles';
import { freePort } from '../helpers/database';
import { spawnUntilReady, tokenFor } from '../helpers/gateway-process';

/** Runs `npm start` as a newcomer would, with its own data folder and ports; resolves once it listens. */
async function startGateway(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; log: () => string; ms: number }> {
  const started = Date.now();
  const { DATABASE_URL: _external, ...inherited } = process.env;
  const { child, output } = await spawnUntilReady(
    'npm',
    ['start'],
    { NODE_ENV: 'development', LOG_LEVEL: 'info', ...env },
    { detached: true, inherit: inherited, ms: 90_000 },
  );
  return { child, log: output, ms: Date.now() - started };
}

/** Signals the whole group (npm, tsx and node), as Ctrl-C in a terminal does; resolves with npm's exit code. */
async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  process.kill(-child.pid!, signal);
  return exited;
}

const postmasterRunning = (dir: string) => existsSync(join(dir, 'postmaster.pid'));

async function graphql(port: number, query: string) {
  const token = await tokenFor({ authenticated: true, subject: 'newcomer', role: Role.ADMIN, merchantId: null });
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  return response.json() as Promise<{ data?: any; errors?: unknown[] }>;
}

describe('npm start on an empty data folder', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'weiquan-start-'));
  chmodSync(dataDir, 0o755); // as root, PostgreSQL's own OS user must be able to enter it
  const children: ChildProcess[] = [];
  afterAll(async () => {
    await Promise.all(children.map((child) => stop(child)));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('initialises PostgreSQL, migrates, loads demo data, serves queries and Sandbox, and keeps the data across a restart', async () => {
    const env = {
      EMBEDDED_PG_DIR: join(dataDir, 'pg'),
      EMBEDDED_PG_PORT: String(await freePort()),
      PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
    };
    const port = Number(env.PORT);
    const cold = await startGateway(env);
    children.push(cold.child);
    console.info(`cold start of npm start (initdb, migrations, demo data): ${cold.ms} ms`);

    const query =
      '{ merchants(first: 50) { totalCount edges { node { name orders(first: 3) { totalCount edges { node { externalNumber buyer { nickname } } } } } } } }';
    const result = await graphql(port, query);
    expect(result.errors).toBeUndefined();
    expect(result.data.merchants.totalCount).toBe(DEMO_SIZES.merchants);
    const orderTotal = result.data.merchants.edges.reduce((sum: number, e: any) => sum + e.node.orders.totalCount, 0);
    expect(orderTotal).toBe(DEMO_SIZES.orders);

    const sandbox = await fetch(`http://127.0.0.1:${port}/graphql`, { headers: { accept: 'text/html' } });
    expect(sandbox.status).toBe(200);
    expect(await sandbox.text()).toMatch(/sandbox/i);
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toEqual({ status: 'ok' });
    const readiness = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(readiness.status).toBe(200);
    expect(await readiness.json()).toMatchObject({ status: 'serving', checks: { migrations: 'ok', jobs: 'running' } });

    // Ctrl-C: the gateway drains, then stops its PostgreSQL itself, and npm exits 0.
    expect(await stop(cold.child, 'SIGINT')).toBe(0);
    expect(cold.log()).toMatch(/shutdown complete/);
    expect(cold.log()).not.toMatch(/PostgreSQL stopped; exiting|exited under the running gateway/);
    expect(postmasterRunning(env.EMBEDDED_PG_DIR)).toBe(false);
    const warm = await startGateway(env);
    children.push(warm.child);
    console.info(`warm start of npm start (existing data folder): ${warm.ms} ms`);
    expect(warm.log()).not.toMatch(/demo data loaded/);
    const again = await graphql(port, '{ merchants(first: 1) { totalCount } }');
    expect(again.data.merchants.totalCount).toBe(DEMO_SIZES.merchants);
    expect(await stop(warm.child, 'SIGTERM')).toBe(0);
    expect(postmasterRunning(env.EMBEDDED_PG_DIR)).toBe(false);
  }, 180_000);

  it('with its port taken, fails at once with a clear message and exit 1, before any database work', async () => {
    const taken = createServer();
    const port = await freePort();
    await new Promise<void>((done) => taken.listen(port, done));
    const pgDir = join(dataDir, 'never');
    try {
      const { DATABASE_URL: _external, ...inherited } = process.env;
      const child = spawn('npm', ['start'], {
        env: {
          ...inherited,
          NODE_ENV: 'development',
          LOG_LEVEL: 'info',
          PORT: String(port),
          METRICS_PORT: '0',
          EMBEDDED_PG_DIR: pgDir,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout!.on('data', (chunk) => (output += chunk));
      child.stderr!.on('data', (chunk) => (output += chunk));
      const code = await new Promise<number | null>((done) => child.once('exit', done));
      expect(code).toBe(1);
      expect(output).toContain(`port ${port} is already in use`);
      expect(existsSync(pgDir)).toBe(false);
    } finally {
      taken.close();
    }
  }, 60_000);
});
