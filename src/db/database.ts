import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { exclusively } from './advisory-lock';
import type { Config } from '../config';
import { logger } from '../shared/logger';
import { startEmbeddedPostgres } from './embedded-postgres';

export interface Database {
  orm: MikroORM;
  url: string;
  close(): Promise<void>;
  /** For the embedded database: settles if PostgreSQL exits on its own while the gateway runs. */
  crashed?: Promise<void>;
}

/**
 * Connects to DATABASE_URL when set, otherwise to an embedded PostgreSQL; then applies migrations.
 * `ormConfig`: the modules' MikroORM config for a URL (src/modules/index.ts).
 */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'embeddedPostgres'>,
  ormConfig: (url: string) => Options,
): Promise<Database> {
  const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.embeddedPostgres);
  const url = config.databaseUrl ?? embedded!.url;
  try {
    const orm = await MikroORM.init(ormConfig(url));
    // Replicas starting together would otherwise run the same pending migration twice.
    const applied = await exclusively(orm, 'weiquan:migrations', () => orm.getMigrator().up());
    if (applied.length) logger.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
    return {
      orm,
      url,
      crashed: embedded?.crashed,
      close: async () => {
        await orm.close();
        await embedded?.stop();
      },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}
