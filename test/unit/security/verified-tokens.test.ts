import { afterEach, describe, expect, it, vi } from 'vitest';
import { Role } from '../../../src/security/roles';
import { createAuthenticator, signToken } from '../../../src/security/tokens';

const config = {
  issuer: 'weiquan',
  audience: 'weiquan-gateway',
  jwtSecret: 'q8V0dX3rZk1sYw7TnB4mLp9cJh2fGa6eRu5tNo0iWx',
  maxTokenAgeSeconds: 3600,
};

describe('remembered tokens', () => {
  afterEach(() => vi.useRealTimers());

  it('a token verified once is refused again after it expires, and after the longest age, although remembered', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-27T12:00:00Z'));
    const authenticate = createAuthenticator(config);
    const shortLived = `Bearer ${await signToken(config, { subject: 's', role: Role.ADMIN, expiresIn: '10m' })}`;
    const hourLong = `Bearer ${await signToken(config, { subject: 'h', role: Role.FINANCE, expiresIn: '1h' })}`;
    expect((await authenticate(shortLived)).authenticated).toBe(true);
    expect(await authenticate(hourLong)).toMatchObject({ subject: 'h', role: Role.FINANCE });

    vi.setSystemTime(new Date('2026-11-27T12:09:00Z'));
    expect((await authenticate(shortLived)).authenticated).toBe(true);
    vi.setSystemTime(new Date('2026-11-27T12:20:00Z'));
    await expect(authenticate(shortLived)).rejects.toThrow(/expired/);
    expect((await authenticate(hourLong)).authenticated).toBe(true);
    vi.setSystemTime(new Date('2026-11-27T13:10:00Z'));
    await expect(authenticate(hourLong)).rejects.toThrow(/expired/);
  });

  it('a token differing by one character is verified on its own, not taken from memory', async () => {
    const authenticate = createAuthenticator(config);
    const token = await signToken(config, { subject: 'x', role: Role.ADMIN, expiresIn: '30m' });
    await authenticate(`Bearer ${token}`);
    const tampered = token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1);
    await expect(authenticate(`Bearer ${tampered}`)).rejects.toThrow(/invalid or expired/);
  });
});
