/**
 * npm run bench:coldstart [-- --runs 15 --path /health]
 *
 * Bundles the API handler (functions/api/handler.ts) and a bare Hono hello-world handler with esbuild
 * exactly as the CDK functions are bundled (infra/bundling.ts), then measures, over fresh `node`
 * processes, the time from process start to the first answered API Gateway HTTP API v2 request.
 *
 * Variants, so the AWS SDK decision is made by measurement:
 *   hello              bare Hono, bundled like production (the baseline)
 *   api                the API handler as deployed (BUNDLE_AWS_SDK from infra/bundling.ts)
 *   api:sdk-bundled    AWS SDK v3 bundled and tree-shaken
 *   api:sdk-external   AWS SDK left external, loaded from node_modules (stands in for the runtime's copy)
 * and each API variant with and without --enable-source-maps (NODE_OPTIONS of the deployed function).
 *
 * With --breakdown, also single-dependency probes (infra/bench/probes: zod, the AWS SDK clients,
 * Hono + zod-openapi) to show where the API's extra start-up time goes.
 *
 * Runs are interleaved (one of each variant per round) so machine noise hits all variants alike.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { BUNDLE_AWS_SDK, ESM_REQUIRE_BANNER, LAMBDA_ENTRIES, MAIN_FIELDS, NODE_TARGET, REPO_ROOT } from '../bundling.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
// Inside node_modules so that the sdk-external variant resolves @aws-sdk/* like a deployed function would.
const OUT = path.join(REPO_ROOT, 'node_modules/.cache/coldstart-bench');
const RUNNER = path.join(HERE, 'runner.mjs');

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    path: { type: 'string', default: '/health' },
    entry: { type: 'string' },
    breakdown: { type: 'boolean', default: false },
  },
});
const RUNS = Math.max(10, Number(args.runs));
const REQUEST_PATH = args.path!;
const apiEntry = args.entry ? path.resolve(args.entry) : LAMBDA_ENTRIES.api;
if (!existsSync(apiEntry)) {
  console.error(`API handler not found: ${path.relative(REPO_ROOT, apiEntry)} (use --entry <file>)`);
  process.exit(1);
}

/** esbuild options equivalent to the NodejsFunction bundling in infra/constructs/function.ts. */
async function bundle(name: string, entry: string, bundleSdk: boolean) {
  const dir = path.join(OUT, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const outfile = path.join(dir, 'index.mjs');
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: NODE_TARGET,
    mainFields: [...MAIN_FIELDS],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
    sourcemap: 'linked',
    sourcesContent: false,
    external: bundleSdk ? [] : ['@aws-sdk/*', '@smithy/*'],
    logLevel: 'warning',
    absWorkingDir: REPO_ROOT,
  });
  const code = readFileSync(outfile);
  return {
    outfile,
    bytes: code.length,
    gzipBytes: gzipSync(code).length,
    mapBytes: statSync(`${outfile}.map`).size,
  };
}

interface Sample {
  /** Parent's view: spawn() to the answer line on stdout. */
  wallMs: number;
  /** Child's view: process start (performance.timeOrigin) to answered. */
  processMs: number;
  /** Child: process start to handler module imported. */
  importMs: number;
  status: number;
}

const BENCH_ENV = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  TABLE_NAME: 'coldstart-bench',
  AWS_REGION: 'ap-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_EC2_METADATA_DISABLED: 'true',
  // Never reached by a health check; set so nothing tries real AWS if it were.
  DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
  AUTH_SECRET: 'coldstart-bench-secret-0123456789abcdef',
  DEV_AUTH: 'false',
  LOG_LEVEL: 'error',
};

