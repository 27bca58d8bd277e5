import { Role } from './roles';

/** Who is making a request, from a verified token; nobody otherwise. */
export type Actor =
  | { authenticated: false }
  | { authenticated: true; subject: string; role: Role; merchantId: string | null };

export const ANONYMOUS: Actor = Object.freeze({ authenticated: false });

/** How an actor appears in history rows and audit entries. */
export function actorLabel(actor: Actor): string {
  return actor.authenticated ? `${actor.role}:${actor.subject}` : 'anonymous';
}

/**
 * Which rows an actor may reach: a merchant its own, platform roles all, nobody none. Applied twice:
 * by the services' queries and by PostgreSQL row-level security.
 */
export interface TenantScope {
  platform: boolean;
  merchantId: string | null;
}

/** The service-layer check before acting on a merchant's data. */
export function canReachMerchant(scope: TenantScope, merchantId: string): boolean {
  return scope.platform || scope.merchantId === merchantId;
}

export function tenantScopeOf(actor: Actor): TenantScope {
  if (!actor.authenticated) return { platform: false, merchantId: null };
  if (actor.role === Role.MERCHANT) return { platform: false, merchantId: actor.merchantId };
  return { platform: true, merchantId: null };
}
