import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app';

describe('migrations', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app?.close());

  it('the committed migrations produce exactly the schema the entities describe (else: npm run migration:create)', async () => {
    expect(await app.orm.getMigrator().checkMigrationNeeded()).toBe(false);
  });

  it('every foreign key has an index that starts with its column', async () => {
    const { rows } = await app.orm.em.getKnex().raw(`
      select c.conrelid::regclass::text as "table", a.attname as "column"
        from pg_constraint c
        join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
       where c.contype = 'f'
         and not exists (select 1 from pg_index i where i.indrelid = c.conrelid and i.indkey[0] = c.conkey[1])
       order by 1, 2`);
    expect(rows).toEqual([]);
  });
});
