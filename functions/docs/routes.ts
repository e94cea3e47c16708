import type { Context } from 'hono';
import { docsAssets, encodedBody, INIT_NAME, pickEncoding } from './assets.js';

/**
 * GET /docs and GET /docs/assets/{hash}/{name}: Swagger UI over /openapi.json, every byte from this
 * API (no CDN: the page works offline and where public CDNs are blocked or slow).
 */
export const ASSET_PREFIX = '/docs/assets';

/**
 * Only this origin; no inline script or style at all (the page starts from a file of its own).
 * data: images are the icons in swagger-ui.css and the empty favicon; connect-src 'self' reads
 * /openapi.json and sends "Try it out" requests to this same API.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Versioned paths: a new build is a new path, so a year and immutable are safe. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

export async function docsPage(c: Context): Promise<Response> {
  const assets = await docsAssets();
  const url = (name: string) => `${ASSET_PREFIX}/${assets.get(name)?.hash}/${name}`;
  const html =
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>团购接龙 API</title>' +
    // An empty favicon: otherwise the browser asks for /favicon.ico, a 404.
    `<link rel="icon" href="data:,"><link rel="stylesheet" href="${url('swagger-ui.css')}"></head>` +
    `<body><div id="swagger-ui"></div><script src="${url('swagger-ui-bundle.js')}"></script>` +
    `<script src="${url(INIT_NAME)}"></script></body></html>`;
  return c.body(html, 200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': DOCS_CSP,
    // Short: it names the current assets, which a deploy changes.
    'Cache-Control': 'public, max-age=60',
  });
}

export async function docsAsset(c: Context): Promise<Response> {
  const asset = (await docsAssets()).get(c.req.param('name') ?? '');
  // An old hash is a 404 rather than today's bytes under a path cached forever as something else.
  if (!asset || asset.hash !== c.req.param('hash')) return c.notFound();
  const encoding = pickEncoding(c.req.header('accept-encoding'));
  const headers: Record<string, string> = { 'Content-Type': asset.type, 'Cache-Control': IMMUTABLE, Vary: 'Accept-Encoding' };
  if (!encoding) return c.body(new Uint8Array(asset.body), 200, headers);
  const body = await encodedBody(asset, encoding);
  return c.body(new Uint8Array(body), 200, { ...headers, 'Content-Encoding': encoding });
}
