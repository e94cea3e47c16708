import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  exchangeCode,
  WechatCodeInvalidError,
  WechatLoginFailedError,
  WechatRateLimitedError,
  type WechatSettings,
  WechatUnavailableError,
  WechatUserBlockedError,
  wechatError,
} from '../../shared/auth/wechat.js';
import { type FakeWechat, MAGIC_CODES, startFakeWechat } from '../../shared/wechat/fake/index.js';

let fake: FakeWechat;
let settings: WechatSettings;

beforeAll(async () => {
  fake = await startFakeWechat();
  settings = { apiBase: fake.url, appId: fake.appId, secret: fake.secret, timeoutMs: 250 };
});

afterAll(async () => {
  await fake?.close();
});

/** A fetch that answers one canned response, recording the URL it was asked for. */
function cannedFetch(status: number, body: string, seen: string[] = []): typeof fetch {
  return (async (input: string | URL | Request) => {
    seen.push(String(input));
    return new Response(body, { status, headers: { 'content-type': 'text/plain' } });
  }) as typeof fetch;
}

describe('wechatError: errcode → our error', () => {
  it.each([
    { errcode: 40029, type: WechatCodeInvalidError, status: 401, code: 'WECHAT_CODE_INVALID' },
    { errcode: 40163, type: WechatCodeInvalidError, status: 401, code: 'WECHAT_CODE_INVALID' },
    { errcode: 41008, type: WechatCodeInvalidError, status: 401, code: 'WECHAT_CODE_INVALID' },
    { errcode: 40226, type: WechatUserBlockedError, status: 403, code: 'WECHAT_USER_BLOCKED' },
    { errcode: 45011, type: WechatRateLimitedError, status: 429, code: 'WECHAT_RATE_LIMITED' },
    { errcode: -1, type: WechatUnavailableError, status: 503, code: 'WECHAT_UNAVAILABLE' },
    { errcode: 40013, type: WechatLoginFailedError, status: 503, code: 'WECHAT_LOGIN_FAILED' },
    { errcode: 40125, type: WechatLoginFailedError, status: 503, code: 'WECHAT_LOGIN_FAILED' },
    { errcode: 99999, type: WechatLoginFailedError, status: 503, code: 'WECHAT_LOGIN_FAILED' },
  ])('$errcode → $status $code', ({ errcode, type, status, code }) => {
    const err = wechatError(errcode);
    expect(err).toBeInstanceOf(type);
    expect(err).toMatchObject({ status, code, details: { errcode } });
  });
});

