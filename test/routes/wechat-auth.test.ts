import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { sign } from 'hono/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import type { AppDeps } from '../../functions/env.js';
import { deriveKid, issueTokenPair, refreshAudience, type TokenSettings } from '../../shared/auth/tokens.js';
import { createLogger } from '../../shared/logger.js';
import { upsertUser, userIdForOpenid } from '../../shared/people/users.js';
import { keys } from '../../shared/table/keys.js';
import { type FakeWechat, MAGIC_CODES, startFakeWechat } from '../../shared/wechat/fake/index.js';
import { type CallResult, campaignBody, type Harness, harness } from '../helpers/harness.js';

const OLD_SECRET = 'old-signing-secret-0123456789abcdef';
const NEW_SECRET = 'new-signing-secret-0123456789abcdef';
const TIMEOUT_MS = 300;

const baseTokens: TokenSettings = {
  secret: OLD_SECRET,
  issuer: 'tuangou-api',
  audience: 'tuangou-miniprogram',
  ttlSeconds: 3600,
  accessTtlSeconds: 7200,
  refreshTtlSeconds: 30 * 86400,
};

let h: Harness;
let fake: FakeWechat;
const logLines: string[] = [];

type Api = {
  call: (
    method: string,
    path: string,
    init?: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string },
  ) => Promise<CallResult>;
  deps: AppDeps;
};

