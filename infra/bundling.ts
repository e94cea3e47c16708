/**
 * How Lambda code is bundled — one definition, shared by the CDK functions (`NodejsFunction`) and the
 * cold-start benchmark (`npm run bench:coldstart`), so the benchmark measures what gets deployed.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { BUNDLED_DOCS_DIR, DOCS_PACKAGE, DOCS_PACKAGE_FILES } from '../functions/docs/files.js';

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

/** A file copied into a function's bundle: from an absolute path, to a path beside index.mjs. */
export interface BundleFile {
  readonly from: string;
  readonly to: string;
}

/**
 * The API reference's assets (functions/docs), copied beside the API's index.mjs rather than
 * imported: read from disk on the first /docs request, they are not in index.mjs, so a cold start
 * neither loads nor parses their ~2 MB.
 */
export const API_BUNDLE_FILES: readonly BundleFile[] = DOCS_PACKAGE_FILES.map((name) => ({
  from: createRequire(import.meta.url).resolve(`${DOCS_PACKAGE}/${name}`),
  to: `${BUNDLED_DOCS_DIR}/${name}`,
}));

/**
 * The esbuild build options the NodejsFunction bundling above amounts to (infra/constructs/function.ts:
 * ESM, node22, minified, linked source map without sources), for the benchmarks that bundle a handler
 * with esbuild's API the way it is deployed (bench:coldstart, bench:join -- --transport lambda).
 */
export function lambdaBuildOptions(entry: string, outfile: string, opts: { bundleSdk?: boolean; minify?: boolean } = {}): BuildOptions {
  const bundleSdk = opts.bundleSdk ?? BUNDLE_AWS_SDK;
  return {
    entryPoints: { index: entry },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: NODE_TARGET,
    mainFields: [...MAIN_FIELDS],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: opts.minify ?? true,
    sourcemap: 'linked',
    sourcesContent: false,
    external: bundleSdk ? [] : ['@aws-sdk/*', '@smithy/*'],
    logLevel: 'error',
    absWorkingDir: REPO_ROOT,
  };
}
