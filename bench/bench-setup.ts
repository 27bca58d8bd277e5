import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { seedDemoDataIfEmpty } from '../src/cli/seed-demo-data';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres';
import { registerEventHandlers } from '../src/modules/event-handlers';
import type { AddressInfo } from 'node:net';
import type { AuthConfig } from '../src/security/tokens';
import { createGateway } from '../src/server/app';
import { GATEWAY, ormConfig } from '../src/modules';

/** A migrated database with the demo data: embedded in a temporary folder, or DATABASE_URL's. */
export async function openBenchDatabase(poolMax: number): Promise<{ orm: MikroORM; close: () => Promise<void> }> {
  let dataDir: string | undefined;
  let url = process.env.DATABASE_URL;
  let stop = async () => {};
  if (!url) {
    dataDir = mkdtempSync(join(tmpdir(), 'weiquan-bench-'));
    chmodSync(dataDir, 0o755);
    const db = await startEmbeddedPostgres({
      dir: dataDir,
      port: 55000 + Math.floor(Math.random() * 900),
      persistent: false,
    });
    url = db.url;
    stop = db.stop;
  }
  const orm = await MikroORM.init(ormConfig(url, { poolMax }));
  await orm.getMigrator().up();
  registerEventHandlers();
  await seedDemoDataIfEmpty(orm);
  return {
    orm,
    close: async () => {
      await orm.close();
      await stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The gateway in production mode on a free loopback port; `stop` lets abandoned requests finish. */
export async function serveBenchGateway(orm: MikroORM, auth: AuthConfig) {
  const gateway = await createGateway(orm, { gateway: GATEWAY, isProduction: true, introspection: false, auth });
  await new Promise<void>((resolve) => gateway.httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = gateway.httpServer.address() as AddressInfo;
  return {
    gateway,
    url: `http://127.0.0.1:${port}/graphql`,
    async stop() {
      // Requests autocannon abandoned at the end may still be running: let them finish first.
      await new Promise((resolve) => gateway.httpServer.close(resolve));
      await gateway.apollo.stop();
    },
  };
}
