import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Without this vitest loads graphql twice ("Cannot use GraphQLSchema from another module or realm").
    alias: [
      { find: /^graphql$/, replacement: fileURLToPath(new URL('node_modules/graphql/index.js', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // The browser tests need Chromium: `npm run test:browser`.
    exclude: ['test/browser/**', 'node_modules/**'],
    globalSetup: ['test/helpers/global-setup.ts'],
    setupFiles: ['reflect-metadata'],
    env: { NODE_ENV: 'test', LOG_LEVEL: 'silent' },
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
