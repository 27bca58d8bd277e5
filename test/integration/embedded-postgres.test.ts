import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** The embedded database's life around the gateway's: orphans, crashes and failures to start. */
describe('embedded PostgreSQL lifecycle', () => {
  const folder = () => mkdtempSync(join(tmpdir(), 'weiquan-pg-'));

  it('a PostgreSQL left running on the data folder by a killed gateway is stopped, and the new start succeeds', async () => {
    const dir = folder();
    const orphan = await startEmbeddedPostgres({ dir, port: await freePort(), persistent: false });
    expect(orphan.url).toBeTruthy(); // never stopped: as if the gateway's process had been killed
    const next = await startEmbeddedPostgres({ dir, port: await freePort(), persistent: false });
    await next.stop();
  }, 60_000);

  it('when PostgreSQL dies under a running gateway, the gateway hears of it', async () => {
    const database = await startEmbeddedPostgres({ dir: folder(), port: await freePort(), persistent: false });
    const pid = Number(readFileSync(join(await dataDirOf(database.url), 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 'SIGKILL');
    await expect(
      Promise.race([database.crashed.then(() => 'crashed'), new Promise((r) => setTimeout(() => r('silent'), 10_000))]),
    ).resolves.toBe('crashed');
  }, 60_000);

  it('a start that fails says why, from PostgreSQL’s own log, at error level', async () => {
    const port = await freePort();
    const first = await startEmbeddedPostgres({ dir: folder(), port, persistent: false });
    try {
      await expect(startEmbeddedPostgres({ dir: folder(), port, persistent: false })).rejects.toThrow(
        /did not start: .*(address|port|socket|lock)/i,
      );
    } finally {
      await first.stop();
    }
  }, 60_000);
});

/** The data folder a running server reports (it may have moved to a folder the postgres user reaches). */
async function dataDirOf(url: string): Promise<string> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('show data_directory')).rows[0].data_directory as string;
  } finally {
    await client.end();
  }
}
