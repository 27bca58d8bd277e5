import type { TenantScope } from '../db/tenant-db';
import { Role } from './roles';

/** Who is making a request, from a verified token; nobody otherwise. */
export type Actor =
  { authenticated: false } | { authenticated: true; subject: string; role: Role; merchantId: string | null };

export const ANONYMOUS: Actor = Object.freeze({ authenticated: false });

/** How an actor appears in history rows and audit entries. */
export function actorLabel(actor: Actor): string {
  return actor.authenticated ? `${actor.role}:${actor.subject}` : 'anonymous';
}

export function tenantScopeOf(actor: Actor): TenantScope {
  if (!actor.authenticated) return { platform: false, merchantId: null };
  if (actor.role === Role.MERCHANT) return { platform: false, merchantId: actor.merchantId };
  return { platform: true, merchantId: null };
}
