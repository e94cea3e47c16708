import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { BUNDLED_DOCS_DIR, DOCS_PACKAGE, DOCS_PACKAGE_FILES } from './files.js';

/**
 * The reference page's assets, read from disk on the first /docs request (never at cold start) and
 * kept for the life of the process: the package's files, then a compressed copy per encoding the
 * first time a client asks for it. In the Lambda bundle the files sit beside index.mjs; run from
 * source (tests, the local server) they are read from node_modules.
 */
export interface DocsAsset {
  readonly name: string;
  readonly type: string;
  readonly body: Buffer;
  /** First 16 hex digits of the body's SHA-256: the versioned path segment, so it can be cached forever. */
  readonly hash: string;
  encoded: Partial<Record<Encoding, Promise<Buffer>>>;
}
export type Encoding = 'br' | 'gzip';

/** Starts the page once its script has loaded; a file of its own so the CSP needs no inline script. */
const INIT_SCRIPT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  // Its default is a badge image from a public validator: nothing leaves this origin.
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;
export const INIT_NAME = 'docs-init.js';

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

let loading: Promise<ReadonlyMap<string, DocsAsset>> | undefined;

export function docsAssets(): Promise<ReadonlyMap<string, DocsAsset>> {
  loading ??= loadAll();
  loading.catch(() => (loading = undefined)); // a failed read is tried again on the next request
  return loading;
}

async function loadAll(): Promise<ReadonlyMap<string, DocsAsset>> {
  const files = await Promise.all(DOCS_PACKAGE_FILES.map(async (name) => [name, await readPackageFile(name)] as const));
  const all = new Map<string, DocsAsset>();
  for (const [name, body] of [...files, [INIT_NAME, Buffer.from(INIT_SCRIPT)] as const]) {
    const type = TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';
    all.set(name, { name, type, body, hash: createHash('sha256').update(body).digest('hex').slice(0, 16), encoded: {} });
  }
  return all;
}

/** Beside index.mjs: this module is index.mjs itself in a one-file bundle, or one of its chunks/ in a split one. */
const BUNDLED_AT = [`./${BUNDLED_DOCS_DIR}/`, `../${BUNDLED_DOCS_DIR}/`];

async function readPackageFile(name: string): Promise<Buffer> {
  for (const dir of BUNDLED_AT) {
    try {
      return await readFile(new URL(`${dir}${name}`, import.meta.url));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  // Not a bundle: run from source, where the package is installed.
  return readFile(createRequire(import.meta.url).resolve(`${DOCS_PACKAGE}/${name}`));
}

const compressors: Record<Encoding, (body: Buffer) => Promise<Buffer>> = {
  // Quality 5: within 3% of the best brotli for a twentieth of its time (~0.1 s, once per process).
  br: (body) =>
    promisify(brotliCompress)(body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
    }),
  gzip: (body) => promisify(gzip)(body, { level: 9 }),
};

/** The body in `encoding`, compressed the first time it is asked for. */
export function encodedBody(asset: DocsAsset, encoding: Encoding): Promise<Buffer> {
  asset.encoded[encoding] ??= compressors[encoding](asset.body);
  const done = asset.encoded[encoding];
  done.catch(() => delete asset.encoded[encoding]);
  return done;
}

/** br over gzip when both are accepted (q > 0), else none. */
export function pickEncoding(acceptEncoding: string | undefined): Encoding | undefined {
  const accepted = new Set<string>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [token = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (token && (q === undefined || Number(q.slice(2)) > 0)) accepted.add(token);
  }
  return accepted.has('br') ? 'br' : accepted.has('gzip') ? 'gzip' : undefined;
}
