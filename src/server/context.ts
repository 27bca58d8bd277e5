import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Loaders, Read, ReadResults, ServiceContext } from '../db/session';
import { TenantDb, type TenantScope } from '../db/tenant-db';
import { StatementTally, tallyContext } from '../db/query-counter';
import type { GatewayModule } from './gateway-module';
import { newRequestReport, type RequestReport } from '../observability/requests';
import { type Clock, systemClock } from '../shared/time';
import { ANONYMOUS, type Actor, actorLabel, tenantScopeOf } from '../security/actor';

type LoadersClass = new (db: TenantDb) => Loaders;
const loaderClasses = new WeakMap<readonly GatewayModule[], LoadersClass>();

/**
 * A request's loaders, each module's set made the first time the request reaches for it (most requests
 * touch two or three modules of eleven), and each loader in it likewise (`loaderSet`): one class per
 * module list, its getters on the prototype.
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
 * The one context of a unit of work (a request, a job run, a CLI command): its own EntityManager fork
 * made on first use (no global context), reads bound to its tenant, and loaders made on first use.
 */
class UnitContext implements ServiceContext {
  readonly scope: TenantScope;
  readonly loaders: Loaders;
  readonly memo = null;

  constructor(
    readonly db: TenantDb,
    readonly actorLabel: string,
    readonly clock: Clock,
    modules: readonly GatewayModule[],
  ) {
    this.scope = db.scope;
    this.loaders = new (loadersClassOf(modules))(db);
  }

  get em(): EntityManager {
    return this.db.em;
  }

  now(): Date {
    return this.clock.now();
  }

  /** The reads in one message, behind the tenant's settings. */
  read<R extends readonly (Read<unknown> | null)[]>(...reads: R): Promise<ReadResults<R>> {
    return this.db.read(
      (run) =>
        Promise.all(
          reads.map((read) => (read ? Promise.all(read.statements.map(run)).then(read.parse) : null)),
        ) as Promise<ReadResults<R>>,
    );
  }
}

/** A GraphQL request's context: the service context, with the verified actor and what the request did. */
export interface RequestContext extends ServiceContext {
  requestId: string;
  actor: Actor;
  /** What the request did, for its log line and metrics. */
  report: RequestReport;
}

class RequestUnitContext extends UnitContext implements RequestContext {
  constructor(
    db: TenantDb,
    clock: Clock,
    modules: readonly GatewayModule[],
    readonly actor: Actor,
    readonly requestId: string,
    readonly report: RequestReport,
  ) {
    super(db, actorLabel(actor), clock, modules);
  }
}

export function createRequestContext(
  orm: MikroORM,
  modules: readonly GatewayModule[],
  options: { actor?: Actor; requestId?: string; clock?: Clock } = {},
): RequestContext {
  const actor = options.actor ?? ANONYMOUS;
  const statements = new StatementTally();
  const db = new TenantDb(orm.em, tenantScopeOf(actor), tallyContext(statements));
  const report = newRequestReport(
    actor.authenticated ? { role: actor.role, merchantId: actor.merchantId } : { role: null, merchantId: null },
    statements,
  );
  return new RequestUnitContext(
    db,
    options.clock ?? systemClock,
    modules,
    actor,
    options.requestId ?? randomUUID(),
    report,
  );
}

/** The context of the platform itself (a job run, a CLI command): every tenant, recorded under `actorLabel`. */
export function platformContext(
  orm: MikroORM,
  modules: readonly GatewayModule[],
  actorLabel: string,
  clock: Clock = systemClock,
): ServiceContext {
  return new UnitContext(new TenantDb(orm.em.fork(), { platform: true, merchantId: null }), actorLabel, clock, modules);
}

/** The context of one merchant outside a request (demo data, scripts): its own rows only. */
export function merchantContext(
  orm: MikroORM,
  modules: readonly GatewayModule[],
  merchantId: string,
  actorLabel: string,
): ServiceContext {
  return new UnitContext(
    new TenantDb(orm.em.fork(), { platform: false, merchantId }),
    actorLabel,
    systemClock,
    modules,
  );
}
