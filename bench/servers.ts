import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const PEER_DIR = join(ROOT, 'bench', 'peer');
const STATS_PRELOAD = join(ROOT, 'bench', 'process-stats.cjs');

export interface ProcessStats {
  cpuMicros: number;
  rss: number;
  queries: number;
}

/** A server process under test: its GraphQL URL and the counters `process-stats.cjs` exposes. */
export interface BenchServer {
  name: string;
  url: string;
  stats(): Promise<ProcessStats>;
  stop(): Promise<void>;
}

async function waitFor(url: string, child: ChildProcess, log: () => string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${log()}`);
    try {
      await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      return;
    } catch {
      await new Promise((done) => setTimeout(done, 200));
    }
  }
  throw new Error(`server at ${url} did not answer within ${timeoutMs} ms:\n${log()}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function startServer(
  name: string,
  command: string,
  args: string[],
  options: { cwd: string; env: (port: number) => NodeJS.ProcessEnv },
): Promise<BenchServer> {
  const port = await freePort();
  const statsPort = await freePort();
  const child = spawn(command, ['--require', STATS_PRELOAD, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env(port), BENCH_STATS_PORT: String(statsPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}/graphql`;
  try {
    await waitFor(url, child, () => output);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    name,
    url,
    async stats() {
      return (await (await fetch(`http://127.0.0.1:${statsPort}/`)).json()) as ProcessStats;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * The compiled gateway, built once per bench run (`npm run build`): what production runs
 * (`npm run start:prod`, the Dockerfile), not tsx's on-the-fly loader.
 */
export function buildGateway(root = ROOT): void {
  const result = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`npm run build failed with ${result.status}`);
}

/**
 * Another revision's gateway, compiled in a git worktree outside the repository (so no test, lint or
 * build of this tree sees it) with this tree's node_modules (patches included). Returns its root and a cleanup.
 */
export function buildRevision(revision: string): { root: string; name: string; remove: () => void } {
  const git = (...args: string[]) => {
    const result = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
    return result.stdout.trim();
  };
  const commit = git('rev-parse', '--verify', `${revision}^{commit}`);
  // Both sides run this tree's node_modules: a change to the lockfile or to patches/ is not measured.
  if (spawnSync('git', ['diff', '--quiet', commit, '--', 'package-lock.json', 'patches'], { cwd: ROOT }).status !== 0)
    console.log(`Note: ${revision} has other dependencies or patches than this tree; both sides run this tree's.`);
  const root = join(tmpdir(), `weiquan-ab-${commit.slice(0, 12)}`);
  if (existsSync(root)) git('worktree', 'remove', '--force', root);
  git('worktree', 'add', '--detach', root, commit);
  const remove = () => void git('worktree', 'remove', '--force', root);
  try {
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
    buildGateway(root);
  } catch (error) {
    // A revision that does not build leaves no worktree behind.
    remove();
    throw error;
  }
  return { root, name: `gateway@${commit.slice(0, 7)}`, remove };
}

/**
 * The Node flags `npm run start:prod` (and the Dockerfile) start the gateway with, from the package.json
 * of the tree that is measured, so that an A/B of a revision measures its own flags.
 */
function productionNodeFlags(root: string): string[] {
  const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts;
  // A revision from before start:prod (or its flags) starts with none.
  const words = (scripts['start:prod'] ?? '').split(/\s+/);
  const [node, main] = [words.indexOf('node'), words.indexOf('dist/src/main.js')];
  return node >= 0 && main > node ? words.slice(node + 1, main) : [];
}

/**
 * The gateway as production runs it (see buildGateway): its own process, jobs off, its default pool
 * (10); `env` adds settings (an OTLP endpoint, for the tracing row).
 */
export function startGateway(
  databaseUrl: string,
  jwtSecret: string,
  options: { name?: string; env?: Record<string, string>; root?: string } = {},
): Promise<BenchServer> {
  const root = options.root ?? ROOT;
  // BENCH_GATEWAY_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/profiles", to profile the gateway.
  const nodeArgs = process.env.BENCH_GATEWAY_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  return startServer(
    options.name ?? 'gateway',
    process.execPath,
    [...productionNodeFlags(root), ...nodeArgs, 'dist/src/main.js'],
    {
      cwd: root,
      env: (port) => ({
        NODE_ENV: 'production',
        PORT: String(port),
        METRICS_PORT: '0',
        DATABASE_URL: databaseUrl,
        JOBS_ENABLED: 'false',
        // Production's level: one line per request, written to a pipe the bench drains.
        LOG_LEVEL: 'info',
        AUTH_JWT_SECRET: jwtSecret,
        ...options.env,
      }),
    },
  );
}

/**
 * An OTLP/HTTP endpoint that accepts and discards spans, standing in for a collector, so the
 * tracing row measures what exporting costs the gateway.
 */
export async function startSpanSink(): Promise<{ url: string; batches: () => number; close(): Promise<void> }> {
  let batches = 0;
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => (batches++, res.writeHead(200, { 'content-type': 'application/json' }).end('{}')));
  });
  const port = await freePort();
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${port}`,
    batches: () => batches,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

/** Installs bench/peer (PostGraphile 5 and a Node 22 to run it) on first use. */
export function ensurePeerInstalled(): void {
  if (existsSync(join(PEER_DIR, 'node_modules', '.bin', 'node'))) return;
  console.log('Installing the peer (PostGraphile 5 on Node 22) into bench/peer ...');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: PEER_DIR, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm ci in bench/peer failed');
}

/** PostGraphile 5 on Node 22 with the same pool size; `rls` as the gateway's role and tenant settings. */
export function startPostGraphile(databaseUrl: string, rls: boolean): Promise<BenchServer> {
  return startServer(
    rls ? 'PostGraphile (RLS)' : 'PostGraphile (no RLS)',
    join(PEER_DIR, 'node_modules', '.bin', 'node'),
    ['server.js'],
    {
      cwd: PEER_DIR,
      env: (port) => ({
        GRAPHILE_ENV: 'production',
        NODE_ENV: 'production',
        PEER_DATABASE_URL: databaseUrl,
        PEER_PORT: String(port),
        PEER_POOL_MAX: '10',
        PEER_RLS: rls ? '1' : '0',
      }),
    },
  );
}

/**
 * CPU time (µs) of a PostgreSQL server's processes, from /proc: the postmaster named in
 * `postmaster.pid`, its live children (the backends) and the ones it has reaped. Undefined for a
 * database elsewhere.
 */
export function postgresCpuReader(dataDir: string | undefined): (() => number) | undefined {
  if (!dataDir || !existsSync(join(dataDir, 'postmaster.pid')) || !existsSync('/proc/self/stat')) return undefined;
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const ticksPerSecond = 100; // USER_HZ, 100 on Linux
  return () => {
    let ticks = 0;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        // Fields after the parenthesised command: state(3) ppid(4) ... utime(14) stime(15) cutime(16)
        // cstime(17). The postmaster's cutime/cstime hold the backends that have exited, so the sum
        // never goes back when a pool closes an idle connection.
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const pid = Number(entry);
        if (pid === postmaster) ticks += Number(fields[13]) + Number(fields[14]);
        if (pid === postmaster || Number(fields[1]) === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
      } catch {
        // The process ended between listing and reading.
      }
    }
    return (ticks * 1_000_000) / ticksPerSecond;
  };
}
