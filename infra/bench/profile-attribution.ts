/**
 * Attributes a V8 CPU profile of a cold start (node --cpu-prof) of an UNMINIFIED esbuild bundle to
 * groups of source (bench:coldstart --profile). esbuild marks where each input file starts with a
 * `// path` comment line; an ES module bundle runs every module's top-level code inside one
 * function, so its samples are split by line (V8's positionTicks) into the files those lines came from.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  positionTicks?: { line: number; ticks: number }[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Which group a bundled input file belongs to (order matters: first match). */
const GROUPS: [RegExp, string][] = [
  [/node_modules\/zod\/v4\/locales\//, 'zod locales'],
  [/node_modules\/zod\//, 'zod (library: schema construction, parsing)'],
  [/node_modules\/(@asteasolutions\/zod-to-openapi|@hono\/zod-openapi)\//, 'OpenAPI registry (zod-to-openapi, @hono/zod-openapi)'],
  [/node_modules\/(@aws-sdk|@smithy|@aws-crypto|fast-xml-parser|strnum|tslib)\//, 'AWS SDK'],
  [/node_modules\/hono\//, 'hono'],
  [/node_modules\//, 'other packages'],
  [/^(\.\.\/)*functions\/(schemas|routes)\//, 'schemas and routes (functions/schemas, functions/routes)'],
  [/^(\.\.\/)*(functions|shared)\//, 'app code (functions/, shared/)'],
];

export function groupOf(file: string): string {
  for (const [re, name] of GROUPS) if (re.test(file)) return name;
  return 'bundle (other)';
}

/** ms per group. `bundleUrlEnd`: how the bundle's URL ends (its file path). */
export function attributeProfile(profile: CpuProfile, bundleSource: string, bundleUrlEnd: string): Record<string, number> {
  // Line (1-based, as positionTicks) where each input file's code starts.
  const starts: { line: number; file: string }[] = [];
  bundleSource.split('\n').forEach((text, i) => {
    const m = /^\/\/ (\S+\.(?:m?[jt]s|cjs|json))$/.exec(text);
    if (m) starts.push({ line: i + 1, file: m[1]! });
  });
  const fileAt = (line: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = '';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]!.line <= line) {
        found = starts[mid]!.file;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
  const msOf = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    msOf.set(id, (msOf.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const out: Record<string, number> = {};
  const add = (group: string, ms: number) => {
    out[group] = (out[group] ?? 0) + ms;
  };
  for (const node of profile.nodes) {
    const ms = msOf.get(node.id) ?? 0;
    if (!ms) continue;
    const { url, functionName, lineNumber } = node.callFrame;
    if (url.endsWith(bundleUrlEnd)) {
      const ticks = node.positionTicks ?? [];
      const total = Math.max(
        node.hitCount ?? 0,
        ticks.reduce((n, t) => n + t.ticks, 0),
      );
      let left = ms;
      for (const t of ticks) {
        const part = total ? (ms * t.ticks) / total : 0;
        add(groupOf(fileAt(t.line)), part);
        left -= part;
      }
      if (left > 1e-9) add(groupOf(fileAt(lineNumber + 1)), left);
    } else if (functionName === 'compileSourceTextModule') add('compiling the bundle (parse)', ms);
    else if (functionName === '(garbage collector)') add('garbage collection', ms);
    else if (functionName === '(idle)') add('idle (waiting on DynamoDB Local)', ms);
    else if (url.startsWith('node:') || functionName === '(program)' || url === '') add('node internals (loader, undici, bootstrap)', ms);
    else add('runner and other', ms);
  }
  return out;
}
