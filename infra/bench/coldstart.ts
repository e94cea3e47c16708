/**
 * npm run bench:coldstart [-- --runs 15 [--path /health] [--breakdown] [--profile] [--entry file]]
 *
 * Bundles the API handler (functions/api/handler.ts), a bare Hono hello-world handler and a PEER (what
 * a user would write instead: Hono + the DynamoDB document client, one route answering one GetItem:
 * infra/bench/peer.ts) with esbuild exactly as the CDK functions are bundled (infra/bundling.ts), and
 * measures, over fresh `node` processes, the time from process start to the first answered API
 * Gateway HTTP API v2 event, for two first requests:
 *   health   GET /health (no DynamoDB; --path /docs for another first request)
 *   join     the real cold path against DynamoDB Local (started here, table created, one open
 *            campaign seeded): the API's first request is a signed POST /campaigns/{id}/entries (a
 *            new member each run, 201 expected); the peer's is its one GetItem route.
 * The goal (issue 15): the API within 1.3x of the peer on both.
 *
 * Levers, each measured as a variant of the deployed bundle (the JSON line has each one's effect in
 * ms and its ratio to the peer). Deployed (infra/bundling.ts): code-split, zod's `en` locale only.
 *   (a) route groups loaded on first use (deployed: functions/lazy-routes.ts): turned back, their
 *       modules imported at start; and as a bound, the groups (money, exports, WeChat, community, with
 *       the WeChat login, push and notify modules that stay eager) replaced by empty routers
 *   (b, c) the OpenAPI registry and the schemas built at import: CPU profile breakdown (--profile)
 *   (d) source maps: --enable-source-maps (deployed) vs none, for API and peer alike
 *   (e) bundle trimming, each turned back to measure it: one file instead of code splitting; all 40
 *       of zod's locales; not minified; and, as a bound, the S3 and QR packages stubbed out (split,
 *       they are chunks loaded on first use already); "as bundled before" is the one-file bundle
 *       with every locale and the route modules imported at start, as NodejsFunction deployed it
 * `--breakdown` adds the SDK-external variant and single-dependency probes (infra/bench/probes).
 *
 * Runs are interleaved (one of each variant per round) so machine noise hits all variants alike.
 * Ends with one JSON line with every figure.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as esbuild from 'esbuild';
import { createApp } from '../../functions/app.js';
import { issueToken, type TokenSettings } from '../../shared/auth/index.js';
import { CampaignCache } from '../../shared/campaigns/index.js';
import { systemClock } from '../../shared/clock.js';
import { startDynamoDbLocal } from '../../shared/local/dynamodb-local.js';
import { createLogger } from '../../shared/logger.js';
import { disabledMoney } from '../../shared/money/index.js';
import { createDocumentClient, ensureTable, keys } from '../../shared/table/index.js';
import { BUNDLE_AWS_SDK, bundleLambda, LAMBDA_ENTRIES, type LambdaBuildOptions, NODE_TARGET, REPO_ROOT } from '../bundling.js';
import { attributeProfile } from './profile-attribution.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
// Inside node_modules so that the sdk-external variant resolves @aws-sdk/* like a deployed function would.
const OUT = path.join(REPO_ROOT, 'node_modules/.cache/coldstart-bench');
const RUNNER = path.join(HERE, 'runner.mjs');

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    /** the first request without DynamoDB ("health" in the figures): /health, or e.g. /docs */
    path: { type: 'string', default: '/health' },
    entry: { type: 'string' },
    breakdown: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
  },
});
const RUNS = Math.max(5, Number(args.runs));
const apiEntry = args.entry ? path.resolve(args.entry) : LAMBDA_ENTRIES.api;
if (!existsSync(apiEntry)) {
  console.error(`API handler not found: ${path.relative(REPO_ROOT, apiEntry)} (use --entry <file>)`);
  process.exit(1);
}

/**
 * Route modules a first /health or join never reaches (lever a's bound): those the app loads on first
 * use (functions/lazy-route-modules.ts, read from its re-exports) and the WeChat login, 消息推送 and
 * pay-notify modules, which stay eager; each module's factory is replaced by an empty router.
 */
