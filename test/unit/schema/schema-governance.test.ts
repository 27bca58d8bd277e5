import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { approvalsFileSchema, checkSchemaChange } from '../../../src/cli/schema-governance';

const BASE = `
  type Query { merchant(id: ID!): Merchant }
  type Merchant { id: ID! name: String! legacyCode: String @deprecated(reason: "use id") status: Status! }
  enum Status { ACTIVE SUSPENDED OLD @deprecated(reason: "unused") }
`;
const approval = (type: string, path: string) => ({ type, path, reason: 'no client reads it since v2', approvedBy: 'api-review' });

describe('schema governance (GraphQL Inspector)', () => {
  it('fails a breaking change that nobody approved, naming what to add', async () => {
    const next = BASE.replace('name: String!', 'name: String');
    const result = await checkSchemaChange(BASE, next, []);
    expect(result.passes).toBe(false);
    expect(result.breaking).toHaveLength(1);
    expect(result.breaking[0].problem).toMatch(/"type": "FIELD_TYPE_CHANGED", "path": "Merchant.name"/);
    expect((await checkSchemaChange(BASE, next, [approval('FIELD_TYPE_CHANGED', 'Merchant.name')])).passes).toBe(true);
  });

  it('refuses to remove a field or enum value that was never deprecated, approved or not', async () => {
    const withoutName = BASE.replace('name: String! ', '');
    const approved = [approval('FIELD_REMOVED', 'Merchant.name')];
    const result = await checkSchemaChange(BASE, withoutName, approved);
    expect(result.passes).toBe(false);
    expect(result.breaking[0].problem).toMatch(/never deprecated/);
    const withoutSuspended = BASE.replace('SUSPENDED ', '');
    expect((await checkSchemaChange(BASE, withoutSuspended, [approval('ENUM_VALUE_REMOVED', 'Status.SUSPENDED')])).passes).toBe(false);
  });

  it('lets a deprecated field or value go once the removal is approved', async () => {
    const next = BASE.replace('legacyCode: String @deprecated(reason: "use id") ', '').replace(' OLD @deprecated(reason: "unused")', '');
    expect((await checkSchemaChange(BASE, next, [])).passes).toBe(false);
    const approved = [approval('FIELD_REMOVED', 'Merchant.legacyCode'), approval('ENUM_VALUE_REMOVED', 'Status.OLD')];
    expect((await checkSchemaChange(BASE, next, approved)).passes).toBe(true);
  });

  it('reports dangerous changes without failing, and lets additions through', async () => {
    const next = BASE.replace('ACTIVE SUSPENDED', 'ACTIVE SUSPENDED CLOSED').replace('status: Status!', 'status: Status! region: String');
    const result = await checkSchemaChange(BASE, next, []);
    expect(result.passes).toBe(true);
    expect(result.dangerous.map((c) => c.path)).toEqual(['Status.CLOSED']);
    expect(result.safe.map((c) => c.path)).toEqual(['Merchant.region']);
  });

  it('keeps the approvals file valid: every entry has a type, a path, a reason and a reviewer', () => {
    const file = JSON.parse(readFileSync(resolve(__dirname, '../../../schema/approved-changes.json'), 'utf8'));
    expect(approvalsFileSchema.safeParse(file).success).toBe(true);
    expect(approvalsFileSchema.safeParse({ approved: [{ type: 'FIELD_REMOVED', path: 'A.b', reason: 'ok' }] }).success).toBe(false);
  });
});
