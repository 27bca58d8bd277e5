import { defineConfig } from 'vitest/config';
import base from './vitest.config.mts';

/** `npm run test:browser`: the tests that drive a real Chromium (Debian's `chromium` package). */
export default defineConfig({
  ...base,
  test: { ...base.test, include: ['test/browser/**/*.test.ts'], exclude: ['node_modules/**'] },
});