const STUBBED_ROUTE_MODULES: readonly string[] = [
  ...[...readFileSync(path.join(REPO_ROOT, 'functions/lazy-route-modules.ts'), 'utf8').matchAll(/from '\.\/routes\/([\w-]+)\.js'/g)].map(
    (m) => m[1]!,
  ),
  'wechat-auth',
  'wechat-push',
  'wechatpay-notify',
];
/** Packages only some routes use (S3 exports and photos, QR codes), stubbed to bound what loading them on first use saves. */
const DEFERRABLE_PACKAGES = [
  '@aws-sdk/client-s3',
  '@aws-sdk/lib-storage',
  '@aws-sdk/s3-request-presigner',
  '@aws-sdk/s3-presigned-post',
  'qrcode',
  'pngjs',
];

/** esbuild options as every function is deployed (infra/bundling.ts lambdaBuildOptions), plus a lever. */
async function bundle(name: string, entry: string, opts: LambdaBuildOptions = {}) {
  const dir = path.join(OUT, name);
  const outfile = await bundleLambda(entry, dir, [], opts);
  const chunkDir = path.join(dir, 'chunks');
  const chunks = existsSync(chunkDir) ? readdirSync(chunkDir).filter((f) => f.endsWith('.mjs')) : [];
  const code = readFileSync(outfile);
  return {
    outfile,
    bytes: code.length,
    gzipBytes: gzipSync(code).length,
    mapBytes: statSync(`${outfile}.map`).size,
    ...(chunks.length
      ? { chunks: chunks.length, allBytes: chunks.reduce((n, f) => n + statSync(path.join(chunkDir, f)).size, code.length) }
      : {}),
  };
}

/** Lever (a), upper bound: the route modules of the lazy groups become empty routers. */
const routeGroupsStubbed: esbuild.Plugin = {
  name: 'route-groups-stubbed',
  setup(build) {
    const filter = new RegExp(`functions/routes/(${STUBBED_ROUTE_MODULES.join('|')})\\.ts$`);
    build.onLoad({ filter }, async (a) => {
      const source = readFileSync(a.path, 'utf8');
      const names = [...source.matchAll(/^export function (\w+)/gm)].map((m) => m[1]!);
      return {
        contents: `import { newRouter } from '../validation.js';\n${names.map((n) => `export function ${n}() { return newRouter(); }`).join('\n')}`,
        loader: 'ts',
        resolveDir: path.dirname(a.path),
      };
    });
  },
};

/**
 * Lever (a), turned back: the route modules functions/lazy-routes.ts imports on first use
 * (functions/lazy-route-modules.ts) imported at start instead, as createApp imported them before;
 * their routers are still built on first use.
 */
const routeModulesAtStart: esbuild.Plugin = {
  name: 'route-modules-at-start',
  setup(build) {
    build.onLoad({ filter: /functions[\\/]lazy-routes\.ts$/ }, async (a) => {
      const source = readFileSync(a.path, 'utf8');
      const dynamic = "import('./lazy-route-modules.js')";
      if (!source.includes(dynamic)) throw new Error(`${a.path}: no ${dynamic} to turn static`);
      const contents = `import * as __atStart from './lazy-route-modules.js';\n${source.split(dynamic).join('Promise.resolve(__atStart)')}`;
      return { contents, loader: 'ts', resolveDir: path.dirname(a.path) };
    });
  },
};

/** Lever (e), upper bound: the packages only some routes use, replaced by stubs with the same export names. */
async function packagesStubbed(): Promise<esbuild.Plugin> {
  const exportsOf = new Map<string, string[]>();
  for (const pkg of DEFERRABLE_PACKAGES)
    exportsOf.set(
      pkg,
      Object.keys(await import(pkg)).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k)),
    );
  return {
    name: 'packages-stubbed',
    setup(build) {
      const filter = new RegExp(`^(${DEFERRABLE_PACKAGES.map((p) => p.replace(/[/.]/g, '\\$&')).join('|')})$`);
      build.onResolve({ filter }, (a) => ({ path: a.path, namespace: 'stub' }));
      build.onLoad({ filter: /.*/, namespace: 'stub' }, (a) => ({
        contents: (exportsOf.get(a.path) ?? []).map((k) => (k === 'default' ? 'export default {};' : `export class ${k} {}`)).join('\n'),
        loader: 'js',
      }));
    },
  };
}

interface Sample {
  /** Parent's view: spawn() to the answer line on stdout. */
  wallMs: number;
  /** Child's view: process start (performance.timeOrigin) to answered. */
  processMs: number;
  /** Child: process start to handler module imported. */
  importMs: number;
  /** Child: CPU time (user + system, all threads) at the answer: moves less with other load than wall time. */
  cpuMs: number;
  status: number;
}

type Target = 'health' | 'join';

