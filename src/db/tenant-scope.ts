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
