import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { TenantDb } from '../db/tenant-db';
import type { Session } from '../db/transaction';
import { StatementTally, tallyContext } from '../db/query-counter';
import { createAfterSalesLoaders } from '../modules/after-sales/after-sales.loaders';
import { createAppealLoaders } from '../modules/appeals/appeals.loaders';
import { createAuditLoaders } from '../modules/audit/audit.loaders';
import { createBuyerLoaders } from '../modules/buyers/buyers.loaders';
import { createWarningLoaders } from '../modules/warnings/warnings.loaders';
import { createMerchantLoaders } from '../modules/merchants/merchants.loaders';
import { createOrderLoaders } from '../modules/orders/orders.loaders';
import { createLedgerLoaders } from '../modules/ledger/ledger.loaders';
import { type PolicySnapshot, versionInForce } from '../modules/policies/policies.rules';
import { createTrustLoaders } from '../modules/trust/trust.loaders';
import { createPolicyLoaders } from '../modules/policies/policies.loaders';
import { createProductLoaders } from '../modules/products/products.loaders';
import { newRequestReport, type RequestReport } from '../observability/requests';
import type { Clock } from '../shared/time';
import { ANONYMOUS, type Actor, actorLabel, tenantScopeOf } from '../security/actor';

type PolicyNow = () => Promise<PolicySnapshot>;

const LOADER_FACTORIES = {
  merchants: (db: TenantDb) => createMerchantLoaders(db),
  buyers: (db: TenantDb) => createBuyerLoaders(db),
  products: (db: TenantDb) => createProductLoaders(db),
  orders: (db: TenantDb, policyNow: PolicyNow) => createOrderLoaders(db, policyNow),
  policies: (db: TenantDb) => createPolicyLoaders(db),
  trust: (db: TenantDb, policyNow: PolicyNow) => createTrustLoaders(db, policyNow),
  ledger: (db: TenantDb) => createLedgerLoaders(db),
  afterSales: (db: TenantDb, policyNow: PolicyNow) => createAfterSalesLoaders(db, policyNow),
  warnings: (db: TenantDb) => createWarningLoaders(db),
  appeals: (db: TenantDb) => createAppealLoaders(db),
  audit: (db: TenantDb) => createAuditLoaders(db),
};

export type Loaders = { [K in keyof typeof LOADER_FACTORIES]: ReturnType<(typeof LOADER_FACTORIES)[K]> };

/**
 * A request's loaders, each module's set made the first time the request reaches for it: most
 * requests touch two or three modules of eleven.
 */
function createLoaders(db: TenantDb): Loaders {
  const made: Partial<Loaders> = {};
  const loaders = {} as Loaders;
  const policyNow: PolicyNow = async () => versionInForce(await loaders.policies.timeline.load('all'), new Date());
  for (const name of Object.keys(LOADER_FACTORIES) as (keyof Loaders)[]) {
    Object.defineProperty(loaders, name, {
      enumerable: true,
      get: () => (made[name] ??= LOADER_FACTORIES[name](db, policyNow) as never),
    });
  }
  return loaders;
}

/**
 * Built once per request: its own EntityManager fork (no global context), the verified actor, reads
 * bound to the actor's tenant, and loaders over those reads.
 */
export interface RequestContext {
  requestId: string;
  actor: Actor;
  db: TenantDb;
  /** What services take: the tenant's database and the actor's label. */
  session: Session;
  loaders: Loaders;
  /** What the request did, for its log line and metrics. */
  report: RequestReport;
}

export function createRequestContext(
  orm: MikroORM,
  options: { actor?: Actor; requestId?: string; clock?: Clock } = {},
): RequestContext {
  const actor = options.actor ?? ANONYMOUS;
  const statements = new StatementTally();
  const db = new TenantDb(orm.em, tenantScopeOf(actor), tallyContext(statements));
  return {
    requestId: options.requestId ?? randomUUID(),
    actor,
    db,
    session: { db, actor: actorLabel(actor), clock: options.clock },
    loaders: createLoaders(db),
    report: newRequestReport(
      actor.authenticated ? { role: actor.role, merchantId: actor.merchantId } : { role: null, merchantId: null },
      statements,
    ),
  };
}
