/** `npm run schema`: rewrites schema/schema.graphql, the snapshot frontends generate their clients from. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { getSchema, printSortedSchema } from '../graphql/schema';

export const SCHEMA_FILE = resolve(__dirname, '../../schema/schema.graphql');

async function main() {
  writeFileSync(SCHEMA_FILE, printSortedSchema(await getSchema()));
  console.log(`wrote ${SCHEMA_FILE}`);
}

void main();
