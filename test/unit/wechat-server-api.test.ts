import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeWechat, startFakeWechat } from '../../shared/wechat/fake/index.js';
import {
  AccessTokens,
  msgSecCheck,
  TOKEN_REFRESH_MARGIN_SECONDS,
  WechatMisconfiguredError,
  WechatServerApi,
  WechatTokenRejectedError,
  WechatUnreachableError,
} from '../../shared/wechat/index.js';
import { harness } from '../helpers/harness.js';

let fake: FakeWechat;

beforeAll(async () => {
  fake = await startFakeWechat();
});

afterAll(async () => {
  await fake?.close();
});

const settingsFor = (f: FakeWechat, over: { appId?: string; secret?: string; apiBase?: string } = {}) => ({
  apiBase: f.url,
  appId: f.appId,
  secret: f.secret,
  timeoutMs: 300,
  ...over,
});

const secCheck = { content: '葡萄', version: 2, scene: 2, openid: 'o_test' };

/** A fresh table, and a fake whose counters start at zero for this test. */
async function setup() {
  const h = await harness();
  fake.rejectAllTokens = false;
  fake.secCheckDown = false;
  fake.secCheckHang = false;
  fake.dropNextSecChecks(0);
  fake.revokeTokens(); // each test starts without a live token at WeChat either
  fake.requests.length = 0;
  return h;
}

const forcedFetches = () => fake.requests.filter((r) => r.path === '/cgi-bin/stable_token' && r.body?.force_refresh === true).length;

describe('access token (stable_token), cached in the table', () => {
  it('50 concurrent callers in one process share one token fetch', async () => {
    const h = await setup();
    const tokens = new AccessTokens(h.db, settingsFor(fake));
    const got = await Promise.all(Array.from({ length: 50 }, () => tokens.get()));
    expect(fake.count('/cgi-bin/stable_token')).toBe(1);
    expect(new Set(got).size).toBe(1);
    expect(fake.requests[0]!.body).toEqual({
      grant_type: 'client_credential',
      appid: fake.appId,
      secret: fake.secret,
      force_refresh: false,
    });
  });

  it('a cold start (a new client on the same table) reuses the stored token without a fetch', async () => {
    const h = await setup();
    const first = await new AccessTokens(h.db, settingsFor(fake)).get();
    const coldStart = new AccessTokens(h.db, settingsFor(fake));
    expect(await coldStart.get()).toBe(first);
    expect(fake.count('/cgi-bin/stable_token')).toBe(1);
  });

  it('refreshes a few minutes before expiry, not before', async () => {
    const h = await setup();
    const tokens = new AccessTokens(h.db, settingsFor(fake));
    await tokens.get();
    h.clock.advance((7200 - TOKEN_REFRESH_MARGIN_SECONDS - 30) * 1000);
    await tokens.get();
    expect(fake.count('/cgi-bin/stable_token')).toBe(1);
    h.clock.advance(60_000);
    fake.expireTokens(); // WeChat rotated it meanwhile
    const renewed = await tokens.get();
    expect(fake.count('/cgi-bin/stable_token')).toBe(2);
    expect(renewed).toBe(fake.tokensIssued.at(-1));
    // and the renewed token is what the next cold start finds
    expect(await new AccessTokens(h.db, settingsFor(fake)).get()).toBe(renewed);
    expect(fake.count('/cgi-bin/stable_token')).toBe(2);
  });

  it('bad credentials are typed errors with the errcode (40013 appid, 40125 secret)', async () => {
    const h = await setup();
    const badAppId = new AccessTokens(h.db, settingsFor(fake, { appId: 'wxnotours' }));
    await expect(badAppId.get()).rejects.toMatchObject({ constructor: WechatMisconfiguredError, errcode: 40013 });
    const badSecret = new AccessTokens(h.db, settingsFor(fake, { secret: 'wrong' }));
    await expect(badSecret.get()).rejects.toMatchObject({ constructor: WechatMisconfiguredError, errcode: 40125 });
    // definitive answers are not retried
    expect(fake.count('/cgi-bin/stable_token')).toBe(2);
  });

  it('WeChat unreachable is WechatUnreachableError (503 SERVICE_UNAVAILABLE) after the retries', async () => {
    const h = await setup();
    const tokens = new AccessTokens(h.db, settingsFor(fake, { apiBase: 'http://127.0.0.1:1' }));
    await expect(tokens.get()).rejects.toMatchObject({ constructor: WechatUnreachableError, status: 503, code: 'SERVICE_UNAVAILABLE' });
  });
});

