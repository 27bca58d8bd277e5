import type { EntityClass } from '@mikro-orm/core';
import { defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { resolve } from 'node:path';
import type pg from 'pg';
import { CountingLogger } from './query-counter';
import { deferBegin } from './riders';

const migrationsPath = resolve(__dirname, '../../migrations');

/** `entities`: the modules' (src/modules/index.ts `ormConfig` passes them). No folder scanning, so tsx, vitest and tsc discover the same set. */
export function createOrmConfig(
  clientUrl: string,
  entities: readonly EntityClass<object>[],
  options: { debug?: boolean; poolMax?: number } = {},
) {
  return defineConfig({
    clientUrl,
    entities: [...entities],
    extensions: [Migrator],
    // Vitest's module loader chokes on MikroORM's own dynamic import of migration files.
    dynamicImportProvider: (id: string) => import(id),
    discovery: { warnWhenNoEntities: true },
    allowGlobalContext: false,
    forceUtcTimezone: true,
    debug: options.debug ?? false,
    loggerFactory: (loggerOptions) => new CountingLogger(loggerOptions),
    pool: {
      min: 0,
      max: options.poolMax ?? 10,
      afterCreate: (connection: pg.ClientBase, done: (error: Error | null, connection: pg.ClientBase) => void) => {
        deferBegin(connection);
        done(null, connection);
      },
    },
    // One INSERT per table for the largest batch a mutation takes (1,000 orders or score events, and
    // the two ledger entries of each order's automatic posting), so a batch costs the same statements
    // whatever its size.
    batchSize: 2000,
    migrations: {
      path: migrationsPath,
      pathTs: migrationsPath,
      glob: '!(*.d).{js,ts}',
      transactional: true,
      allOrNothing: true,
      snapshot: true,
      snapshotName: '.snapshot-weiquan',
      emit: 'ts',
      silent: true,
    },
  });
}
