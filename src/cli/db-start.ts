/**
 * Runs the embedded PostgreSQL on its own, for the MikroORM CLI (`npm run migration:create`) or psql.
 * Stops on Ctrl-C.
 */
import { loadConfig } from '../config';
import { startEmbeddedPostgres } from '../db/embedded-postgres';

async function main() {
  const config = loadConfig();
  const db = await startEmbeddedPostgres(config.embeddedPostgres);
  console.log(`embedded PostgreSQL running: ${db.url}`);
  const stop = () => void db.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
