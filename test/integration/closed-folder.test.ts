import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const freePort = () =>
  new Promise<number>((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });

/**
 * As root (as in CI), the project may sit in a folder other users cannot enter — a clone under /root,
 * a `mktemp -d` folder — where the postgres OS user can reach neither the data nor the binaries under
 * node_modules. The embedded database must start there all the same.
 */
describe('the embedded database from a folder other users cannot enter', () => {
  it.runIf(process.getuid?.() === 0)(
    'starts and stops, the binaries and the data moved where postgres reaches them',
    async () => {
      const closed = mkdtempSync(join(tmpdir(), 'weiquan-closed-'));
      expect(statSync(closed).mode & 0o777).toBe(0o700);
      try {
        // The project as a hard-linked copy (same files, no second install).
        execFileSync('cp', [
          '-al',
          join(root, 'node_modules'),
          join(root, 'src'),
          join(root, 'package.json'),
          join(root, 'tsconfig.json'),
          closed,
        ]);
        chmodSync(closed, 0o700);
        const script = join(closed, 'start-check.ts');
        writeFileSync(
          script,
          `import { startEmbeddedPostgres } from './src/db/embedded-postgres';
         startEmbeddedPostgres({ dir: ${JSON.stringify(join(closed, 'data'))}, port: ${await freePort()}, persistent: false })
           .then(async (db) => { console.log('started ' + db.url); await db.stop(); process.exit(0); })
           .catch((error) => { console.error(String(error)); process.exit(1); });`,
        );
        const output = execFileSync(join(closed, 'node_modules/.bin/tsx'), [script], {
          cwd: closed,
          encoding: 'utf8',
          timeout: 120_000,
        });
        expect(output).toMatch(/^started postgresql:/m);
      } finally {
        rmSync(closed, { recursive: true, force: true });
      }
    },
    180_000,
  );
});
