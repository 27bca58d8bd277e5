import 'reflect-metadata';
import { loadConfig } from './config';
import { registerEventHandlers } from './modules/event-handlers';
import { openDatabase } from './db/database';
import { seedDemoDataIfEmpty } from './cli/seed-demo-data';
import { startJobs } from './jobs/scheduler';
import { createGateway } from './server/app';
import { logger } from './shared/logger';

/** config → database (embedded or DATABASE_URL) → migrations → demo data → server → listen. */
async function main() {
  const config = loadConfig();
  registerEventHandlers();
  const database = await openDatabase(config);
  // Without its database the gateway can only fail requests: exit, so a supervisor (or the user)
  // starts it again, which also starts PostgreSQL again.
  void database.crashed?.then(() => {
    logger.fatal('the embedded PostgreSQL stopped; exiting');
    process.exit(1);
  });
  if (config.seedOnEmpty) await seedDemoDataIfEmpty(database.orm);
  const gateway = await createGateway(database.orm, config);
  const jobs = config.jobsEnabled ? await startJobs(database.orm, database.url) : undefined;
  await new Promise<void>((resolve) => gateway.httpServer.listen(config.port, resolve));
  logger.info(
    {
      url: `http://localhost:${config.port}/graphql`, // Since the process began (npm and tsx included), not since main(): what a user waits for.
      startupMs: Math.round(process.uptime() * 1000),
      embedded: !config.databaseUrl,
    },
    'Weiquan gateway ready',
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await gateway.apollo.stop();
    await jobs?.stop();
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error) => {
  logger.fatal({ err: error }, 'gateway failed to start');
  process.exit(1);
});
