import { bool, cleanEnv, num, port, str, url } from 'envalid';

/** Signs development tokens (`npm run token`); refused in production, where a real key is required. */
export const DEVELOPMENT_JWT_SECRET = 'weiquan-local-development-secret-do-not-use-in-production';

const MIN_SECRET_BITS = 128;

/**
 * An estimate of a secret's entropy: its length times the Shannon entropy of its characters. A
 * repeated character (32 spaces) scores 0; 32 random hex digits about 128.
 */
export function entropyBits(secret: string): number {
  const counts = new Map<string, number>();
  for (const char of secret) counts.set(char, (counts.get(char) ?? 0) + 1);
  const length = [...secret].length;
  let perChar = 0;
  for (const count of counts.values()) perChar -= (count / length) * Math.log2(count / length);
  return perChar * length;
}

/** Local development servers (Vite, Next, CRA…) on any port. */
const LOCAL_ORIGINS = [/^http:\/\/localhost(:\d+)?$/, /^http:\/\/127\.0\.0\.1(:\d+)?$/];

/** Each origin exactly as a browser sends it: scheme, host and port, no path. */
function corsOriginsOf(list: string | undefined, isProduction: boolean): (string | RegExp)[] {
  if (list === undefined) return isProduction ? [] : LOCAL_ORIGINS;
  return list
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean)
    .map((origin) => {
      let parsed: URL;
      try {
        parsed = new URL(origin);
      } catch {
        throw new Error(`CORS_ORIGINS: ${origin} is not an origin (scheme://host[:port])`);
      }
      if (parsed.origin !== origin || !/^https?:$/.test(parsed.protocol))
        throw new Error(`CORS_ORIGINS: write ${origin} as an origin, e.g. ${parsed.origin}`);
      return origin;
    });
}