function runOnce(
  outfile: string,
  sourceMaps: boolean,
  request: string,
  env: Record<string, string>,
  extraArgs: string[] = [],
  waitForExit = false,
): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [...(sourceMaps ? ['--enable-source-maps'] : []), ...extraArgs, RUNNER, outfile, request], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let done = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const line = stdout.split('\n').find((l) => l.startsWith('{"bench":true') && l.endsWith('}'));
      if (line && !done) {
        done = true;
        const wallMs = performance.now() - t0;
        const r = JSON.parse(line) as { status: number; imported: number; answered: number; cpu: number; body?: string };
        if (r.status >= 300) {
          reject(new Error(`${path.relative(REPO_ROOT, outfile)} answered ${request} with ${r.status}: ${r.body}`));
          return;
        }
        const sample = { wallMs, processMs: r.answered, importMs: r.imported, cpuMs: r.cpu, status: r.status };
        if (waitForExit) child.once('exit', () => resolve(sample));
        else resolve(sample);
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
const r1 = (x: number) => +x.toFixed(1);
const r2 = (x: number) => +x.toFixed(2);

/** DynamoDB Local, the table, one open campaign, and a fresh signed member per join request. */
async function coldPath() {
  const local = await startDynamoDbLocal();
  const tableName = `coldstart_${randomUUID().slice(0, 8)}`;
  const raw = new DynamoDBClient({
    endpoint: local.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureTable(raw, tableName);
  raw.destroy();
  const tokens: TokenSettings = {
    secret: 'coldstart-bench-secret-0123456789abcdef',
    issuer: 'tuangou-api',
    audience: 'tuangou-miniprogram',
    ttlSeconds: 3600,
  };
  // The real app in this process seeds the campaign (as join.ts does) and warms DynamoDB Local's JIT.
  const doc = createDocumentClient({ region: 'local', endpoint: local.endpoint });
  const app = createApp({
    db: { doc, tableName, clock: systemClock, cache: new CampaignCache() },
    tokens,
    devAuth: false,
    logger: createLogger('silent'),
    money: disabledMoney,
  });
  const leader = await issueToken(tokens, { id: 'u_leader', nickname: '团长' });
  const created = await app.request('/campaigns', {
    method: 'POST',
    headers: { authorization: `Bearer ${leader}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      title: '冷启动 荔枝',
      closesAt: new Date(Date.now() + 6 * 3600_000).toISOString(),
      items: [{ name: '荔枝', unitPrice: 990, stock: 1_000_000 }],
    }),
  });
  if (created.status !== 201) throw new Error(`seeding the campaign failed: ${created.status} ${await created.text()}`);
  const campaignId = ((await created.json()) as { id: string }).id;
  let member = 0;
  const joinRequest = async () => {
    const n = member++;
    const token = await issueToken(tokens, { id: `u_cold${n}`, nickname: `冷${n}` });
    return {
      method: 'POST',
      path: `/campaigns/${campaignId}/entries`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': `cold-${n}` },
      body: JSON.stringify({ items: [{ itemId: 'i1', qty: 1 }] }),
    };
  };
  for (let i = 0; i < 300; i++) {
    const r = await joinRequest();
    const res = await app.request(r.path, { method: r.method, headers: r.headers, body: r.body });
    if (res.status !== 201) throw new Error(`warm-up join failed: ${res.status} ${await res.text()}`);
  }
  const meta = keys.campaignMeta(campaignId);
  const peerRequest = { path: `/items/${encodeURIComponent(meta.pk)}/${encodeURIComponent(meta.sk)}` };
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    TABLE_NAME: tableName,
    AWS_REGION: 'ap-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_EC2_METADATA_DISABLED: 'true',
    DYNAMODB_ENDPOINT: local.endpoint,
    AUTH_SECRET: tokens.secret,
    DEV_AUTH: 'false',
    LOG_LEVEL: 'error',
  };
  return {
    env,
    joinRequest,
    peerRequest,
    stop: () => {
      doc.destroy();
      return local.stop();
    },
  };
}

interface Variant {
  name: string;
  outfile: string;
  sourceMaps: boolean;
  kind: 'hello' | 'peer' | 'api';
  /** the lever this variant measures, against `api` (or `peer` for the peer's own source-map variant) */
  lever?: string;
}

async function main() {
  const loadBefore = os.loadavg();
  const cold = await coldPath();
  console.log(`Bundling (esbuild ${esbuild.version}, ${NODE_TARGET}, ESM, minified unless noted) ...`);
  // The deployed bundle is code-split with zod's `en` locale only (infra/bundling.ts); each lever
  // variant turns one choice back (or, for the bounds, goes further) so its effect is measured here.
  const bundles: Record<string, Awaited<ReturnType<typeof bundle>>> = {
    hello: await bundle('hello', path.join(HERE, 'hello.ts')),
    peer: await bundle('peer', path.join(HERE, 'peer.ts')),
    api: await bundle('api', apiEntry),
    'api:one-file': await bundle('api-one-file', apiEntry, { splitting: false }),
    'api:all-zod-locales': await bundle('api-zod-locales', apiEntry, { allZodLocales: true }),
    'api:unminified': await bundle('api-unminified', apiEntry, { minify: false }),
    'api:route-groups-stubbed': await bundle('api-groups', apiEntry, { plugins: [routeGroupsStubbed] }),
    'api:packages-stubbed': await bundle('api-packages', apiEntry, { plugins: [await packagesStubbed()] }),
    'api:route-modules-at-start': await bundle('api-modules-at-start', apiEntry, { plugins: [routeModulesAtStart] }),
    'api:before': await bundle('api-before', apiEntry, { splitting: false, allZodLocales: true, plugins: [routeModulesAtStart] }),
  };
  const variants: Variant[] = [
    { name: 'hello', outfile: bundles.hello!.outfile, sourceMaps: true, kind: 'hello' },
    { name: 'peer', outfile: bundles.peer!.outfile, sourceMaps: true, kind: 'peer' },
    { name: 'api', outfile: bundles.api!.outfile, sourceMaps: true, kind: 'api' },
    { name: 'peer (no source maps)', outfile: bundles.peer!.outfile, sourceMaps: false, kind: 'peer', lever: 'd' },
    { name: 'api (no source maps)', outfile: bundles.api!.outfile, sourceMaps: false, kind: 'api', lever: 'd' },
    { name: 'api: one file, not split', outfile: bundles['api:one-file']!.outfile, sourceMaps: true, kind: 'api', lever: 'e' },
    { name: 'api: all zod locales', outfile: bundles['api:all-zod-locales']!.outfile, sourceMaps: true, kind: 'api', lever: 'e' },
    { name: 'api: not minified', outfile: bundles['api:unminified']!.outfile, sourceMaps: true, kind: 'api', lever: 'e' },
    {
      name: 'api: S3/QR packages stubbed (bound)',
      outfile: bundles['api:packages-stubbed']!.outfile,
      sourceMaps: true,
      kind: 'api',
      lever: 'e',
    },
    {
      name: 'api: route groups stubbed (bound)',
      outfile: bundles['api:route-groups-stubbed']!.outfile,
      sourceMaps: true,
      kind: 'api',
      lever: 'a',
    },
    {
      name: 'api: route modules imported at start',
      outfile: bundles['api:route-modules-at-start']!.outfile,
      sourceMaps: true,
      kind: 'api',
      lever: 'a',
    },
    {
      name: 'api: as bundled before (1 file, all locales, modules at start)',
      outfile: bundles['api:before']!.outfile,
      sourceMaps: true,
      kind: 'api',
      lever: 'e',
    },
  ];
  if (args.breakdown) {
    bundles['api:sdk-external'] = await bundle('api-sdk-external', apiEntry, { bundleSdk: false });
    variants.push({ name: 'api: SDK external', outfile: bundles['api:sdk-external']!.outfile, sourceMaps: true, kind: 'api', lever: 'e' });
    for (const probe of ['zod', 'aws-sdk', 'zod-openapi']) {
      const b = await bundle(`probe-${probe}`, path.join(HERE, 'probes', `${probe}.ts`));
      variants.push({ name: `probe: ${probe}`, outfile: b.outfile, sourceMaps: true, kind: 'hello' });
    }
  }

  const requestFor = async (v: Variant, target: Target): Promise<string | null> => {
    // Only the API has the other paths (/docs): hello and the peer answer /health.
    if (target === 'health') return v.kind === 'api' ? args.path! : '/health';
    if (v.kind === 'hello') return null;
    return JSON.stringify(v.kind === 'peer' ? cold.peerRequest : await cold.joinRequest());
  };
  const targets: Target[] = ['health', 'join'];
  const samples = new Map<string, Sample[]>();
  const key = (v: Variant, t: Target) => `${v.name}|${t}`;
  // Warm the file system cache once per variant (and check every answer), then measure.
  for (const v of variants)
    for (const t of targets) {
      const request = await requestFor(v, t);
      if (request) await runOnce(v.outfile, v.sourceMaps, request, cold.env);
    }
  for (let round = 0; round < RUNS; round++) {
    for (const v of variants)
      for (const t of targets) {
        const request = await requestFor(v, t);
        if (!request) continue;
        const list = samples.get(key(v, t)) ?? [];
        list.push(await runOnce(v.outfile, v.sourceMaps, request, cold.env));
        samples.set(key(v, t), list);
      }
    process.stdout.write(`\r  round ${round + 1}/${RUNS}`);
  }
  process.stdout.write('\n\n');

  const profile = args.profile ? await profileApi(cold.env, cold.joinRequest) : undefined;
  const loadAfter = os.loadavg();
  await cold.stop();

  console.log('Bundle sizes (index.mjs; gzip approximates the deployment zip):');
  for (const [name, b] of Object.entries(bundles)) {
    const chunks = 'chunks' in b ? `   (${b.chunks} chunks, ${kib(b.allBytes!)} in all)` : '';
    console.log(
      `  ${name.padEnd(26)} ${kib(b.bytes).padStart(10)}   gzip ${kib(b.gzipBytes).padStart(9)}   map ${kib(b.mapBytes).padStart(9)}${chunks}`,
    );
  }

  const med = (name: string, t: Target, f: (s: Sample) => number = (s) => s.processMs) => {
    const xs = samples.get(`${name}|${t}`);
    return xs ? median(xs.map(f)) : undefined;
  };
  /** wall ms to the first /health and the first join, and the child's CPU ms for each */
  type Metrics = { health: number; join?: number; cpuHealth: number; cpuJoin?: number };
  const metricsOf = (name: string): Metrics => {
    const join = med(name, 'join');
    const cpuJoin = med(name, 'join', (s) => s.cpuMs);
    return {
      health: med(name, 'health')!,
      cpuHealth: med(name, 'health', (s) => s.cpuMs)!,
      ...(join !== undefined ? { join } : {}),
      ...(cpuJoin !== undefined ? { cpuJoin } : {}),
    };
  };
  const each = (m: Metrics, f: (k: keyof Metrics, x: number) => number) =>
    Object.fromEntries(Object.entries(m).map(([k, x]) => [k, f(k as keyof Metrics, x)])) as Metrics;
  const peer = metricsOf('peer');
  const peerNoMaps = metricsOf('peer (no source maps)');
  const api = metricsOf('api') as Required<Metrics>;
  console.log(
    `\nCold start: fresh node process -> first answer, median of ${RUNS} runs (node ${process.version}); ` +
      "join = the API's first POST join, the peer's first GetItem, against DynamoDB Local; cpu = the child's CPU ms:",
  );
  const ms = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(1));
  const signed = (x: number | undefined) => (x === undefined ? '-' : `${x >= 0 ? '+' : ''}${x.toFixed(1)}`);
  const times = (x: number | undefined) => (x === undefined ? '-' : `${x.toFixed(2)}x`);
  console.log(
    `  ${'variant'.padEnd(38)} ${'health'.padStart(7)} ${'join'.padStart(7)} ${'import'.padStart(7)}  ${'cpu h/j'.padStart(13)}  ` +
      `${'vs peer h/j'.padStart(11)}  ${'(cpu)'.padStart(11)}  ${'lever effect ms h/j (cpu h/j)'.padStart(30)}`,
  );
  const figures: Record<string, unknown> = {};
  for (const v of variants) {
    const m = metricsOf(v.name);
    const imp = med(v.name, 'health', (s) => s.importMs)!;
    // Each variant against the peer as it runs itself: with or without source maps.
    const base = v.sourceMaps ? peer : peerNoMaps;
    const vsPeer = each(m, (k, x) => x / base[k]!);
    const ref = v.kind === 'peer' ? peer : api;
    const effect = v.lever ? each(m, (k, x) => x - ref[k]!) : undefined;
    console.log(
      `  ${v.name.padEnd(38)} ${ms(m.health).padStart(7)} ${ms(m.join).padStart(7)} ${ms(imp).padStart(7)}  ` +
        `${`${ms(m.cpuHealth)}/${ms(m.cpuJoin)}`.padStart(13)}  ${`${times(vsPeer.health)}/${times(vsPeer.join)}`.padStart(11)}  ` +
        `${`${times(vsPeer.cpuHealth)}/${times(vsPeer.cpuJoin)}`.padStart(11)}  ` +
        `${effect ? `${signed(effect.health)}/${signed(effect.join)} (${signed(effect.cpuHealth)}/${signed(effect.cpuJoin)})` : ''}`.padStart(
          30,
        ),
    );
    figures[v.name] = {
      ms: each(m, (_k, x) => r1(x)),
      importMs: r1(imp),
      ratioToPeer: each(vsPeer, (_k, x) => r2(x)),
      ...(v.lever ? { lever: v.lever, effectMs: each(effect!, (_k, x) => r1(x)) } : {}),
    };
  }
  const ratio = {
    health: api.health / peer.health,
    join: api.join / peer.join!,
    cpuHealth: api.cpuHealth / peer.cpuHealth,
    cpuJoin: api.cpuJoin / peer.cpuJoin!,
  };
  const met = ratio.health <= 1.3 && ratio.join <= 1.3;
  console.log(
    `\nDeployed API (${BUNDLE_AWS_SDK ? 'SDK bundled' : 'SDK external'}, --enable-source-maps) vs the peer: ` +
      `${ratio.health.toFixed(2)}x to the first /health, ${ratio.join.toFixed(2)}x to the first join (goal <= 1.30x on both): ${met ? 'met' : 'NOT met'}; ` +
      `in CPU ${ratio.cpuHealth.toFixed(2)}x and ${ratio.cpuJoin.toFixed(2)}x.`,
  );
  console.log(`vs bare Hono: ${(api.health / med('hello', 'health')!).toFixed(2)}x to the first /health.`);
  console.log('"health"/"join" = child process start (performance.timeOrigin) to the answer; "import" = to the handler module imported.');
  if (profile) printProfile(profile);
  console.log(
    JSON.stringify({
      bench: 'coldstart',
      node: process.version,
      runs: RUNS,
      loadAverage: { before: loadBefore.map(r2), after: loadAfter.map(r2) },
      apiToPeer: {
        health: r2(ratio.health),
        join: r2(ratio.join),
        cpuHealth: r2(ratio.cpuHealth),
        cpuJoin: r2(ratio.cpuJoin),
        goal: 1.3,
        met,
      },
      apiToHello: { health: r2(api.health / med('hello', 'health')!) },
      variants: figures,
      bundles: Object.fromEntries(
        Object.entries(bundles).map(([n, b]) => [
          n,
          { kib: r1(b.bytes / 1024), gzipKib: r1(b.gzipBytes / 1024), mapKib: r1(b.mapBytes / 1024) },
        ]),
      ),
      ...(profile ? { profileMs: profile } : {}),
    }),
  );
}

/**
 * One profiled cold join of the API, unminified (module names from esbuild's region comments), its
 * CPU time attributed to groups: what building the OpenAPI registry (b) and the schemas (c) cost at start.
 */
async function profileApi(env: Record<string, string>, joinRequest: () => Promise<object>) {
  // One file, so that the profile's positions all fall in the one bundle attributeProfile reads.
  const b = await bundle('api-profile', apiEntry, { minify: false, splitting: false });
  const dir = path.join(OUT, 'api-profile', 'prof');
  const totals: Record<string, number>[] = [];
  for (let i = 0; i < 3; i++) {
    rmSync(dir, { recursive: true, force: true });
    await runOnce(
      b.outfile,
      true,
      JSON.stringify(await joinRequest()),
      env,
      ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=100'],
      true,
    );
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
    // The URL is the real path (node_modules may be a symlink): match on the bundle's last folders.
    const urlEnd = `/${path.relative(OUT, b.outfile).split(path.sep).join('/')}`;
    totals.push(attributeProfile(JSON.parse(readFileSync(path.join(dir, file), 'utf8')), readFileSync(b.outfile, 'utf8'), urlEnd));
  }
  const groups = new Set(totals.flatMap((t) => Object.keys(t)));
  return Object.fromEntries(
    [...groups].map((g) => [g, r1(median(totals.map((t) => t[g] ?? 0)))]).sort((a, b) => Number(b[1]) - Number(a[1])),
  );
}

function printProfile(profile: Record<string, number>) {
  console.log("\nWhere the API's cold join goes (CPU profile of the unminified bundle, median of 3; profiling inflates it):");
  for (const [group, ms] of Object.entries(profile)) console.log(`  ${ms.toFixed(1).padStart(7)} ms  ${group}`);
}

await main();
