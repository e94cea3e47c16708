import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { parseConfig } from '../../shared/config.js';
import { DEFAULT_RATE_LIMITS, LocalRateCounts } from '../../shared/limits/rate-limit.js';
import { keys } from '../../shared/table/keys.js';
import { type FakeWechat, startFakeWechat } from '../../shared/wechat/fake/index.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';

let h: Harness;
let fake: FakeWechat;

beforeAll(async () => {
  h = await harness({ rateLimits: { join: { limit: 3, windowSeconds: 60 }, login: { limit: 2, windowSeconds: 60 } } });
  fake = await startFakeWechat();
});

afterAll(async () => {
  await fake?.close();
});

describe('per-user rate limits', () => {
  it('defaults: 20 joins and 10 logins per user per minute; 0 turns a limit off', () => {
    expect(DEFAULT_RATE_LIMITS.join).toEqual({ limit: 20, windowSeconds: 60 });
    const config = parseConfig({ TABLE_NAME: 't' });
    expect(config.RATE_LIMIT_JOINS_PER_MINUTE).toBe(20);
    expect(config.RATE_LIMIT_LOGINS_PER_MINUTE).toBe(10);
    expect(parseConfig({ TABLE_NAME: 't', RATE_LIMIT_JOINS_PER_MINUTE: '0' }).RATE_LIMIT_JOINS_PER_MINUTE).toBe(0);
  });

  it('joins beyond the limit are 429 RATE_LIMITED with Retry-After, per user, until the window ends', async () => {
    h.clock.set('2026-12-01T00:00:10.000Z');
    const leader = await h.login('rl-leader', '团长');
    const campaigns = [];
    for (let i = 0; i < 4; i++) campaigns.push(await h.createCampaign(leader.token, { opensAt: T0 }));
    const member = await h.login('rl-member', '王小明');
    const join = (c: { id: string }, token = member.token) =>
      h.call('POST', `/campaigns/${c.id}/entries`, { token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    for (let i = 0; i < 3; i++) expect((await join(campaigns[i]!)).status).toBe(201);
    const refused = await join(campaigns[3]!);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { scope: 'join', limit: 3, retryAfterSeconds: 50 } });
    expect(refused.headers.get('retry-after')).toBe('50');
    // nothing was written for the refused join
    expect((await h.call('GET', `/campaigns/${campaigns[3]!.id}`)).body.participantCount).toBe(0);
    // another user is not affected
    const other = await h.login('rl-other', '李雷');
    expect((await join(campaigns[3]!, other.token)).status).toBe(201);
    // the next window
    h.clock.set('2026-12-01T00:01:00.000Z');
    expect((await join(campaigns[3]!)).status).toBe(201);
  });

  it('concurrent joins of one user never pass the limit', async () => {
    h.clock.set('2026-12-01T00:05:00.000Z');
    const leader = await h.login('rl-leader2', '团长');
    const cs = await Promise.all(Array.from({ length: 8 }, () => h.createCampaign(leader.token, { opensAt: T0 })));
    const member = await h.login('rl-burst', '张三');
    const results = await Promise.all(
      cs.map((c) => h.call('POST', `/campaigns/${c.id}/entries`, { token: member.token, body: { items: [{ itemId: 'i1', qty: 1 }] } })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status === 429)).toHaveLength(5);
  });

  it('WeChat logins beyond the limit are 429 RATE_LIMITED', async () => {
    const app = createApp({ ...h.deps, wechat: { apiBase: fake.url, appId: fake.appId, secret: fake.secret, timeoutMs: 3000 } });
    const login = (openid: string) =>
      app.request('/auth/wechat', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: fake.codeFor(openid) }),
      });
    h.clock.set('2026-12-01T00:10:00.000Z');
    expect((await login('o_rl')).status).toBe(200);
    expect((await login('o_rl')).status).toBe(200);
    const refused = await login('o_rl');
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as any).error.code).toBe('RATE_LIMITED');
    expect(refused.headers.get('retry-after')).toBe('60');
    expect((await login('o_rl_other')).status).toBe(200);
  });
});

describe('rate limits counted locally first', () => {
  it('ordinary users cost the table no write; heavy users are still held to the exact limit in one process', async () => {
    const local = new LocalRateCounts();
    const lh = await harness({ rateLimits: { join: { limit: 8, windowSeconds: 60 }, login: { limit: 2, windowSeconds: 60 }, local } });
    lh.clock.set('2026-12-01T00:00:05.000Z');
    const leader = await lh.login('lrl-leader', '团长');
    const cs = await Promise.all(Array.from({ length: 12 }, () => lh.createCampaign(leader.token, { opensAt: T0 })));
    const member = await lh.login('lrl-member', '王小明');
    const join = (c: { id: string }) =>
      lh.call('POST', `/campaigns/${c.id}/entries`, { token: member.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    const windowKey = keys.rateWindow('join', member.userId, '2026-12-01T00:00:00.000Z');
    const counter = async () =>
      (await lh.db.doc.send(new GetCommand({ TableName: lh.db.tableName, Key: windowKey, ConsistentRead: true }))).Item?.count;
    // limit 8 → the first 2 (a quarter) are counted in memory only
    for (let i = 0; i < 2; i++) expect((await join(cs[i]!)).status).toBe(201);
    expect(await counter()).toBeUndefined();
    expect((await join(cs[2]!)).status).toBe(201);
    expect(await counter()).toBe(3);
    const burst = await Promise.all(cs.slice(3).map((c) => join(c)));
    expect(burst.filter((r) => r.status === 201)).toHaveLength(5);
    expect(burst.filter((r) => r.status === 429)).toHaveLength(4);
    expect(await counter()).toBe(8);
  });
});
