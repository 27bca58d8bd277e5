import { createSecretKey } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { LRUCache } from 'lru-cache';
import { createRemoteJWKSet, type JWTPayload, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { isUuid, localIdOf } from '../graphql/global-id';
import { ANONYMOUS, type Actor } from './actor';
import { isRole, Role } from './roles';

export interface AuthConfig {
  /** HS256 shared secret; or */
  jwtSecret?: string;
  /** a JWKS URL for asymmetric keys (RS256, ES256, EdDSA). */
  jwksUrl?: string;
  issuer: string;
  audience: string;
  /** Oldest token accepted (by its iat), and the longest lifetime one may declare (exp − iat). */
  maxTokenAgeSeconds?: number;
}

/** Clocks of the identity provider and the gateway differ a little. */
const CLOCK_TOLERANCE_SECONDS = 30;

interface Session {
  actor: Actor;
  validUntilMs: number;
  expiresAtMs: number;
}
const DEFAULT_MAX_TOKEN_AGE_SECONDS = 24 * 3600;

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/** A merchant claim may carry the GraphQL id the merchant sees, or the plain uuid. */
function merchantIdOf(claim: unknown): string | null {
  if (typeof claim !== 'string') return null;
  return isUuid(claim) ? claim : localIdOf('Merchant', claim);
}

function actorOf(payload: JWTPayload): Actor {
  const { sub, role } = payload;
  if (!sub || !isRole(role)) throw unauthenticated('token lacks a subject or a known role');
  const merchantId = merchantIdOf(payload.merchant_id);
  if (role === Role.MERCHANT && !merchantId) throw unauthenticated('a MERCHANT token must name its merchant_id');
  return { authenticated: true, subject: sub, role, merchantId: role === Role.MERCHANT ? merchantId : null };
}

/**
 * Turns the `Authorization` header into an actor: none → anonymous (every field then refuses); a
 * bad, expired or foreign token → UNAUTHENTICATED before anything runs.
 */
export function createAuthenticator(config: AuthConfig) {
  // A KeyObject imported once; a raw byte array would be imported again on every verification.
  const secret = config.jwtSecret ? createSecretKey(Buffer.from(config.jwtSecret, 'utf8')) : undefined;
  const keys: JWTVerifyGetKey | undefined = config.jwksUrl ? createRemoteJWKSet(new URL(config.jwksUrl)) : undefined;
  if (!secret && !keys) throw new Error('authentication needs AUTH_JWT_SECRET or AUTH_JWKS_URL');
  const maxAge = config.maxTokenAgeSeconds ?? DEFAULT_MAX_TOKEN_AGE_SECONDS;
  // Every token must say when it was issued and when it expires; none lives longer than maxAge.
  const options = {
    issuer: config.issuer,
    audience: config.audience,
    requiredClaims: ['exp', 'iat'],
    maxTokenAge: maxAge,
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
  };

  // A console sends the same token with every request: a verified token is remembered (by its exact
  // text) until it expires or reaches maxAge, whichever is first, instead of checking its signature again.
  const verified = new LRUCache<string, Session>({ max: 10_000 });

  /**
   * The actor, until when the token is accepted (its expiry plus the clock tolerance, for a request
   * that arrives just after it) and when it expires (a live socket is closed then, without tolerance).
   * Anonymous holds forever.
   */
  const verify = async (authorization: string | undefined): Promise<Session> => {
    if (!authorization) return { actor: ANONYMOUS, validUntilMs: Infinity, expiresAtMs: Infinity };
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) throw unauthenticated('expected "Authorization: Bearer <token>"');
    const token = match[1];
    const known = verified.get(token);
    if (known && Date.now() < known.validUntilMs) return known;
    try {
      const { payload } = keys
        ? await jwtVerify(token, keys, options)
        : await jwtVerify(token, secret!, { ...options, algorithms: ['HS256'] });
      if (payload.exp! - payload.iat! > maxAge) throw unauthenticated(`token lifetime above ${maxAge} seconds`);
      const expiresAt = Math.min(payload.exp!, payload.iat! + maxAge);
      const session = {
        actor: actorOf(payload),
        validUntilMs: (expiresAt + CLOCK_TOLERANCE_SECONDS) * 1000,
        expiresAtMs: expiresAt * 1000,
      };
      verified.set(token, session);
      return session;
    } catch (error) {
      if (error instanceof GraphQLError) throw error;
      throw unauthenticated('invalid or expired token');
    }
  };
  return Object.assign(
    async (authorization: string | undefined): Promise<Actor> => (await verify(authorization)).actor,
    {
      verify,
    },
  );
}

/** Signs an HS256 token, for development (`npm run token`) and tests. */
export function signToken(
  config: Pick<AuthConfig, 'issuer' | 'audience'> & { jwtSecret: string },
  claims: { subject: string; role: Role; merchantId?: string; expiresIn?: string },
): Promise<string> {
  return new SignJWT({ role: claims.role, ...(claims.merchantId ? { merchant_id: claims.merchantId } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.subject)
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? '12h')
    .sign(new TextEncoder().encode(config.jwtSecret));
}
