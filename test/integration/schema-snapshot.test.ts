import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { printSortedSchema } from '../../src/graphql/schema';
import { printSubgraph } from '../../src/graphql/subgraph';
import { roleTable, withRoleTable } from '../../src/security/role-table';
import { gatewaySchema, gatewaySubgraphSchema } from '../../src/modules';

describe('schema snapshot', () => {
  it('schema/schema.graphql matches the schema the code builds (run `npm run schema` and review the diff)', async () => {
    const committed = readFileSync(resolve(__dirname, '../../schema/schema.graphql'), 'utf8');
    expect(printSortedSchema(await gatewaySchema())).toBe(committed);
  });

  it('schema/subgraph.graphql matches the Federation 2 subgraph the code builds (`npm run schema`)', async () => {
    const committed = readFileSync(resolve(__dirname, '../../schema/subgraph.graphql'), 'utf8');
    expect(printSubgraph(await gatewaySubgraphSchema())).toBe(committed);
  });

  it("README's role table lists what the @Allow rules let each role call (`npm run schema`)", async () => {
    const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
    expect(withRoleTable(readme, roleTable(await gatewaySchema()))).toBe(readme);
  });

  it('exposes money only as Money/YuanAmount, never Float', async () => {
    const printed = printSortedSchema(await gatewaySchema());
    expect(printed).not.toMatch(/\bFloat\b/);
  });
});
