import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { pickEncoding } from '../../functions/docs/assets.js';
import { DOCS_CSP } from '../../functions/docs/routes.js';
import { LAMBDA_ENTRIES, MAIN_FIELDS, NODE_TARGET } from '../../infra/bundling.js';
import { systemClock } from '../../shared/clock.js';
import { createLogger } from '../../shared/logger.js';
import { disabledMoney } from '../../shared/money/money.js';
import type { DbContext } from '../../shared/table/context.js';

/** /docs and its assets from the installed swagger-ui-dist: headers, versioned paths, encodings. No database. */
const db = { doc: {}, tableName: 'unused', clock: systemClock } as unknown as DbContext;
const tokens = { secret: 'docs-assets-secret-0123456789', issuer: 'tuangou-api', audience: 'tuangou-miniprogram', ttlSeconds: 60 };
const app = createApp({ db, tokens, devAuth: false, logger: createLogger('silent'), money: disabledMoney });
const installed = (name: string) => readFileSync(createRequire(import.meta.url).resolve(`swagger-ui-dist/${name}`));

async function assetPaths(): Promise<string[]> {
  const html = await (await app.request('/docs')).text();
  return [...html.matchAll(/(?:href|src)="(\/docs\/assets\/[^"]+)"/g)].map((m) => m[1]!);
}

describe('GET /docs', () => {
  it('is HTML with a CSP naming only this origin, and links its versioned assets', async () => {
    const res = await app.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(DOCS_CSP);
    expect(DOCS_CSP).not.toMatch(/https?:|unsafe|\*/);
    expect(await assetPaths()).toEqual([
      expect.stringMatching(/^\/docs\/assets\/[0-9a-f]{16}\/swagger-ui\.css$/),
      expect.stringMatching(/^\/docs\/assets\/[0-9a-f]{16}\/swagger-ui-bundle\.js$/),
      expect.stringMatching(/^\/docs\/assets\/[0-9a-f]{16}\/docs-init\.js$/),
    ]);
  });
});

describe('GET /docs/assets/{hash}/{name}', () => {
  it('serves the package files with their type, cached for a year, br or gzip when accepted', async () => {
    const [css, js] = (await assetPaths()) as [string, string];
    for (const [path, name, type] of [
      [css, 'swagger-ui.css', 'text/css; charset=utf-8'],
      [js, 'swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
    ] as const) {
      const file = installed(name);
      const plain = await app.request(path);
      expect(plain.status).toBe(200);
      expect(plain.headers.get('content-type')).toBe(type);
      expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(plain.headers.get('vary')).toBe('Accept-Encoding');
      expect(plain.headers.get('content-encoding')).toBeNull();
      expect(Buffer.from(await plain.arrayBuffer()).equals(file)).toBe(true);

      const br = await app.request(path, { headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
      expect(br.headers.get('content-encoding')).toBe('br');
      expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).equals(file)).toBe(true);
      const gz = await app.request(path, { headers: { 'accept-encoding': 'gzip;q=1, br;q=0' } });
      expect(gz.headers.get('content-encoding')).toBe('gzip');
      expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).equals(file)).toBe(true);
    }
  });

  it('a stale hash or an unknown name is 404 (never today’s bytes under a path cached forever)', async () => {
    const [css] = (await assetPaths()) as [string];
    expect((await app.request(css.replace(/\/[0-9a-f]{16}\//, '/0000000000000000/'))).status).toBe(404);
    expect((await app.request(css.replace('swagger-ui.css', 'package.json'))).status).toBe(404);
    expect((await app.request('/docs/assets/x/../../openapi.json')).status).toBe(404);
  });

  it('reads Accept-Encoding as RFC 9110 does: q=0 refuses, br wins over gzip', () => {
    expect(pickEncoding(undefined)).toBeUndefined();
    expect(pickEncoding('identity')).toBeUndefined();
    expect(pickEncoding('gzip')).toBe('gzip');
    expect(pickEncoding('GZIP, BR')).toBe('br');
    expect(pickEncoding('br;q=0, gzip;q=0.5')).toBe('gzip');
    expect(pickEncoding('br; q=0 , gzip ; q=0')).toBeUndefined();
  });
});

describe('the cold start', () => {
  it('does not load the docs module: the Lambda entry reaches functions/docs/ only through import()', async () => {
    const { metafile } = await esbuild.build({
      entryPoints: [LAMBDA_ENTRIES.api],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      target: NODE_TARGET,
      mainFields: [...MAIN_FIELDS],
      logLevel: 'silent',
    });
    const intoDocs = Object.entries(metafile.inputs).flatMap(([from, input]) =>
      from.startsWith('functions/docs/')
        ? []
        : input.imports.filter((i) => i.path.startsWith('functions/docs/')).map((i) => ({ from, ...i })),
    );
    expect(intoDocs.length).toBeGreaterThan(0);
    expect(intoDocs.filter((i) => i.kind !== 'dynamic-import')).toEqual([]);
  });
});
