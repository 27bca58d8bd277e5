import { describe, expect, it } from 'vitest';
import { DEVELOPMENT_JWT_SECRET, loadConfig } from '../../src/config';

describe('configuration', () => {
  it('signs development tokens with the local secret outside production', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).auth.jwtSecret).toBe(DEVELOPMENT_JWT_SECRET);
    expect(loadConfig({ NODE_ENV: 'development' }).introspection).toBe(true);
  });

  it('fails fast in production without a real key', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/AUTH_JWT_SECRET or AUTH_JWKS_URL/);
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: DEVELOPMENT_JWT_SECRET })).toThrow(
      /refused in production/,
    );
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: 'short' })).toThrow(/32 characters/);
  });

  it('turns introspection and Sandbox off in production unless enabled for an internal deployment', () => {
    const secret = 'x'.repeat(40);
    expect(loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: secret }).introspection).toBe(false);
    expect(
      loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: secret, ENABLE_INTROSPECTION: 'true' }).introspection,
    ).toBe(true);
  });
});