describe('exchangeCode against the fake server', () => {
  it('returns openid, and unionid when present; never the session_key', async () => {
    expect(await exchangeCode(settings, fake.codeFor('o_1'))).toEqual({ openid: 'o_1' });
    expect(await exchangeCode(settings, fake.codeFor('o_2', 'un_2'))).toEqual({ openid: 'o_2', unionid: 'un_2' });
  });

  it('sends appid, secret, js_code and grant_type as query parameters, URL-encoded', async () => {
    const code = 'a+b/c=&d';
    await expect(exchangeCode(settings, code)).rejects.toBeInstanceOf(WechatCodeInvalidError);
    expect(fake.requests.at(-1)).toEqual({
      path: '/sns/jscode2session',
      query: { appid: fake.appId, secret: fake.secret, js_code: code, grant_type: 'authorization_code' },
    });
  });

  it.each([
    { name: 'invalid code', code: () => 'unknown', type: WechatCodeInvalidError, errcode: 40029 },
    { name: 'used code', code: () => 'used', type: WechatCodeInvalidError, errcode: 40163 },
    { name: 'rate limited', code: () => MAGIC_CODES.rateLimited, type: WechatRateLimitedError, errcode: 45011 },
    { name: 'system busy', code: () => MAGIC_CODES.busy, type: WechatUnavailableError, errcode: -1 },
    { name: 'high-risk user', code: () => MAGIC_CODES.highRisk, type: WechatUserBlockedError, errcode: 40226 },
    { name: 'HTTP 500', code: () => MAGIC_CODES.http500, type: WechatUnavailableError, errcode: undefined },
    { name: 'not JSON', code: () => MAGIC_CODES.garbage, type: WechatUnavailableError, errcode: undefined },
    { name: 'no openid', code: () => MAGIC_CODES.noOpenid, type: WechatLoginFailedError, errcode: undefined },
    { name: 'timeout', code: () => MAGIC_CODES.hang, type: WechatUnavailableError, errcode: undefined },
  ])('$name', async ({ name, code, type, errcode }) => {
    let c = code();
    if (name === 'used code') {
      c = fake.codeFor('o_used');
      await exchangeCode(settings, c);
    }
    const logged: unknown[] = [];
    const err = await exchangeCode(settings, c, (f) => logged.push(f)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(type);
    if (errcode !== undefined) expect((err as WechatCodeInvalidError).details).toEqual({ errcode });
    expect(logged).toHaveLength(1);
    expect(JSON.stringify(logged)).not.toContain(fake.secret);
  });

  it('the timeout is honoured', async () => {
    const started = Date.now();
    await expect(exchangeCode({ ...settings, timeoutMs: 150 }, MAGIC_CODES.hang)).rejects.toBeInstanceOf(WechatUnavailableError);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("a wrong AppID or AppSecret → WECHAT_LOGIN_FAILED with WeChat's errcode", async () => {
    await expect(exchangeCode({ ...settings, appId: 'wx_wrong' }, fake.codeFor('o'))).rejects.toMatchObject({
      code: 'WECHAT_LOGIN_FAILED',
      details: { errcode: 40013 },
    });
    await expect(exchangeCode({ ...settings, secret: 'nope' }, fake.codeFor('o'))).rejects.toMatchObject({
      code: 'WECHAT_LOGIN_FAILED',
      details: { errcode: 40125 },
    });
  });

  it('connection refused → WECHAT_UNAVAILABLE, and the log line has no URL (it holds the secret)', async () => {
    const gone = await startFakeWechat();
    await gone.close();
    const logged: unknown[] = [];
    await expect(exchangeCode({ ...settings, apiBase: gone.url }, 'c', (f) => logged.push(f))).rejects.toBeInstanceOf(
      WechatUnavailableError,
    );
    expect(logged).toEqual([{ reason: 'network' }]);
  });
});

describe('exchangeCode: answer shapes (injected fetch)', () => {
  it('uses apiBase and the jscode2session path', async () => {
    const seen: string[] = [];
    await exchangeCode(
      { ...settings, apiBase: 'https://api.weixin.qq.com', fetch: cannedFetch(200, '{"openid":"o","session_key":"k"}', seen) },
      'code1',
    );
    expect(new URL(seen[0]!).origin + new URL(seen[0]!).pathname).toBe('https://api.weixin.qq.com/sns/jscode2session');
  });

  it.each([
    { name: 'errcode 0 beside the identity', body: '{"errcode":0,"errmsg":"ok","openid":"o","session_key":"k"}', result: { openid: 'o' } },
    { name: 'an empty unionid is ignored', body: '{"openid":"o","session_key":"k","unionid":""}', result: { openid: 'o' } },
  ])('accepts $name', async ({ body, result }) => {
    await expect(exchangeCode({ ...settings, fetch: cannedFetch(200, body) }, 'c')).resolves.toEqual(result);
  });

  it.each([
    { name: 'errcode as a string', body: '{"errcode":"45011","errmsg":"x"}', type: WechatRateLimitedError },
    { name: 'an errcode that is not a number', body: '{"errcode":"oops","errmsg":"x"}', type: WechatLoginFailedError },
    { name: 'a JSON array', body: '[]', type: WechatUnavailableError },
    { name: 'JSON null', body: 'null', type: WechatUnavailableError },
    { name: 'an empty body', body: '', type: WechatUnavailableError },
    { name: 'openid without session_key', body: '{"openid":"o"}', type: WechatLoginFailedError },
    { name: 'an empty openid', body: '{"openid":"","session_key":"k"}', type: WechatLoginFailedError },
    { name: 'a numeric openid', body: '{"openid":5,"session_key":"k"}', type: WechatLoginFailedError },
  ])('refuses $name', async ({ body, type }) => {
    await expect(exchangeCode({ ...settings, fetch: cannedFetch(200, body) }, 'c')).rejects.toBeInstanceOf(type);
  });

  it('HTTP 502 from a gateway in front of WeChat → WECHAT_UNAVAILABLE', async () => {
    await expect(exchangeCode({ ...settings, fetch: cannedFetch(502, 'Bad Gateway') }, 'c')).rejects.toBeInstanceOf(WechatUnavailableError);
  });
});
