/**
 * `npm run schema`: rewrites schema/schema.graphql, the snapshot frontends generate their clients from,
 * and schema/subgraph.graphql, the same schema as a Federation 2 subgraph.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { getSchema, printSortedSchema } from '../graphql/schema';
import { getSubgraphSchema, printSubgraph } from '../graphql/subgraph';

export const SCHEMA_FILE = resolve(__dirname, '../../schema/schema.graphql');
export const SUBGRAPH_FILE = resolve(__dirname, '../../schema/subgraph.graphql');

async function main() {
  writeFileSync(SCHEMA_FILE, printSortedSchema(await getSchema()));
  writeFileSync(SUBGRAPH_FILE, printSubgraph(await getSubgraphSchema()));
  console.log(`wrote ${SCHEMA_FILE} and ${SUBGRAPH_FILE}`);
}

void main();
