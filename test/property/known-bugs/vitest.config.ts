import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import base from '../../../vitest.config.js';

/**
 * Properties that fail today (contract deviations found by the property tests), kept out of the
 * suite until fixed. Run them with:
 *
 *   npx vitest run --config test/property/known-bugs/vitest.config.ts
 *
 * Once one passes, rename it to `*.test.ts` and move it next to the other property tests.
 */
export default defineConfig({
  ...base,
  root: fileURLToPath(new URL('../../..', import.meta.url)),
  test: { ...base.test, include: ['test/property/known-bugs/*.known-bug.ts'] },
});
