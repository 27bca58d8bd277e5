import { cleanEnv, port, str, url } from 'envalid';

/** Environment, parsed and validated once at start-up; everything else receives the typed result. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = cleanEnv(env, {
    NODE_ENV: str({ choices: ['development', 'test', 'production'], default: 'development' }),
    PORT: port({ default: 4000 }),
    DATABASE_URL: url({ default: undefined, desc: 'External PostgreSQL; unset means the embedded one' }),
    EMBEDDED_PG_DIR: str({ default: '.data/postgres' }),
    EMBEDDED_PG_PORT: port({ default: 54329 }),
    LOG_LEVEL: str({ choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' }),
    SEED_ON_EMPTY: str({ choices: ['true', 'false'], default: 'true' }),
  });
  return {
    nodeEnv: parsed.NODE_ENV,
    isProduction: parsed.NODE_ENV === 'production',
    port: parsed.PORT,
    databaseUrl: parsed.DATABASE_URL as string | undefined,
    embeddedPostgres: { dir: parsed.EMBEDDED_PG_DIR, port: parsed.EMBEDDED_PG_PORT },
    logLevel: parsed.LOG_LEVEL,
    seedOnEmpty: parsed.SEED_ON_EMPTY === 'true',
  };
}

export type Config = ReturnType<typeof loadConfig>;