describe('server-API calls with the token', () => {
  it('a rejected token (40001) is force-refreshed once and the call retried once', async () => {
    const h = await setup();
    const api = new WechatServerApi(h.db, settingsFor(fake));
    await api.post('/wxa/msg_sec_check', secCheck, { idempotent: true });
    fake.revokeTokens(); // e.g. a forced refresh elsewhere after a leak
    const out = await api.post('/wxa/msg_sec_check', secCheck, { idempotent: true });
    expect(out.errcode).toBe(0);
    expect(forcedFetches()).toBe(1);
    expect(fake.count('/wxa/msg_sec_check')).toBe(3);
  });

  it('an expired token (42001) is replaced the same way, and concurrent callers share the one forced refresh', async () => {
    const h = await setup();
    const api = new WechatServerApi(h.db, settingsFor(fake));
    await api.tokens.get();
    fake.expireTokens();
    const outs = await Promise.all(Array.from({ length: 10 }, () => api.post('/wxa/msg_sec_check', secCheck, { idempotent: true })));
    expect(outs.every((o) => o.errcode === 0)).toBe(true);
    expect(forcedFetches()).toBe(1);
  });

  it('another instance that replaced the rejected token first: its token is taken from the table, no second forced refresh', async () => {
    const h = await setup();
    const a = new WechatServerApi(h.db, settingsFor(fake));
    const b = new WechatServerApi(h.db, settingsFor(fake));
    await Promise.all([a.tokens.get(), b.tokens.get()]);
    fake.revokeTokens();
    await a.post('/wxa/msg_sec_check', secCheck, { idempotent: true });
    // b still holds the revoked token: forcing again would revoke a's new one (and so on, across instances)
    const out = await b.post('/wxa/msg_sec_check', secCheck, { idempotent: true });
    expect(out.errcode).toBe(0);
    expect(forcedFetches()).toBe(1);
  });

  it('msgSecCheck is idempotent: a dropped connection is retried once and succeeds', async () => {
    const h = await setup();
    const api = new WechatServerApi(h.db, settingsFor(fake));
    await api.tokens.get();
    fake.dropNextSecChecks(1);
    const out = await msgSecCheck(api, { content: '葡萄', scene: 2, openid: 'o_test' });
    expect(out.suggest).toBe('pass');
    expect(fake.count('/wxa/msg_sec_check')).toBe(2);
  });

  it('a WeChat that never answers is WechatUnreachableError after the timeout and one retry, not a hang', async () => {
    const h = await setup();
    const api = new WechatServerApi(h.db, settingsFor(fake));
    await api.tokens.get();
    fake.secCheckHang = true;
    const started = Date.now();
    await expect(msgSecCheck(api, { content: '葡萄', scene: 2, openid: 'o_test' })).rejects.toBeInstanceOf(WechatUnreachableError);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(fake.count('/wxa/msg_sec_check')).toBe(2);
  });

  it('a token rejected again after the forced refresh is WechatTokenRejectedError, with no loop', async () => {
    const h = await setup();
    const api = new WechatServerApi(h.db, settingsFor(fake));
    fake.rejectAllTokens = true;
    await expect(api.post('/wxa/msg_sec_check', secCheck, { idempotent: true })).rejects.toMatchObject({
      constructor: WechatTokenRejectedError,
      errcode: 40001,
    });
    expect(forcedFetches()).toBe(1);
    expect(fake.count('/wxa/msg_sec_check')).toBe(2);
  });
});
