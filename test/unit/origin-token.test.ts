import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { systemClock } from '../../shared/clock.js';
import { createLogger } from '../../shared/logger.js';
import { disabledMoney } from '../../shared/money/index.js';
import type { DbContext } from '../../shared/table/index.js';

/** None of these requests reaches the database. */
const tokens = { secret: 'origin-token-secret-0123456789', issuer: 'tuangou-api', audience: 'tuangou-miniprogram', ttlSeconds: 60 };
const db = { doc: {}, tableName: 'unused', clock: systemClock } as unknown as DbContext;
const app = (originToken?: string) =>
  createApp({ db, tokens, devAuth: false, logger: createLogger('silent'), money: disabledMoney, ...(originToken ? { originToken } : {}) });

describe('edge option: only requests that came through CloudFront', () => {
  const TOKEN = '3f2a9c10-1b7e-11ef-9a4b-0a1b2c3d4e5f';

  it('without the origin token, or with a wrong one, the API answers 403 FORBIDDEN', async () => {
    for (const headers of [{}, { 'x-origin-token': 'nope' }, { 'x-origin-token': `${TOKEN}x` }] as Record<string, string>[]) {
      const res = await app(TOKEN).request('/health', { headers });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    }
  });

  it('with it, requests go on as usual', async () => {
    const res = await app(TOKEN).request('/health', { headers: { 'x-origin-token': TOKEN } });
    expect(res.status).toBe(200);
  });

  it('WeChat Pay notifications (signed, sent to whatever URL they were given) are not refused by it', async () => {
    const res = await app(TOKEN).request('/payments/wechat/notify', { method: 'POST', body: '{}' });
    expect(res.status).not.toBe(403);
  });

  it('off unless configured', async () => {
    expect((await app().request('/health')).status).toBe(200);
  });
});
