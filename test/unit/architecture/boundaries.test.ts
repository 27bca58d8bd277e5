import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  backArrows,
  boundaryViolations,
  importCycles,
  listSources,
  owners,
  serviceContextViolations,
} from '../../helpers/boundaries';

const root = resolve(__dirname, '../../..');
const sources = listSources(root);

describe('module boundaries', () => {
  it('no file imports another module’s entity or names its table, and db/ imports neither server/ nor graphql/', () => {
    expect(boundaryViolations(sources)).toEqual([]);
  });

  it('no imports go round in a circle, type-only imports included', () => {
    expect(importCycles(sources, true)).toEqual([]);
  });

  it('the floors below the modules name no module: the composition root (src/modules/index.ts) hands them down', () => {
    const arrows = backArrows(sources);
    expect(arrows.filter((arrow) => /^src\/(db|graphql|server)\/.* -> src\/modules\//.test(arrow))).toEqual([]);
    expect(arrows.length).toBeLessThanOrEqual(20);
  });

  it("each connection's statement shape is named once: a shared name would share another call site's SQL", () => {
    const names = sources.flatMap((file) => [...file.text.matchAll(/\bshape: ['`]([^'`]+)['`]/g)].map((m) => m[1]));
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  it('every service function takes the one service context first, never an EntityManager or a request context', () => {
    expect(serviceContextViolations(sources)).toEqual([]);
  });

  it('finds a service function that takes something else than the context, or takes it late', () => {
    const offending = {
      path: 'src/modules/ledger/ledger.offender.ts',
      text: [
        "import type { EntityManager } from '@mikro-orm/postgresql';",
        'export const offender = {',
        '  byEm(em: EntityManager, id: string) { return em.find(X, { id }); },',
        '  late(id: string, ctx: ServiceContext) { return ctx; },',
        '  fine(ctx: ServiceContext, id: string) { return [ctx, id]; },',
        '  handler: async (tx: Tx, events: DomainEvent[]) => [tx, events],',
        '};',
      ].join('\n'),
    };
    const resolver = { path: 'src/modules/ledger/ledger.resolver.ts', text: 'function r(ctx: RequestContext) {}' };
    expect(serviceContextViolations([offending, resolver])).toEqual([
      'src/modules/ledger/ledger.offender.ts:3 em: EntityManager',
      'src/modules/ledger/ledger.offender.ts:4 ctx: ServiceContext is not first',
    ]);
  });

  it('finds each kind of violation when one is there', () => {
    const known = owners(sources);
    const offending = {
      path: 'src/modules/ledger/ledger.offender.ts',
      text: [
        "import { Order } from '../orders/order.entity';",
        "import type { ScoreEvent } from '../trust/trust.entity';",
        "const a = knex('merchant_score as t');",
        'const b = `select 1 from "order" o where o.id = ?`;',
        "const c = { table: 'buyer_risk' };",
        "const fine = { populate: ['buyer'], kind: 'ledger_transaction' };",
      ].join('\n'),
    };
    const ground = { path: 'src/db/offender.ts', text: "import type { RequestContext } from '../server/context';" };
    expect(boundaryViolations([offending, ground], known)).toEqual([
      "src/modules/ledger/ledger.offender.ts: imports orders's entity src/modules/orders/order.entity",
      "src/modules/ledger/ledger.offender.ts: imports trust's entity src/modules/trust/trust.entity",
      'src/modules/ledger/ledger.offender.ts: names trust\'s table "merchant_score"',
      'src/modules/ledger/ledger.offender.ts: names orders\'s table "order"',
      'src/modules/ledger/ledger.offender.ts: names trust\'s table "buyer_risk"',
      'src/db/offender.ts: db/ imports src/server/context',
    ]);
  });

  it('finds an import circle', () => {
    const files = [
      { path: 'src/a.ts', text: "import { b } from './b';" },
      { path: 'src/b.ts', text: "import { a } from './a';" },
      { path: 'src/c.ts', text: "import type { a } from './a';" },
    ];
    expect(importCycles(files)).toEqual([['src/a', 'src/b', 'src/a']]);
    expect(importCycles(files, true)).toEqual([['src/a', 'src/b', 'src/a']]);
    const typeCircle = [files[0], { path: 'src/b.ts', text: "import type { c } from './c';" }, files[2]];
    expect(importCycles(typeCircle)).toEqual([]);
    expect(importCycles(typeCircle, true)).toEqual([['src/a', 'src/b', 'src/c', 'src/a']]);
  });
});
