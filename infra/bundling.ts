/**
 * How Lambda code is bundled — one definition, shared by the CDK functions (`NodejsFunction`) and the
 * cold-start benchmark (`npm run bench:coldstart`), so the benchmark measures what gets deployed.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (infra/..). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const LAMBDA_ENTRIES = {
  api: path.join(REPO_ROOT, 'functions/api/handler.ts'),
  sweep: path.join(REPO_ROOT, 'functions/sweep/handler.ts'),
  worker: path.join(REPO_ROOT, 'functions/worker/handler.ts'),
} as const;

/** esbuild target matching the Lambda runtime (nodejs22.x). */
export const NODE_TARGET = 'node22';

/**
 * Bundle the AWS SDK v3 (tree-shaken, pinned to our lockfile) instead of using the runtime's copy.
 * Decided by `npm run bench:coldstart` (figures in infra/README.md): the bundled SDK starts ~60 ms
 * faster than loading the SDK as separate files, and its version is pinned by our lockfile.
 */
export const BUNDLE_AWS_SDK = true;

/** Packages never bundled: only the SDK when the runtime's copy is used. */
export const EXTERNAL_MODULES: readonly string[] = BUNDLE_AWS_SDK ? [] : ['@aws-sdk/*', '@smithy/*'];

/**
 * ESM output; some CommonJS dependencies still call `require` for Node built-ins, which ESM
 * bundles do not define, so the banner provides one.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** Prefer ES module entry points so esbuild can tree-shake. */
export const MAIN_FIELDS: readonly string[] = ['module', 'main'];
