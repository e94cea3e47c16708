/**
 * How Lambda code is bundled — one definition, shared by the CDK functions (infra/constructs/function.ts)
 * and the benchmarks (`npm run bench:coldstart`, `bench:join -- --transport lambda`), so they measure
 * what gets deployed.
 */

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, type Plugin } from 'esbuild';
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
 * zod's `z` namespace re-exports every locale (40 languages, 1/6 of the API bundle) and nothing here
 * uses any but `en`, the one zod configures itself with: the locales index resolves to `en` alone.
 * Measured by `npm run bench:coldstart` ("all zod locales" variant): 10–19 ms of each cold start.
 */
export const zodLocalesEnOnly: Plugin = {
  name: 'zod-locales-en-only',
  setup(build) {
    build.onResolve({ filter: /\/locales\/index\.js$/ }, (a) =>
      a.importer.includes(`${path.sep}zod${path.sep}`) ? { path: path.join(path.dirname(a.importer), '../locales/en.js') } : undefined,
    );
  },
};

/**
 * @hono/zod-openapi extends zod's `z` with `.openapi()` in its module's top-level code and re-exports
 * that same `z`. esbuild links a re-export straight to zod's own binding, so with code splitting a
 * chunk that takes only `z` from it and calls `.openapi()` at import (functions/middleware/method-override.ts
 * did, once route modules were split off) need not import the chunk where the extension runs, and may
 * run first: `.openapi is not a function` at cold start (esbuild's known limit on side-effect order
 * across chunks; test/unit/bundling-zod-openapi.test.ts reproduces it). Re-exported
 * as a binding of that module's own, `z` makes every module using it import that chunk first.
 */
export const zodOpenApiOwnsZ: Plugin = {
  name: 'zod-openapi-owns-z',
  setup(build) {
    build.onLoad({ filter: /[\\/]@hono[\\/]zod-openapi[\\/]dist[\\/]index\.mjs$/ }, async (a) => {
      const source = await readFile(a.path, 'utf8');
      const exportList = /^export \{([^}]*)\};?\s*$/m;
      const match = source.match(exportList);
      if (!match || !/(^|,)\s*z\s*(,|$)/.test(match[1]!))
        throw new Error(`${a.path}: no \`export { …, z }\` to re-export \`z\` from; see zodOpenApiOwnsZ in infra/bundling.ts`);
      const names = match[1]!.split(',').map((n) => (n.trim() === 'z' ? 'zExtended as z' : n.trim()));
      return {
        contents: source.replace(exportList, `const zExtended = z;\nexport { ${names.join(', ')} };\n`),
        loader: 'js',
        resolveDir: path.dirname(a.path),
      };
    });
  },
};

export interface LambdaBuildOptions {
  bundleSdk?: boolean;
  minify?: boolean;
  /**
   * Code splitting (default on): every dynamic `import()` (S3, QR codes, exports, the OpenAPI
   * document, the docs page) becomes a chunk of its own under chunks/, read only when first
   * reached, so a cold start neither loads nor parses it. Off: one index.mjs.
   */
  splitting?: boolean;
  /** Keep all of zod's locales (the lever's baseline in bench:coldstart). */
  allZodLocales?: boolean;
  plugins?: Plugin[];
}

/**
 * The esbuild options every Lambda function is bundled with (infra/constructs/function.ts, through
 * infra/bundle-cli.ts) and the benchmarks bundle a handler with (bench:coldstart, bench:join --
 * --transport lambda): ESM for node22, minified, code-split into `outdir` (index.mjs + chunks/),
 * linked source maps without sources, SDK bundled.
 */
export function lambdaBuildOptions(entry: string, outdir: string, opts: LambdaBuildOptions = {}): BuildOptions {
  const splitting = opts.splitting ?? true;
  return {
    entryPoints: { index: entry },
    outdir,
    ...(splitting ? { splitting: true, chunkNames: 'chunks/[name]-[hash]' } : {}),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: NODE_TARGET,
    mainFields: [...MAIN_FIELDS],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: opts.minify ?? true,
    sourcemap: 'linked',
    sourcesContent: false,
    external: (opts.bundleSdk ?? BUNDLE_AWS_SDK) ? [] : ['@aws-sdk/*', '@smithy/*'],
    plugins: [zodOpenApiOwnsZ, ...(opts.allZodLocales ? [] : [zodLocalesEnOnly]), ...(opts.plugins ?? [])],
    logLevel: 'error',
    absWorkingDir: REPO_ROOT,
  };
}

/** Bundle one function into `outdir` (emptied first) and copy the files it reads at run time beside index.mjs. */
export async function bundleLambda(entry: string, outdir: string, files: readonly BundleFile[] = [], opts: LambdaBuildOptions = {}) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await build(lambdaBuildOptions(entry, outdir, opts));
  for (const { from, to } of files) {
    mkdirSync(path.dirname(path.join(outdir, to)), { recursive: true });
    copyFileSync(from, path.join(outdir, to));
  }
  return path.join(outdir, 'index.mjs');
}

/** Runs bundleLambda in a process of its own (bundleLambdaSync). */
const BUNDLE_CLI = path.join(REPO_ROOT, 'infra/bundle-cli.ts');

/**
 * bundleLambda for CDK's synchronous local bundling (`tryBundle`): esbuild's synchronous API takes no
 * plugins, so the bundle is built by infra/bundle-cli.ts in a child process. Throws with esbuild's
 * output when bundling fails (never falls back to Docker, which is not here).
 */
export function bundleLambdaSync(entry: string, outdir: string, files: readonly BundleFile[] = []): void {
  const result = spawnSync(process.execPath, ['--import', 'tsx', BUNDLE_CLI, entry, outdir, JSON.stringify(files)], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.status !== 0)
    throw new Error(
      `bundling ${path.relative(REPO_ROOT, entry)} failed (${result.status ?? result.signal}):\n${result.stderr}${result.stdout}`,
    );
}