/** The real app on the harness table, with WeChat pointed at the fake server and the given keys. */
function api(tokens: TokenSettings = baseTokens, overrides: Partial<AppDeps> = {}): Api {
  const deps: AppDeps = {
    ...h.deps,
    tokens,
    devAuth: true,
    logger: createLogger('debug', (line) => logLines.push(line)),
    wechat: { apiBase: fake.url, appId: fake.appId, secret: fake.secret, timeoutMs: TIMEOUT_MS },
    ...overrides,
  };
  const app = createApp(deps);
  return {
    deps,
    async call(method, path, init = {}) {
      const headers: Record<string, string> = { ...(init.headers ?? {}) };
      if (init.token) headers.authorization = `Bearer ${init.token}`;
      let body: string | undefined = init.rawBody;
      if (body === undefined && init.body !== undefined) {
        body = JSON.stringify(init.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.status, body: parsed, headers: res.headers, text };
    },
  };
}

let a: Api;

async function wechatLogin(target: Api, openid: string, unionid?: string) {
  const res = await target.call('POST', '/auth/wechat', { body: { code: fake.codeFor(openid, unionid) } });
  expect(res.status, res.text).toBe(200);
  return res.body as {
    accessToken: string;
    token: string;
    refreshToken: string;
    expiresIn: number;
    refreshExpiresIn: number;
    tokenType: string;
    user: { id: string; nickname: string };
  };
}

const decode = (token: string, part: 0 | 1) =>
  JSON.parse(Buffer.from(token.split('.')[part]!, 'base64url').toString('utf8')) as Record<string, unknown>;

async function profile(userId: string) {
  const out = await h.db.doc.send(new GetCommand({ TableName: h.db.tableName, Key: keys.user(userId) }));
  return out.Item;
}

beforeAll(async () => {
  h = await harness();
  fake = await startFakeWechat();
  a = api();
});

afterAll(async () => {
  await fake?.close();
});

describe('POST /auth/wechat against the fake WeChat server', () => {
  it('exchanges the code, creates the user with the default nickname, returns tokens that work', async () => {
    const before = fake.requests.length;
    const res = await a.call('POST', '/auth/wechat', { body: { code: fake.codeFor('o_happy') } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 7200,
      refreshExpiresIn: 30 * 86400,
      user: { id: userIdForOpenid('o_happy'), nickname: '微信用户' },
    });
    expect(res.body.token).toBe(res.body.accessToken);
    expect(res.body.refreshToken).not.toBe(res.body.accessToken);
    // what WeChat was asked
    const sent = fake.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.path).toBe('/sns/jscode2session');
    expect(sent[0]!.query).toMatchObject({ appid: fake.appId, secret: fake.secret, grant_type: 'authorization_code' });
    // the access token lives 2 h and is signed with a kid
    const claims = decode(res.body.accessToken, 1);
    expect((claims.exp as number) - (claims.iat as number)).toBe(7200);
    expect(decode(res.body.accessToken, 0)).toMatchObject({ alg: 'HS256', kid: deriveKid(OLD_SECRET) });
    // and it works on the API
    expect((await a.call('GET', '/me/campaigns', { token: res.body.accessToken })).status).toBe(200);
    const created = await a.call('POST', '/campaigns', { token: res.body.token, body: campaignBody() });
    expect(created.status).toBe(201);
    expect(created.body.leaderId).toBe(userIdForOpenid('o_happy'));
    // the profile holds no session_key
    const item = await profile(userIdForOpenid('o_happy'));
    expect(item).toMatchObject({ type: 'user', openid: 'o_happy', nickname: '微信用户' });
    expect(JSON.stringify(item)).not.toMatch(/session/i);
    expect(item).not.toHaveProperty('unionid');
  });

  it('the same openid always maps to the same user; a nickname the user has is kept', async () => {
    const first = await wechatLogin(a, 'o_same');
    const second = await wechatLogin(a, 'o_same');
    expect(second.user.id).toBe(first.user.id);
    await upsertUser(h.db, 'o_same', '葡萄阿姨');
    const third = await wechatLogin(a, 'o_same');
    expect(third.user).toEqual({ id: first.user.id, nickname: '葡萄阿姨' });
    expect((await profile(first.user.id))?.nickname).toBe('葡萄阿姨');
    const other = await wechatLogin(a, 'o_other');
    expect(other.user.id).not.toBe(first.user.id);
  });

  it('stores the unionid when WeChat sends one', async () => {
    const res = await wechatLogin(a, 'o_union', 'u_union_123');
    expect(await profile(res.user.id)).toMatchObject({ openid: 'o_union', unionid: 'u_union_123' });
    // a later login without unionid keeps it
    await wechatLogin(a, 'o_union');
    expect((await profile(res.user.id))?.unionid).toBe('u_union_123');
  });

  it.each([
    { name: 'invalid code (40029)', code: () => 'never-issued-code', status: 401, error: 'WECHAT_CODE_INVALID', errcode: 40029 },
    { name: 'rate limited (45011)', code: () => MAGIC_CODES.rateLimited, status: 429, error: 'WECHAT_RATE_LIMITED', errcode: 45011 },
    { name: 'system busy (-1)', code: () => MAGIC_CODES.busy, status: 503, error: 'WECHAT_UNAVAILABLE', errcode: -1 },
    { name: 'high-risk user (40226)', code: () => MAGIC_CODES.highRisk, status: 403, error: 'WECHAT_USER_BLOCKED', errcode: 40226 },
    { name: 'HTTP 500 from WeChat', code: () => MAGIC_CODES.http500, status: 503, error: 'WECHAT_UNAVAILABLE', errcode: undefined },
    { name: 'a body that is not JSON', code: () => MAGIC_CODES.garbage, status: 503, error: 'WECHAT_UNAVAILABLE', errcode: undefined },
    { name: 'an answer without openid', code: () => MAGIC_CODES.noOpenid, status: 503, error: 'WECHAT_LOGIN_FAILED', errcode: undefined },
  ])('$name → $status $error', async ({ code, status, error, errcode }) => {
    const res = await a.call('POST', '/auth/wechat', { body: { code: code() } });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(error);
    if (errcode !== undefined) expect(res.body.error.details).toEqual({ errcode });
    expect(res.body).not.toHaveProperty('accessToken');
  });

  it('a code used twice (40163) → 401 WECHAT_CODE_INVALID the second time', async () => {
    const code = fake.codeFor('o_twice');
    expect((await a.call('POST', '/auth/wechat', { body: { code } })).status).toBe(200);
    const again = await a.call('POST', '/auth/wechat', { body: { code } });
    expect(again.status).toBe(401);
    expect(again.body.error).toMatchObject({ code: 'WECHAT_CODE_INVALID', details: { errcode: 40163 } });
  });

  it('a hanging WeChat → 503 WECHAT_UNAVAILABLE after the timeout, not a hung request', async () => {
    const started = Date.now();
    const res = await a.call('POST', '/auth/wechat', { body: { code: MAGIC_CODES.hang } });
    const took = Date.now() - started;
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('WECHAT_UNAVAILABLE');
    expect(took).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(took).toBeLessThan(TIMEOUT_MS + 2000);
  });

  it('WeChat unreachable (connection refused) → 503 WECHAT_UNAVAILABLE', async () => {
    const gone = await startFakeWechat();
    const url = gone.url;
    await gone.close();
    const b = api(baseTokens, { wechat: { apiBase: url, appId: fake.appId, secret: fake.secret, timeoutMs: TIMEOUT_MS } });
    const res = await b.call('POST', '/auth/wechat', { body: { code: 'anything' } });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('WECHAT_UNAVAILABLE');
  });

  it('a wrong AppSecret (40125) → 503 WECHAT_LOGIN_FAILED naming the errcode', async () => {
    const b = api(baseTokens, { wechat: { apiBase: fake.url, appId: fake.appId, secret: 'wrong-secret', timeoutMs: TIMEOUT_MS } });
    const res = await b.call('POST', '/auth/wechat', { body: { code: fake.codeFor('o_x') } });
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: 'WECHAT_LOGIN_FAILED', details: { errcode: 40125 } });
    expect(res.text).not.toContain('wrong-secret');
  });

  it.each([
    { name: 'no code', body: {}, status: 400 },
    { name: 'empty code', body: { code: '' }, status: 400 },
    { name: 'blank code', body: { code: '   ' }, status: 400 },
    { name: 'code not a string', body: { code: 42 }, status: 400 },
    { name: 'code over 256 characters', body: { code: 'x'.repeat(257) }, status: 400 },
  ])('$name → 400 VALIDATION_FAILED without calling WeChat', async ({ body, status }) => {
    const before = fake.requests.length;
    const res = await a.call('POST', '/auth/wechat', { body });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(fake.requests.length).toBe(before);
  });

  it('a non-JSON body is 415', async () => {
    const res = await a.call('POST', '/auth/wechat', {
      rawBody: 'code=abc',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('a stale or garbage Authorization header does not block logging in or refreshing', async () => {
    const login = await a.call('POST', '/auth/wechat', { token: 'expired.or.garbage', body: { code: fake.codeFor('o_stale') } });
    expect(login.status).toBe(200);
    const refreshed = await a.call('POST', '/auth/refresh', {
      headers: { authorization: 'Basic Zm9vOmJhcg==' },
      body: { refreshToken: login.body.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    // every other route still refuses the bad header
    expect((await a.call('GET', '/campaigns/x', { token: 'expired.or.garbage' })).status).toBe(401);
  });

  it('never logs the AppSecret, the code or the session_key', async () => {
    const code = fake.codeFor('o_logs');
    await a.call('POST', '/auth/wechat', { body: { code } });
    await a.call('POST', '/auth/wechat', { body: { code } }); // 40163, logged as a warning
    await a.call('POST', '/auth/wechat', { body: { code: MAGIC_CODES.hang } });
    const log = logLines.join('\n');
    expect(log).toContain('wechat login failed');
    expect(log).toContain('40163');
    expect(log).not.toContain(fake.secret);
    expect(log).not.toContain(code);
    for (const key of fake.sessionKeys) expect(log).not.toContain(key);
  });

  it('is absent (404) when WeChat is not configured, like dev-login when off', async () => {
    for (const path of ['/auth/wechat', '/auth/refresh']) {
      const res = await h.call('POST', path, { body: { code: 'x', refreshToken: 'y' } });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
  });

  it('is in the OpenAPI document with its request and response schemas', async () => {
    const doc = (await a.call('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths['/auth/wechat'])).toEqual(['post']);
    expect(Object.keys(doc.paths['/auth/refresh'])).toEqual(['post']);
    expect(Object.keys(doc.paths['/auth/wechat'].post.responses).sort()).toEqual(['200', '400', '401', '403', '415', '429', '503']);
    expect(doc.components.schemas).toHaveProperty('TokenResponse');
    expect(doc.components.schemas).toHaveProperty('WechatLoginRequest');
    expect(doc.components.schemas).toHaveProperty('RefreshRequest');
  });
});

describe('POST /auth/refresh', () => {
  it('returns a new access token and a new refresh token; the new ones work', async () => {
    const login = await wechatLogin(a, 'o_refresh');
    const res = await a.call('POST', '/auth/refresh', { body: { refreshToken: login.refreshToken } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 7200, user: login.user });
    expect(res.body.token).toBe(res.body.accessToken);
    expect(res.body.refreshToken).not.toBe(login.refreshToken);
    expect((await a.call('GET', '/me/entries', { token: res.body.accessToken })).status).toBe(200);
    const next = await a.call('POST', '/auth/refresh', { body: { refreshToken: res.body.refreshToken } });
    expect(next.status).toBe(200);
  });

  it('picks up the current nickname', async () => {
    const login = await wechatLogin(a, 'o_nick');
    await upsertUser(h.db, 'o_nick', '新名字');
    const res = await a.call('POST', '/auth/refresh', { body: { refreshToken: login.refreshToken } });
    expect(res.body.user).toEqual({ id: login.user.id, nickname: '新名字' });
    expect(decode(res.body.accessToken, 1).name).toBe('新名字');
  });

  it('a refresh token is accepted once; replaying it revokes the tokens refreshed from it', async () => {
    const login = await wechatLogin(a, 'o_replay');
    const first = await a.call('POST', '/auth/refresh', { body: { refreshToken: login.refreshToken } });
    expect(first.status).toBe(200);
    const replay = await a.call('POST', '/auth/refresh', { body: { refreshToken: login.refreshToken } });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('UNAUTHORIZED');
    // the thief's replay also kills the legitimate successor: both must log in again
    const successor = await a.call('POST', '/auth/refresh', { body: { refreshToken: first.body.refreshToken } });
    expect(successor.status).toBe(401);
    // a fresh login starts a new family and works
    const again = await wechatLogin(a, 'o_replay');
    expect((await a.call('POST', '/auth/refresh', { body: { refreshToken: again.refreshToken } })).status).toBe(200);
  });

  it('two refreshes with one token at once: exactly one wins', async () => {
    const login = await wechatLogin(a, 'o_race');
    const results = await Promise.all([1, 2, 3].map(() => a.call('POST', '/auth/refresh', { body: { refreshToken: login.refreshToken } })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401]);
  });

  it('a refresh token for a user that does not exist is 401', async () => {
    const pair = await issueTokenPair(baseTokens, { id: 'u_ghost', nickname: 'x' });
    const res = await a.call('POST', '/auth/refresh', { body: { refreshToken: pair.refreshToken } });
    expect(res.status).toBe(401);
  });

  it.each([
    { name: 'no refreshToken', body: {} },
    { name: 'empty refreshToken', body: { refreshToken: '' } },
    { name: 'refreshToken not a string', body: { refreshToken: 1 } },
  ])('$name → 400', async ({ body }) => {
    const res = await a.call('POST', '/auth/refresh', { body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('token attacks against the API', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const access = (over: Record<string, unknown> = {}) => ({
    sub: userIdForOpenid('o_happy'),
    name: 'x',
    iss: 'tuangou-api',
    aud: 'tuangou-miniprogram',
    iat: now(),
    exp: now() + 600,
    ...over,
  });
  const hmacKey = (secret: string, kid: string) => ({ kty: 'oct', k: Buffer.from(secret).toString('base64url'), alg: 'HS256', kid });
  const oldKid = deriveKid(OLD_SECRET);

  let login: Awaited<ReturnType<typeof wechatLogin>>;
  beforeAll(async () => {
    login = await wechatLogin(a, 'o_attacked');
  });

  it('the attack table is not vacuous: a hand-made token with the right key and claims is accepted', async () => {
    const token = await sign(access(), hmacKey(OLD_SECRET, oldKid), 'HS256');
    expect((await a.call('GET', '/me/campaigns', { token })).status).toBe(200);
  });

  const attacks: Array<[string, () => Promise<string>]> = [
    ['alg none', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(access())}.`],
    ['alg none with the kid of a real key', async () => `${b64({ alg: 'none', typ: 'JWT', kid: oldKid })}.${b64(access())}.`],
    ['wrong key', async () => sign(access(), hmacKey('attacker-secret-0123456789abcdef', oldKid), 'HS256')],
    ['wrong key under its own kid', async () => sign(access(), hmacKey('attacker-secret-0123456789abcdef', 'attacker'), 'HS256')],
    ['unknown kid, right secret', async () => sign(access(), hmacKey(OLD_SECRET, 'no-such-kid'), 'HS256')],
    ['expired', async () => sign(access({ iat: now() - 7300, exp: now() - 100 }), hmacKey(OLD_SECRET, oldKid), 'HS256')],
    [
      'tampered payload',
      async () => {
        const [head, , sig] = login.accessToken.split('.');
        return `${head}.${b64(access({ sub: userIdForOpenid('o_someone_else') }))}.${sig}`;
      },
    ],
    [
      'tampered header (kid swapped)',
      async () => {
        const [, body, sig] = login.accessToken.split('.');
        return `${b64({ alg: 'HS256', typ: 'JWT', kid: 'other' })}.${body}.${sig}`;
      },
    ],
    ['token for another audience', async () => sign(access({ aud: 'admin-console' }), hmacKey(OLD_SECRET, oldKid), 'HS256')],
    ['HS512 with the right key', async () => sign(access(), { ...hmacKey(OLD_SECRET, oldKid), alg: 'HS512' }, 'HS512')],
    [
      'kid that is not a string',
      async () => {
        const [, body] = (await sign(access(), hmacKey(OLD_SECRET, oldKid), 'HS256')).split('.');
        const head = b64({ alg: 'HS256', typ: 'JWT', kid: { $ne: null } });
        const { createHmac } = await import('node:crypto');
        return `${head}.${body}.${createHmac('sha256', OLD_SECRET).update(`${head}.${body}`).digest('base64url')}`;
      },
    ],
    ['a refresh token used as an access token', async () => login.refreshToken],
    [
      'a refresh-typed token for the access audience',
      async () => sign(access({ typ: 'refresh', jti: 'j', fam: 'f' }), hmacKey(OLD_SECRET, oldKid), 'HS256'),
    ],
  ];

  it.each(attacks)('%s → 401 UNAUTHORIZED', async (_name, make) => {
    const token = await make();
    const res = await a.call('GET', '/me/campaigns', { token });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
  });

  const refreshAttacks: Array<[string, () => Promise<string>]> = [
    ['an access token used to refresh', async () => login.accessToken],
    [
      'alg none refresh token',
      async () =>
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...access({ aud: refreshAudience('tuangou-miniprogram') }), typ: 'refresh', jti: 'j1', fam: 'j1' })}.`,
    ],
    [
      'refresh token signed with a wrong key',
      async () =>
        sign(
          { ...access({ aud: refreshAudience('tuangou-miniprogram') }), typ: 'refresh', jti: 'j2', fam: 'j2' },
          hmacKey('attacker-secret-0123456789abcdef', oldKid),
          'HS256',
        ),
    ],
    [
      'expired refresh token',
      async () =>
        sign(
          {
            ...access({ aud: refreshAudience('tuangou-miniprogram'), iat: now() - 100, exp: now() - 1 }),
            typ: 'refresh',
            jti: 'j3',
            fam: 'j3',
          },
          hmacKey(OLD_SECRET, oldKid),
          'HS256',
        ),
    ],
    [
      'refresh audience without typ',
      async () =>
        sign({ ...access({ aud: refreshAudience('tuangou-miniprogram') }), jti: 'j4', fam: 'j4' }, hmacKey(OLD_SECRET, oldKid), 'HS256'),
    ],
    [
      'refresh token without jti',
      async () =>
        sign({ ...access({ aud: refreshAudience('tuangou-miniprogram') }), typ: 'refresh' }, hmacKey(OLD_SECRET, oldKid), 'HS256'),
    ],
    [
      'tampered refresh token (sub changed)',
      async () => {
        const [head, body, sig] = login.refreshToken.split('.');
        return `${head}.${b64({ ...decode(`${head}.${body}.${sig}`, 1), sub: userIdForOpenid('o_happy') })}.${sig}`;
      },
    ],
  ];

  it.each(refreshAttacks)('POST /auth/refresh with %s → 401', async (_name, make) => {
    const res = await a.call('POST', '/auth/refresh', { body: { refreshToken: await make() } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
  });
});

describe('signing-secret rotation', () => {
  const rotated: TokenSettings = {
    ...baseTokens,
    secret: NEW_SECRET,
    kid: '2026-02',
    previous: [{ kid: deriveKid(OLD_SECRET), secret: OLD_SECRET }],
  };
  const dropped: TokenSettings = { ...baseTokens, secret: NEW_SECRET, kid: '2026-02' };

  it('tokens signed with the previous secret keep working; new ones are signed with the current key', async () => {
    const before = await wechatLogin(a, 'o_rotate');
    const b = api(rotated);
    expect((await b.call('GET', '/me/campaigns', { token: before.accessToken })).status).toBe(200);
    const refreshed = await b.call('POST', '/auth/refresh', { body: { refreshToken: before.refreshToken } });
    expect(refreshed.status).toBe(200);
    expect(decode(refreshed.body.accessToken, 0).kid).toBe('2026-02');
    expect(decode(refreshed.body.refreshToken, 0).kid).toBe('2026-02');
    const after = await wechatLogin(b, 'o_rotate');
    expect(decode(after.accessToken, 0).kid).toBe('2026-02');
    // dev-login tokens and pre-kid tokens (no kid header) verify too
    const legacy = await sign(
      {
        sub: before.user.id,
        name: 'x',
        iss: 'tuangou-api',
        aud: 'tuangou-miniprogram',
        iat: Math.floor(Date.now() / 1000),
        exp: Math.floor(Date.now() / 1000) + 60,
      },
      OLD_SECRET,
      'HS256',
    );
    expect((await b.call('GET', '/me/campaigns', { token: legacy })).status).toBe(200);

    // once the previous secret is removed, its tokens are 401; the current key's still work
    const c = api(dropped);
    expect((await c.call('GET', '/me/campaigns', { token: before.accessToken })).status).toBe(401);
    expect((await c.call('GET', '/me/campaigns', { token: legacy })).status).toBe(401);
    expect((await c.call('GET', '/me/campaigns', { token: after.accessToken })).status).toBe(200);
    expect((await c.call('POST', '/auth/refresh', { body: { refreshToken: before.refreshToken } })).status).toBe(401);
    expect((await c.call('POST', '/auth/refresh', { body: { refreshToken: after.refreshToken } })).status).toBe(200);
  });

  it('dev-login keeps working and its token carries the current kid', async () => {
    const b = api(rotated);
    const res = await b.call('POST', '/auth/dev-login', { body: { openid: 'o_dev', nickname: '开发' } });
    expect(res.status).toBe(200);
    expect(decode(res.body.token, 0).kid).toBe('2026-02');
    const claims = decode(res.body.token, 1);
    expect((claims.exp as number) - (claims.iat as number)).toBe(baseTokens.ttlSeconds);
    expect((await b.call('GET', '/me/campaigns', { token: res.body.token })).status).toBe(200);
  });
});
