import { describe, expect, it } from 'vitest';
import { DEVELOPMENT_JWT_SECRET, entropyBits, loadConfig } from '../../src/config';

const RANDOM_SECRET = 'q3Vx9Lk2Pz7Rm4Tn8Wb1Yc6Hd5Jf0Gs-AeUiO_lkMN';

/** What every production configuration has besides what a test varies. */
const PRODUCTION = { NODE_ENV: 'production', DATABASE_URL: 'postgresql://weiquan@db.internal:5432/weiquan' };

describe('configuration', () => {
  it('signs development tokens with the local secret outside production', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).auth.jwtSecret).toBe(DEVELOPMENT_JWT_SECRET);
    expect(loadConfig({ NODE_ENV: 'development' }).introspection).toBe(true);
  });

  it('fails fast in production without a real key', () => {
    expect(() => loadConfig({ ...PRODUCTION })).toThrow(/AUTH_JWT_SECRET or AUTH_JWKS_URL/);
    expect(() => loadConfig({ ...PRODUCTION, AUTH_JWT_SECRET: DEVELOPMENT_JWT_SECRET })).toThrow(
      /refused in production/,
    );
    expect(() => loadConfig({ ...PRODUCTION, AUTH_JWT_SECRET: 'short' })).toThrow(/32 characters/);
  });

  it('refuses a secret without real entropy, however long', () => {
    for (const weak of [' '.repeat(32), 'x'.repeat(64), 'abababababababababababababababab']) {
      expect(() => loadConfig({ ...PRODUCTION, AUTH_JWT_SECRET: weak })).toThrow(/random/);
    }
    expect(entropyBits(' '.repeat(32))).toBe(0);
    expect(entropyBits(RANDOM_SECRET)).toBeGreaterThanOrEqual(128);
  });

  it('loads demo data only when asked for, and never in production', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).seedOnEmpty).toBe(true);
    expect(loadConfig({ ...PRODUCTION, AUTH_JWT_SECRET: RANDOM_SECRET }).seedOnEmpty).toBe(false);
    expect(() => loadConfig({ ...PRODUCTION, AUTH_JWT_SECRET: RANDOM_SECRET, SEED_ON_EMPTY: 'true' })).toThrow(
      /never loaded in production/,
    );
  });

  it('turns introspection and Sandbox off in production unless enabled for an internal deployment', () => {
    const secret = RANDOM_SECRET;
    expect(loadConfig({ ...PRODUCTION, AUTH_JWT_SECRET: secret }).introspection).toBe(false);
    expect(loadConfig({ ...PRODUCTION, AUTH_JWT_SECRET: secret, ENABLE_INTROSPECTION: 'true' }).introspection).toBe(
      true,
    );
  });

  it('lets the heap grow to twice its live size unless told otherwise, and refuses nonsense', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).heapGrowingPercent).toBe(100);
    expect(loadConfig({ NODE_ENV: 'development', HEAP_GROWING_PERCENT: '0' }).heapGrowingPercent).toBe(0);
    for (const nonsense of ['-1', '401', '1.5']) {
      expect(() => loadConfig({ NODE_ENV: 'development', HEAP_GROWING_PERCENT: nonsense })).toThrow(
        /HEAP_GROWING_PERCENT/,
      );
    }
  });

  it('needs an external database in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: RANDOM_SECRET })).toThrow(/DATABASE_URL/);
  });

  it('drains for 5 s in production and not at all in development, and refuses nonsense ports and delays', () => {
    expect(loadConfig({ ...PRODUCTION, AUTH_JWT_SECRET: RANDOM_SECRET }).shutdown).toEqual({
      delayMs: 5000,
      graceMs: 10_000,
    });
    expect(loadConfig({ NODE_ENV: 'development' }).shutdown.delayMs).toBe(0);
    expect(loadConfig({ METRICS_PORT: '0' }).metricsPort).toBe(0);
    expect(() => loadConfig({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
    expect(() => loadConfig({ METRICS_PORT: '9.5' })).toThrow(/METRICS_PORT/);
    expect(() => loadConfig({ SHUTDOWN_DELAY_MS: '-1' })).toThrow(/SHUTDOWN_DELAY_MS/);
    expect(() => loadConfig({ SHUTDOWN_GRACE_MS: '1e9' })).toThrow(/SHUTDOWN_GRACE_MS/);
  });
});
