import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres';
import { adminQuery, databaseUrl, freePort } from './database';
import { ormConfig } from '../../src/modules';

declare module 'vitest' {
  export interface ProvidedContext {
    serverUrl: string;
    templateDatabase: string;
  }
}

/**
 * One PostgreSQL for the whole run (embedded in a temporary folder, or DATABASE_URL's server), and one
 * migrated template database; each test file then copies the template into a database of its own.
 */
export default async function setup(project: TestProject) {
  const embedded = process.env.DATABASE_URL
    ? undefined
    : await startEmbeddedPostgres({
        dir: mkdtempSync(join(tmpdir(), 'weiquan-test-pg-')),
        port: await freePort(),
        persistent: false,
      });
  const serverUrl = process.env.DATABASE_URL ?? embedded!.url;
  const templateDatabase = `weiquan_template_${process.pid}`;
  await adminQuery(serverUrl, `drop database if exists "${templateDatabase}"`);
  await adminQuery(serverUrl, `create database "${templateDatabase}"`);
  const orm = await MikroORM.init(ormConfig(databaseUrl(serverUrl, templateDatabase)));
  await orm.getMigrator().up();
  await orm.close();

  project.provide('serverUrl', serverUrl);
  project.provide('templateDatabase', templateDatabase);
  return async () => {
    if (embedded) return embedded.stop();
    await adminQuery(serverUrl, `drop database if exists "${templateDatabase}"`);
  };
}
