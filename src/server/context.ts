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
import { versionInForce } from '../modules/policies/policies.rules';
import { createTrustLoaders } from '../modules/trust/trust.loaders';
import { createPolicyLoaders } from '../modules/policies/policies.loaders';
import { createProductLoaders } from '../modules/products/products.loaders';
import { newRequestReport, type RequestReport } from '../observability/requests';
import { ANONYMOUS, type Actor, actorLabel, tenantScopeOf } from '../security/actor';

function createLoaders(db: TenantDb) {
  const policies = createPolicyLoaders(db);
  const policyNow = async () => versionInForce(await policies.timeline.load('all'), new Date());
  return {
    merchants: createMerchantLoaders(db),
    buyers: createBuyerLoaders(db),
    products: createProductLoaders(db),
    orders: createOrderLoaders(db, policyNow),
    policies,
    trust: createTrustLoaders(db, policyNow),
    ledger: createLedgerLoaders(db),
    afterSales: createAfterSalesLoaders(db, policyNow),
    warnings: createWarningLoaders(db),
    appeals: createAppealLoaders(db),
    audit: createAuditLoaders(db),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

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
  options: { actor?: Actor; requestId?: string } = {},
): RequestContext {
  const actor = options.actor ?? ANONYMOUS;
  const statements = new StatementTally();
  const db = new TenantDb(orm.em.fork({ loggerContext: tallyContext(statements) }), tenantScopeOf(actor));
  return {
    requestId: options.requestId ?? randomUUID(),
    actor,
    db,
    session: { db, actor: actorLabel(actor) },
    loaders: createLoaders(db),
    report: newRequestReport(
      actor.authenticated ? { role: actor.role, merchantId: actor.merchantId } : { role: null, merchantId: null },
      statements,
    ),
  };
}
