import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { TenantDb } from '../db/tenant-db';
import type { Session } from '../db/transaction';
import { StatementTally, tallyContext } from '../db/query-counter';
import type { GatewayModule, Loaders } from './gateway-module';
import { newRequestReport, type RequestReport } from '../observability/requests';
import type { Clock } from '../shared/time';
import { ANONYMOUS, type Actor, actorLabel, tenantScopeOf } from '../security/actor';

type LoadersClass = new (db: TenantDb) => Loaders;
const loaderClasses = new WeakMap<readonly GatewayModule[], LoadersClass>();

/**
 * A request's loaders, each module's set made the first time the request reaches for it (most requests
 * touch two or three modules of eleven): one class per module list, its getters on the prototype.
 */
function loadersClassOf(modules: readonly GatewayModule[]): LoadersClass {
  let made = loaderClasses.get(modules);
  if (made) return made;
  class RequestLoaders {
    readonly made = new Map<string, unknown>();
    constructor(readonly db: TenantDb) {}
  }
  for (const { loaders } of modules) {
    if (!loaders) continue;
    const { key, create } = loaders;
    Object.defineProperty(RequestLoaders.prototype, key, {
      enumerable: true,
      get(this: RequestLoaders) {
        let set = this.made.get(key);
        if (set === undefined) this.made.set(key, (set = create(this.db, this as unknown as Loaders)));
        return set;
      },
    });
  }
  made = RequestLoaders as unknown as LoadersClass;
  loaderClasses.set(modules, made);
  return made;
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
  modules: readonly GatewayModule[],
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
    loaders: new (loadersClassOf(modules))(db),
    report: newRequestReport(
      actor.authenticated ? { role: actor.role, merchantId: actor.merchantId } : { role: null, merchantId: null },
      statements,
    ),
  };
}
