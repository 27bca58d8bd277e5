/**
 * `npm run schema`: rewrites schema/schema.graphql, the snapshot frontends generate their clients from,
 * schema/subgraph.graphql, the same schema as a Federation 2 subgraph, and the README's role table.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { printSortedSchema } from '../graphql/schema';
import { printSubgraph } from '../graphql/subgraph';
import { gatewaySchema, gatewaySubgraphSchema } from '../modules';
import { roleTable, withRoleTable } from '../security/role-table';

export const SCHEMA_FILE = resolve(__dirname, '../../schema/schema.graphql');
export const SUBGRAPH_FILE = resolve(__dirname, '../../schema/subgraph.graphql');
export const README_FILE = resolve(__dirname, '../../README.md');

async function main() {
  const schema = await gatewaySchema();
  writeFileSync(SCHEMA_FILE, printSortedSchema(schema));
  writeFileSync(SUBGRAPH_FILE, printSubgraph(await gatewaySubgraphSchema()));
  writeFileSync(README_FILE, withRoleTable(readFileSync(README_FILE, 'utf8'), roleTable(schema)));
  console.log(`wrote ${SCHEMA_FILE}, ${SUBGRAPH_FILE} and the role table of ${README_FILE}`);
}

void main();
