/**
 * `npm run schema:check`: the committed schema against its previous version (GraphQL Inspector).
 * The base is SCHEMA_BASE (a git revision) if set; else HEAD when the schema file has uncommitted
 * changes; else HEAD's parent, so CI on a merged commit checks what that commit changed.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { approvalsFileSchema, checkSchemaChange } from './schema-governance';

const ROOT = resolve(__dirname, '../..');
const SCHEMA_PATH = 'schema/schema.graphql';
const APPROVALS_PATH = 'schema/approved-changes.json';

function git(...args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
}

function baseRevision(): string | null {
  if (process.env.SCHEMA_BASE) return process.env.SCHEMA_BASE;
  if (git('rev-parse', '--verify', 'HEAD') === null) return null;
  const uncommitted = git('diff', '--quiet', 'HEAD', '--', SCHEMA_PATH) === null;
  return uncommitted ? 'HEAD' : git('rev-parse', '--verify', 'HEAD^') === null ? null : 'HEAD^';
}

async function main() {
  const base = baseRevision();
  const baseSdl = base && git('show', `${base}:${SCHEMA_PATH}`);
  if (!baseSdl) {
    console.log(`schema:check: no earlier ${SCHEMA_PATH} in git history (${base ?? 'no commits'}); nothing to compare`);
    return;
  }
  const approvals = approvalsFileSchema.parse(JSON.parse(readFileSync(resolve(ROOT, APPROVALS_PATH), 'utf8')));
  const result = await checkSchemaChange(baseSdl, readFileSync(resolve(ROOT, SCHEMA_PATH), 'utf8'), approvals.approved);
  console.log(
    `schema:check against ${base}: ${result.breaking.length} breaking, ${result.dangerous.length} dangerous, ${result.safe.length} safe`,
  );
  for (const change of result.dangerous)
    console.log(`  dangerous: ${change.message} (${change.criticality.reason ?? ''})`);
  for (const { change, approval, problem } of result.breaking) {
    if (problem) console.error(`  BREAKING: ${change.message}\n    ${problem}`);
    else console.log(`  breaking, approved by ${approval!.approvedBy}: ${change.message} — ${approval!.reason}`);
  }
  if (!result.passes) process.exit(1);
}

main().catch((error: unknown) => {
  console.error(`schema:check failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