function runOnce(outfile: string, sourceMaps: boolean): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [...(sourceMaps ? ['--enable-source-maps'] : []), RUNNER, outfile, REQUEST_PATH], {
      env: BENCH_ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let done = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const line = stdout.split('\n').find((l) => l.startsWith('{"bench":true'));
      if (line && !done) {
        done = true;
        const wallMs = performance.now() - t0;
        const r = JSON.parse(line) as { status: number; started: number; imported: number; answered: number };
        // The child's clock starts with its process (performance.timeOrigin).
        resolve({ wallMs, processMs: r.answered, importMs: r.imported, status: r.status });
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!done) reject(new Error(`runner exited ${code} without answering:\n${stderr || stdout}`));
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

async function main() {
  console.log(`Bundling (esbuild ${esbuild.version}, ${NODE_TARGET}, ESM, minified) ...`);
  const bundles = {
    hello: await bundle('hello', path.join(HERE, 'hello.ts'), true),
    'api:sdk-bundled': await bundle('api-sdk-bundled', apiEntry, true),
    'api:sdk-external': await bundle('api-sdk-external', apiEntry, false),
  };
  const deployed = BUNDLE_AWS_SDK ? 'api:sdk-bundled' : 'api:sdk-external';

  const variants: { name: string; outfile: string; sourceMaps: boolean }[] = [
    { name: 'hello', outfile: bundles.hello.outfile, sourceMaps: true },
    { name: 'api:sdk-bundled', outfile: bundles['api:sdk-bundled'].outfile, sourceMaps: true },
    { name: 'api:sdk-external', outfile: bundles['api:sdk-external'].outfile, sourceMaps: true },
    { name: 'api:sdk-bundled (no source maps)', outfile: bundles['api:sdk-bundled'].outfile, sourceMaps: false },
    { name: 'hello (no source maps)', outfile: bundles.hello.outfile, sourceMaps: false },
  ];

  if (args.breakdown) {
    for (const probe of ['zod', 'aws-sdk', 'zod-openapi']) {
      const b = await bundle(`probe-${probe}`, path.join(HERE, 'probes', `${probe}.ts`), true);
      variants.push({ name: `probe: ${probe}`, outfile: b.outfile, sourceMaps: true });
    }
  }

  // Warm the file system cache once per variant, then measure.
  for (const v of variants) {
    const s = await runOnce(v.outfile, v.sourceMaps);
    if (s.status !== 200) console.warn(`warning: ${v.name} answered ${REQUEST_PATH} with ${s.status}`);
  }
  const samples = new Map<string, Sample[]>(variants.map((v) => [v.name, []]));
  for (let round = 0; round < RUNS; round++) {
    for (const v of variants) samples.get(v.name)!.push(await runOnce(v.outfile, v.sourceMaps));
    process.stdout.write(`\r  round ${round + 1}/${RUNS}`);
  }
  process.stdout.write('\n\n');

  console.log('Bundle sizes (index.mjs; gzip approximates the deployment zip):');
  for (const [name, b] of Object.entries(bundles)) {
    console.log(
      `  ${name.padEnd(20)} ${kib(b.bytes).padStart(10)}   gzip ${kib(b.gzipBytes).padStart(9)}   map ${kib(b.mapBytes).padStart(9)}`,
    );
  }

  console.log(`\nCold start: fresh node process -> first answered GET ${REQUEST_PATH}, median of ${RUNS} runs (node ${process.version}):`);
  const baseline = median(samples.get('hello')!.map((s) => s.processMs));
  console.log(`  ${'variant'.padEnd(34)} ${'process'.padStart(9)} ${'import'.padStart(9)} ${'wall'.padStart(9)}  vs hello`);
  for (const v of variants) {
    const xs = samples.get(v.name)!;
    const p = median(xs.map((s) => s.processMs));
    console.log(
      `  ${v.name.padEnd(34)} ${p.toFixed(1).padStart(7)}ms ${median(xs.map((s) => s.importMs))
        .toFixed(1)
        .padStart(7)}ms ` +
        `${median(xs.map((s) => s.wallMs))
          .toFixed(1)
          .padStart(7)}ms  ${(p / baseline).toFixed(2)}x`,
    );
  }
  const deployedRatio = median(samples.get(deployed)!.map((s) => s.processMs)) / baseline;
  console.log(
    `\nDeployed configuration (${deployed}, --enable-source-maps): ${deployedRatio.toFixed(2)}x the bare Hono baseline ` +
      `(goal <= 1.30x): ${deployedRatio <= 1.3 ? 'met' : 'NOT met'}.`,
  );
  console.log('"process" = child process start (performance.timeOrigin) to answer; "wall" adds spawn overhead as seen by the parent.');
}

await main();
