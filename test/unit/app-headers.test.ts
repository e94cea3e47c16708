import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { systemClock } from '../../shared/clock.js';
import { createLogger } from '../../shared/logger.js';
import { disabledMoney } from '../../shared/money/money.js';
import type { DbContext } from '../../shared/table/context.js';

/**
 * The app sets CORS headers itself on ordinary requests (functions/app.ts corsHeaders) instead of
 * through hono's cors, for speed: these pin that the headers are exactly what hono's cors sets.
 * None of these requests reaches the database.
 */
const tokens = { secret: 'app-headers-secret-0123456789', issuer: 'tuangou-api', audience: 'tuangou-miniprogram', ttlSeconds: 60 };
const db = { doc: {}, tableName: 'unused', clock: systemClock } as unknown as DbContext;
const corsOptions = (origins?: string[]) => ({
  origin: origins ?? '*',
  allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id', 'X-HTTP-Method-Override'],
  exposeHeaders: ['X-Request-Id', 'Idempotent-Replayed', 'ETag'],
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  maxAge: 600,
});
const CORS_HEADERS = ['access-control-allow-origin', 'access-control-expose-headers', 'access-control-allow-credentials', 'vary'];

function reference(origins?: string[]) {
  const app = new Hono();
  app.use('*', cors(corsOptions(origins)));
  app.all('*', (c) => c.json({}, 200));
  return app;
}

const requests: Array<{ name: string; path: string; init: RequestInit }> = [
  { name: 'GET /health', path: '/health', init: {} },
  { name: 'an unknown route (404)', path: '/nope', init: {} },
  {
    name: 'a malformed bearer (401)',
    path: '/campaigns',
    init: { method: 'POST', headers: { authorization: 'Basic x', 'content-type': 'application/json' }, body: '{}' },
  },
  {
    name: 'a body over the limit (413)',
    path: '/campaigns',
    init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(70 * 1024) },
  },
];

describe.each([
  { label: 'any origin', origins: undefined },
  { label: 'configured origins', origins: ['https://a.example', 'https://b.example'] },
])('CORS headers with $label are the ones hono cors sets', ({ origins }) => {
  const app = createApp({
    db,
    tokens,
    devAuth: false,
    logger: createLogger('silent'),
    money: disabledMoney,
    ...(origins ? { corsOrigins: origins } : {}),
  });
  const ref = reference(origins);
  describe.each(['https://a.example', 'https://evil.example', undefined])('Origin %s', (origin) => {
    it.each(requests)('$name', async ({ path, init }) => {
      const headers = { ...(init.headers as Record<string, string> | undefined), ...(origin ? { origin } : {}) };
      const ours = await app.request(path, { ...init, headers });
      const theirs = await ref.request(path, { ...init, headers });
      for (const name of CORS_HEADERS) expect([name, ours.headers.get(name)]).toEqual([name, theirs.headers.get(name)]);
      expect(ours.headers.get('x-request-id')).toBeTruthy();
      expect(ours.headers.get('x-content-type-options')).toBe('nosniff');
    });
  });

  it('a preflight is answered by hono cors as before', async () => {
    const init = { method: 'OPTIONS', headers: { origin: 'https://a.example', 'access-control-request-method': 'POST' } };
    const ours = await app.request('/campaigns', init);
    const theirs = await reference(origins).request('/campaigns', init);
    expect(ours.status).toBe(theirs.status);
    for (const name of [...CORS_HEADERS, 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-max-age']) {
      expect([name, ours.headers.get(name)]).toEqual([name, theirs.headers.get(name)]);
    }
  });
});

describe('body limit', () => {
  const app = createApp({ db, tokens, devAuth: false, logger: createLogger('silent'), money: disabledMoney });
  it('a declared length over 64 KiB is 413 before anything reads the body', async () => {
    const res = await app.request('/campaigns', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(65 * 1024) },
      body: '{}',
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
  });
  it('a streamed body with no declared length is counted as it arrives', async () => {
    const big = new TextEncoder().encode('x'.repeat(70 * 1024));
    const body = new ReadableStream({
      start(c) {
        c.enqueue(big);
        c.close();
      },
    });
    const res = await app.request('/campaigns', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
  });
});