/** Environment, parsed and validated once at start-up; everything else receives the typed result. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = cleanEnv(env, {
    NODE_ENV: str({ choices: ['development', 'test', 'production'], default: 'development' }),
    PORT: port({ default: 4000 }),
    DATABASE_URL: url({ default: undefined, desc: 'External PostgreSQL; unset means the embedded one' }),
    EMBEDDED_PG_DIR: str({ default: '.data/postgres' }),
    EMBEDDED_PG_PORT: port({ default: 54329 }),
    LOG_LEVEL: str({ choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' }),
    SEED_ON_EMPTY: bool({
      default: undefined,
      desc: 'Load the demo data into an empty database; default on outside production, refused in it',
    }),
    JOBS_ENABLED: bool({ default: true, desc: 'Run scheduled jobs (nightly trust-score recompute) in this process' }),
    APPEAL_DEADLINES_CRON: str({
      default: undefined,
      desc: 'How often appeal SLA timers are enforced (cron); every 5 minutes by default',
    }),
    METRICS_PORT: num({ default: 9464, desc: 'Port of /metrics (Prometheus), apart from the API; 0 turns it off' }),
    SHUTDOWN_DELAY_MS: num({
      default: undefined,
      desc: 'On SIGTERM, how long /readyz answers 503 while requests are still served, so load balancers stop sending; default 5000 in production, 0 elsewhere',
    }),
    SHUTDOWN_GRACE_MS: num({ default: 10_000, desc: 'How long in-flight requests may take to finish once draining' }),
    AUTH_JWT_SECRET: str({ default: undefined, desc: 'HS256 secret for bearer tokens (at least 32 characters)' }),
    AUTH_JWKS_URL: url({ default: undefined, desc: 'JWKS of the identity provider, for asymmetric tokens' }),
    AUTH_ISSUER: str({ default: 'weiquan' }),
    AUTH_AUDIENCE: str({ default: 'weiquan-gateway' }),
    AUTH_MAX_TOKEN_AGE_SECONDS: num({
      default: 24 * 3600,
      desc: 'Oldest token accepted (by iat), and the longest lifetime one may declare',
    }),
    SUBGRAPH_ENABLED: bool({
      default: undefined,
      desc: 'Serve the schema as an Apollo Federation 2 subgraph at /subgraph; default on outside production',
    }),
    CORS_ORIGINS: str({
      default: undefined,
      desc: 'Browser origins allowed to call the API, comma-separated (https://console.example.com); default none in production, localhost and 127.0.0.1 on any port elsewhere',
    }),
    EXPLORER: str({
      choices: ['sandbox', 'graphiql'],
      default: 'sandbox',
      desc: 'What a browser opening /graphql gets: Apollo Sandbox (loads from Apollo’s CDN) or the bundled GraphiQL (offline)',
    }),
    ENABLE_INTROSPECTION: bool({
      default: undefined,
      desc: 'Introspection and Sandbox; default on outside production',
    }),
    HEAP_GROWING_PERCENT: num({
      default: 100,
      desc: "How far V8 lets the old generation grow past what a full collection keeps, in percent; 0 leaves it to V8's own heuristic",
    }),
  });
  const isProduction = parsed.NODE_ENV === 'production';
  const jwtSecret =
    parsed.AUTH_JWT_SECRET ?? (isProduction || parsed.AUTH_JWKS_URL ? undefined : DEVELOPMENT_JWT_SECRET);
  // The embedded PostgreSQL keeps its data in the process's folder: in a container that is lost on restart.
  if (isProduction && !parsed.DATABASE_URL)
    throw new Error('production needs DATABASE_URL: the embedded PostgreSQL is for development');
  if (isProduction && !parsed.AUTH_JWT_SECRET && !parsed.AUTH_JWKS_URL) {
    throw new Error('production needs AUTH_JWT_SECRET or AUTH_JWKS_URL');
  }
  if (jwtSecret && jwtSecret.length < 32) throw new Error('AUTH_JWT_SECRET must be at least 32 characters');
  if (jwtSecret && entropyBits(jwtSecret) < MIN_SECRET_BITS) {
    throw new Error(
      `AUTH_JWT_SECRET must be random (at least ${MIN_SECRET_BITS} bits), e.g. \`openssl rand -base64 48\``,
    );
  }
  if (!Number.isInteger(parsed.METRICS_PORT) || parsed.METRICS_PORT < 0 || parsed.METRICS_PORT > 65535)
    throw new Error('METRICS_PORT must be a port number, or 0 to turn /metrics off');
  for (const name of ['SHUTDOWN_DELAY_MS', 'SHUTDOWN_GRACE_MS'] as const) {
    const value = parsed[name];
    if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > 600_000))
      throw new Error(`${name} must be a whole number of milliseconds between 0 and 600000`);
  }
  if (
    !Number.isInteger(parsed.HEAP_GROWING_PERCENT) ||
    parsed.HEAP_GROWING_PERCENT < 0 ||
    parsed.HEAP_GROWING_PERCENT > 400
  )
    throw new Error('HEAP_GROWING_PERCENT must be a whole number between 0 and 400');
  if (isProduction && parsed.SEED_ON_EMPTY)
    throw new Error('demo data is never loaded in production: unset SEED_ON_EMPTY');
  if (isProduction && jwtSecret === DEVELOPMENT_JWT_SECRET)
    throw new Error('the development secret is refused in production');
  return {
    nodeEnv: parsed.NODE_ENV,
    corsOrigins: corsOriginsOf(parsed.CORS_ORIGINS, isProduction),
    isProduction,
    port: parsed.PORT,
    databaseUrl: parsed.DATABASE_URL as string | undefined,
    embeddedPostgres: { dir: parsed.EMBEDDED_PG_DIR, port: parsed.EMBEDDED_PG_PORT },
    logLevel: parsed.LOG_LEVEL,
    seedOnEmpty: parsed.SEED_ON_EMPTY ?? !isProduction,
    jobsEnabled: parsed.JOBS_ENABLED,
    appealDeadlinesCron: parsed.APPEAL_DEADLINES_CRON as string | undefined,
    metricsPort: parsed.METRICS_PORT,
    shutdown: { delayMs: parsed.SHUTDOWN_DELAY_MS ?? (isProduction ? 5000 : 0), graceMs: parsed.SHUTDOWN_GRACE_MS },
    auth: {
      jwtSecret,
      jwksUrl: parsed.AUTH_JWKS_URL as string | undefined,
      issuer: parsed.AUTH_ISSUER,
      audience: parsed.AUTH_AUDIENCE,
      maxTokenAgeSeconds: parsed.AUTH_MAX_TOKEN_AGE_SECONDS,
    },
    introspection: parsed.ENABLE_INTROSPECTION ?? !isProduction,
    explorer: parsed.EXPLORER as 'sandbox' | 'graphiql',
    subgraph: parsed.SUBGRAPH_ENABLED ?? !isProduction,
    heapGrowingPercent: parsed.HEAP_GROWING_PERCENT,
  };
}

export type Config = ReturnType<typeof loadConfig>;
