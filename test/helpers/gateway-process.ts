import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { DEVELOPMENT_JWT_SECRET } from '../../src/config';
import { type Actor } from '../../src/security/actor';
import { signToken } from '../../src/security/tokens';
import { freePort } from './database';

const ROOT = resolve(__dirname, '../..');

// Tests read whatever the query selected.
export type GraphQLBody = { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };

export interface GatewayProcess {
  port: number;
  metricsPort: number;
  child: ChildProcess;
  /** Everything the process has written so far. */
  output(): string;
  /** Its JSON log lines. */
  logLines(): Record<string, unknown>[];
  /** POSTs a GraphQL request as the actor; returns the HTTP status and the body. */
  graphql(
    actor: Actor,
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: GraphQLBody; headers: Headers }>;
  get(path: string): Promise<Response>;
  metrics(): Promise<string>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function tokenFor(actor: Actor): Promise<string> {
  if (!actor.authenticated) return '';
  return signToken(
    { issuer: 'weiquan', audience: 'weiquan-gateway', jwtSecret: DEVELOPMENT_JWT_SECRET },
    { subject: actor.subject, role: actor.role, merchantId: actor.merchantId ?? undefined },
  );
}

/**
 * Starts a gateway command (`src/main.ts`, or `npm start` as a newcomer runs it) and resolves once it
 * logs that it is ready; fails with its output if it exits or takes longer than `ms`.
 */
export async function spawnUntilReady(
  command: string,
  args: string[],
  env: Record<string, string>,
  options: { detached?: boolean; inherit?: NodeJS.ProcessEnv; ms?: number } = {},
): Promise<{ child: ChildProcess; output: () => string; exited: Promise<number | null> }> {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...(options.inherit ?? process.env), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached,
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`gateway did not start:\n${output}`)), options.ms ?? 60_000);
    child.stdout!.on('data', () => output.includes('Weiquan gateway ready') && (clearTimeout(timer), ready()));
    void exited.then((code) => (clearTimeout(timer), fail(new Error(`gateway exited with ${code}:\n${output}`))));
  });
  return { child, output: () => output, exited };
}

/**
 * A gateway in a process of its own, as it runs in production (`src/main.ts`), on the given database:
 * no demo data, its own ports, JSON logs at info.
 */
export async function startGatewayProcess(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<GatewayProcess> {
  const port = await freePort();
  const metricsPort = await freePort();
  const { child, output, exited } = await spawnUntilReady(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    DATABASE_URL: databaseUrl,
    SEED_ON_EMPTY: 'false',
    JOBS_ENABLED: 'false',
    PORT: String(port),
    METRICS_PORT: String(metricsPort),
    ...env,
  });
  const base = `http://127.0.0.1:${port}`;
  const tokens = new Map<string, string>();
  return {
    port,
    metricsPort,
    child,
    output,
    logLines: () =>
      output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    async graphql(actor, query, variables, headers = {}) {
      const key = actor.authenticated ? actor.subject : '';
      if (!tokens.has(key)) tokens.set(key, await tokenFor(actor));
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(tokens.get(key) ? { authorization: `Bearer ${tokens.get(key)}` } : {}),
          ...headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as GraphQLBody, headers: response.headers };
    },
    get: (path) => fetch(`${base}${path}`),
    metrics: async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text(),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** A metric's value from Prometheus text, summed over the series whose labels include `labels`. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([\w:]+)(?:\{(.*)\})? ([\d.eE+-]+|NaN)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const own = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => own[key] === value)) sum += Number(match[3]);
  }
  return sum;
}
