import { beforeAll, describe, expect, it } from 'vitest';
import { depsFromEnv } from '../../functions/bootstrap.js';
import { parseConfig } from '../../shared/config.js';
import { DEFAULT_RATE_LIMITS } from '../../shared/limits/rate-limit.js';
import { type Harness, harness } from '../helpers/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await harness({
    rateLimits: {
      join: { limit: 20, windowSeconds: 60 },
      login: { limit: 10, windowSeconds: 60 },
      campaign: { limit: 3, windowSeconds: 3600 },
    },
  });
});

describe('POST /campaigns is rate-limited per user', () => {
  it('defaults to 20 an hour, set by RATE_LIMIT_CAMPAIGNS_PER_HOUR (0 turns it off)', async () => {
    expect(DEFAULT_RATE_LIMITS.campaign).toEqual({ limit: 20, windowSeconds: 3600 });
    expect(parseConfig({ TABLE_NAME: 't' }).RATE_LIMIT_CAMPAIGNS_PER_HOUR).toBe(20);
    expect(parseConfig({ TABLE_NAME: 't', RATE_LIMIT_CAMPAIGNS_PER_HOUR: '0' }).RATE_LIMIT_CAMPAIGNS_PER_HOUR).toBe(0);
    const env = {
      TABLE_NAME: 't',
      AWS_REGION: 'local',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:1',
      LOG_LEVEL: 'silent',
      AUTH_SECRET: 'x'.repeat(20),
    };
    expect((await depsFromEnv({ ...env, RATE_LIMIT_CAMPAIGNS_PER_HOUR: '5' })).rateLimits?.campaign).toEqual({
      limit: 5,
      windowSeconds: 3600,
    });
  });

  it('beyond the limit: 429 RATE_LIMITED with Retry-After, nothing created; other users unaffected; the next hour is open again', async () => {
    h.clock.set('2026-12-01T00:10:00.000Z');
    const leader = await h.login('crl-leader', '团长');
    for (let i = 0; i < 3; i++) await h.createCampaign(leader.token);
    const refused = await h.call('POST', '/campaigns', { token: leader.token, body: body() });
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { scope: 'campaign', limit: 3, windowSeconds: 3600 } });
    expect(refused.headers.get('retry-after')).toBe(String(50 * 60));
    expect((await h.call('GET', '/me/campaigns', { token: leader.token })).body.campaigns).toHaveLength(3);
    const other = await h.login('crl-other', '另一个团长');
    expect((await h.call('POST', '/campaigns', { token: other.token, body: body() })).status).toBe(201);
    h.clock.set('2026-12-01T01:00:00.000Z');
    expect((await h.call('POST', '/campaigns', { token: leader.token, body: body() })).status).toBe(201);
  });

  it('an invalid request is refused without counting against the limit', async () => {
    h.clock.set('2026-12-01T02:00:00.000Z');
    const leader = await h.login('crl-invalid', '团长');
    for (let i = 0; i < 5; i++) {
      expect(
        (await h.call('POST', '/campaigns', { token: leader.token, body: body({ closesAt: '2026-11-01T00:00:00.000Z' }) })).status,
      ).toBe(400);
    }
    expect((await h.call('POST', '/campaigns', { token: leader.token, body: body() })).status).toBe(201);
  });
});

function body(overrides: Record<string, unknown> = {}) {
  return { title: '团', closesAt: '2026-12-09T00:00:00.000Z', items: [{ name: '苹果', unitPrice: 100 }], ...overrides };
}
