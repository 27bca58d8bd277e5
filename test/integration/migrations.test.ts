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
});
