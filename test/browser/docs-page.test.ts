import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { systemClock } from '../../shared/clock.js';
import { createLogger } from '../../shared/logger.js';
import { disabledMoney } from '../../shared/money/money.js';
import type { DbContext } from '../../shared/table/context.js';

/**
 * GET /docs in a real browser (Debian's chromium, or CHROMIUM_PATH), with the app on a real HTTP
 * port: the reference renders the API's own /openapi.json, every request stays on the API's origin
 * (no CDN: the page works offline and where public CDNs are blocked), and the strict CSP is obeyed
 * (a violation is a console error). Neither the page nor the document reads the database.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const db = { doc: {}, tableName: 'unused', clock: systemClock } as unknown as DbContext;
const tokens = { secret: 'docs-page-secret-0123456789', issuer: 'tuangou-api', audience: 'tuangou-miniprogram', ttlSeconds: 60 };

/** What the in-page function reads; the project compiles without the DOM library. */
interface InPage {
  document: { body: { innerText: string } };
}

let server: ServerType;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  const app = createApp({ db, tokens, devAuth: false, logger: createLogger('silent'), money: disabledMoney });
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--headless=new'] });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
});

describe('the API reference at /docs', () => {
  it('renders the operations of /openapi.json from assets served by the API itself', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warn') errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${String(e)}`));
    page.on('requestfailed', (r) => errors.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
    try {
      const res = await page.goto(`${origin}/docs`, { waitUntil: 'networkidle0' });
      expect(res?.status()).toBe(200);
      expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
      await page.waitForSelector('.opblock-summary-path');

      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point (what a reader sees)
      const text = await page.evaluate(() => (globalThis as unknown as InPage).document.body.innerText);
      for (const expected of [
        '团购接龙 Group-buy API',
        '/campaigns/{id}/entries',
        'Join the 接龙 list',
        '/campaigns/{id}/settle',
        'Create a campaign; the caller becomes its leader (团长)',
      ]) {
        expect(text).toContain(expected);
      }

      const paths = requests.filter((u) => !u.startsWith('data:')).map((u) => new URL(u));
      expect(paths.filter((u) => u.origin !== origin).map(String)).toEqual([]);
      const own = paths.map((u) => u.pathname);
      expect(own).toContain('/openapi.json');
      expect(own.filter((p) => p.startsWith('/docs/assets/'))).toEqual([
        expect.stringMatching(/^\/docs\/assets\/[0-9a-f]{16}\/swagger-ui\.css$/),
        expect.stringMatching(/^\/docs\/assets\/[0-9a-f]{16}\/swagger-ui-bundle\.js$/),
        expect.stringMatching(/^\/docs\/assets\/[0-9a-f]{16}\/docs-init\.js$/),
      ]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
