import 'reflect-metadata';
import { tracing } from './instrument';
import { setTimeout as delay } from 'node:timers/promises';
import { createServer, type Server } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { loadConfig } from './config';
import { registerEventHandlers } from './modules/event-handlers';
import { openDatabase } from './db/database';
import { seedDemoDataIfEmpty } from './cli/seed-demo-data';
import { startJobs } from './jobs/scheduler';
import { startMetricsServer } from './observability/metrics';
import { createGateway } from './server/app';
import { Health } from './server/health';
import { logger } from './shared/logger';
import { GATEWAY, ormConfig } from './modules';

/**
 * A request's objects (its rows, loaders and answer) outlive several young-generation collections
 * and die in the old generation. V8's own heuristic then lets the old generation grow to up to four
 * times what a full collection keeps, and keeps that memory after the load ends, although such a
 * collection finds little alive and costs little. Twice the live size (100 %) measured, on the
 * benchmark's Q1: peak RSS 341 → 221 MiB at 0.96× the CPU; 50 % cost Q1 1.11× the CPU.
 */
function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/** config → database (embedded or DATABASE_URL) → migrations → demo data → server → listen → jobs → ready. */
async function main() {
  const config = loadConfig();
  limitHeapGrowth(config.heapGrowingPercent);
  registerEventHandlers();
  // A port another process holds fails the start at once, before any database work.
  await assertPortFree(config.port);
  if (config.metricsPort) await assertPortFree(config.metricsPort);
  const database = await openDatabase(config, ormConfig);
  // Without its database the gateway can only fail requests: exit, so a supervisor (or the user)
  // starts it again, which also starts PostgreSQL again.
  void database.crashed?.then(() => {
    logger.fatal('the embedded PostgreSQL stopped; exiting');
    process.exit(1);
  });
  let jobs: Awaited<ReturnType<typeof startJobs>> | undefined;
  let gateway: Awaited<ReturnType<typeof createGateway>>;
  let metrics: Server | undefined;
  const health = new Health(database.orm, () => jobs?.state() ?? (config.jobsEnabled ? 'stopped' : 'disabled'));
  try {
    if (config.seedOnEmpty) await seedDemoDataIfEmpty(database.orm);
    gateway = await createGateway(
      database.orm,
      { gateway: GATEWAY, ...config, drainGraceMs: config.shutdown.graceMs },
      health,
    );
    metrics = config.metricsPort ? await startMetricsServer(config.metricsPort) : undefined;
    await listen(gateway.httpServer, config.port);
  } catch (error) {
    // Stop the embedded PostgreSQL too: it runs in a process group of its own and would outlive us.
    await database.close().catch(() => {});
    throw error;
  }
  if (config.jobsEnabled)
    jobs = await startJobs(database.orm, database.url, { appealDeadlinesCron: config.appealDeadlinesCron });
  health.serving();
  logger.info(
    {
      url: `http://localhost:${config.port}/graphql`,
      metrics: metrics ? `http://localhost:${config.metricsPort}/metrics` : null,
      subgraph: config.subgraph ? `http://localhost:${config.port}/subgraph` : null,
      tracing: tracing ? 'otlp' : 'off',
      // Since the process began (npm and tsx included), not since main(): what a user waits for.
      startupMs: Math.round(process.uptime() * 1000),
      embedded: !config.databaseUrl,
      heapGrowingPercent: config.heapGrowingPercent || 'V8 default',
    },
    'Weiquan gateway ready',
  );
  // Whoever waits for the process (an orchestrator, a test) reads this line now, not in a second.
  logger.flush();

  let stopping = false;
  /**
   * Readiness turns 503 at once; requests are still served for the delay, so load balancers stop
   * sending; then the server stops accepting and waits for in-flight requests (Apollo's drain plugin),
   * jobs finish what they run, spans are flushed and the pool closes.
   */
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    health.draining();
    logger.info({ signal, delayMs: config.shutdown.delayMs }, 'draining');
    const jobsStopped = jobs?.stop();
    await delay(config.shutdown.delayMs);
    await gateway.stop();
    await jobsStopped;
    await Promise.all([closeServer(metrics), tracing?.shutdown()]);
    await database.close();
    logger.info('shutdown complete');
    process.exit(0);
  };
  const onSignal = (signal: string) =>
    void shutdown(signal).catch((error) => {
      logger.fatal({ err: error }, 'shutdown failed');
      process.exit(1);
    });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Fails when another process listens on the port, before anything starts. The port is not held
 * meanwhile (a held port would accept connections nobody answers); one taken later fails `listen`.
 */
async function assertPortFree(port: number): Promise<void> {
  const probe = createServer();
  try {
    await listen(probe, port);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'EADDRINUSE'
        ? `port ${port} is already in use by another process: stop it, or choose another port (PORT, METRICS_PORT)`
        : `cannot listen on port ${port}: ${code ?? String(error)}`,
      { cause: error },
    );
  }
  await closeServer(probe);
}

function closeServer(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

main().catch((error) => {
  logger.fatal({ err: error }, `gateway failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
