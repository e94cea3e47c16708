import { describe, expect, it } from 'vitest';
import { depsFromEnv } from '../../functions/bootstrap.js';
import { deriveKid } from '../../shared/auth/tokens.js';
import { ConfigError, parseConfig } from '../../shared/config.js';

const S1 = 'first-secret-0123456789abcdef';
const S2 = 'second-secret-0123456789abcdef';
const base = { TABLE_NAME: 't', AWS_REGION: 'local', DYNAMODB_ENDPOINT: 'http://127.0.0.1:1', LOG_LEVEL: 'silent' };

/** A stand-in for Secrets Manager that counts reads. */
function secrets(values: Record<string, string>) {
  const reads: string[] = [];
  return {
    reads,
    readSecret: async (arn: string) => {
      reads.push(arn);
      const value = values[arn];
      if (value === undefined) throw new Error(`no secret ${arn}`);
      return value;
    },
  };
}

describe('parseConfig: login and token settings', () => {
  it('defaults', () => {
    const config = parseConfig({ TABLE_NAME: 't' });
    expect(config).toMatchObject({
      AUTH_ACCESS_TTL_SECONDS: 7200,
      AUTH_REFRESH_TTL_SECONDS: 30 * 86400,
      WECHAT_API_BASE: 'https://api.weixin.qq.com',
      WECHAT_TIMEOUT_MS: 3000,
    });
    expect(config.WECHAT_APPID).toBeUndefined();
    expect(config.AUTH_PREVIOUS_SECRETS).toBeUndefined();
  });

  it.each([
    ['WECHAT_API_BASE', 'api.weixin.qq.com'],
    ['WECHAT_API_BASE', 'ftp://x'],
    ['WECHAT_APPID', 'wx 123'],
    ['WECHAT_TIMEOUT_MS', '0'],
    ['WECHAT_TIMEOUT_MS', '60000'],
    ['AUTH_ACCESS_TTL_SECONDS', '0'],
    ['AUTH_ACCESS_TTL_SECONDS', '604800'],
    ['AUTH_REFRESH_TTL_SECONDS', '-5'],
  ])('%s=%s is rejected by name', (key, value) => {
    expect(() => parseConfig({ TABLE_NAME: 't', [key]: value })).toThrow(new RegExp(key));
  });
});

describe('depsFromEnv: signing keys', () => {
  it('AUTH_SECRET plain: current key with a derived kid, no previous; Secrets Manager not asked', async () => {
    const sm = secrets({});
    const deps = await depsFromEnv({ ...base, AUTH_SECRET: S1, AUTH_SECRET_ARN: 'arn:x' }, sm);
    expect(deps.tokens).toMatchObject({
      secret: S1,
      kid: deriveKid(S1),
      previous: [],
      accessTtlSeconds: 7200,
      refreshTtlSeconds: 30 * 86400,
      ttlSeconds: 7 * 86400,
    });
    expect(sm.reads).toEqual([]);
    expect(deps.wechat).toBeUndefined();
  });

  it('AUTH_PREVIOUS_SECRETS are verification-only keys', async () => {
    const deps = await depsFromEnv({ ...base, AUTH_SECRET: S2, AUTH_PREVIOUS_SECRETS: S1 }, secrets({}));
    expect(deps.tokens.secret).toBe(S2);
    expect(deps.tokens.previous).toEqual([{ kid: deriveKid(S1), secret: S1 }]);
  });

  it('the Secrets Manager value as a plain string (as deployed today)', async () => {
    const sm = secrets({ 'arn:auth': S1 });
    const deps = await depsFromEnv({ ...base, AUTH_SECRET_ARN: 'arn:auth' }, sm);
    expect(deps.tokens).toMatchObject({ secret: S1, kid: deriveKid(S1), previous: [] });
    expect(sm.reads).toEqual(['arn:auth']);
  });

  it('the Secrets Manager value as a JSON keyring', async () => {
    const value = JSON.stringify({ current: { kid: '2026-02', secret: S2 }, previous: [S1] });
    const deps = await depsFromEnv({ ...base, AUTH_SECRET_ARN: 'arn:auth' }, secrets({ 'arn:auth': value }));
    expect(deps.tokens).toMatchObject({ secret: S2, kid: '2026-02', previous: [{ kid: deriveKid(S1), secret: S1 }] });
  });

  it('a bad Secrets Manager value is a ConfigError that does not echo it', async () => {
    const err = await depsFromEnv(
      { ...base, AUTH_SECRET_ARN: 'arn:auth' },
      secrets({ 'arn:auth': `{"current": "${S1}", "oops": 1}` }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(String((err as Error).message)).not.toContain(S1);
  });

  it('no secret at all is a ConfigError', async () => {
    await expect(depsFromEnv(base, secrets({}))).rejects.toThrow(/AUTH_SECRET or AUTH_SECRET_ARN/);
  });
});

describe('depsFromEnv: WeChat', () => {
  it('WECHAT_APPID + WECHAT_SECRET', async () => {
    const deps = await depsFromEnv({ ...base, AUTH_SECRET: S1, WECHAT_APPID: 'wx1', WECHAT_SECRET: 'app-secret' }, secrets({}));
    expect(deps.wechat).toEqual({ apiBase: 'https://api.weixin.qq.com', appId: 'wx1', secret: 'app-secret', timeoutMs: 3000 });
  });

  it.each([
    { name: 'a plain string', value: 'sm-app-secret' },
    { name: 'JSON {"secret"}', value: '{"secret": "sm-app-secret"}' },
  ])('WECHAT_SECRET_ARN holding $name is read once at start-up', async ({ value }) => {
    const sm = secrets({ 'arn:auth': S1, 'arn:wx': value });
    const deps = await depsFromEnv(
      {
        ...base,
        AUTH_SECRET_ARN: 'arn:auth',
        WECHAT_APPID: 'wx1',
        WECHAT_SECRET_ARN: 'arn:wx',
        WECHAT_API_BASE: 'http://127.0.0.1:9',
        WECHAT_TIMEOUT_MS: '500',
      },
      sm,
    );
    expect(deps.wechat).toEqual({ apiBase: 'http://127.0.0.1:9', appId: 'wx1', secret: 'sm-app-secret', timeoutMs: 500 });
    expect(sm.reads.sort()).toEqual(['arn:auth', 'arn:wx']);
  });

  it('WECHAT_APPID without a secret is a ConfigError naming both settings', async () => {
    await expect(depsFromEnv({ ...base, AUTH_SECRET: S1, WECHAT_APPID: 'wx1' }, secrets({}))).rejects.toThrow(
      /WECHAT_SECRET or WECHAT_SECRET_ARN/,
    );
  });

  it('a JSON WeChat secret without "secret" is a ConfigError that does not echo it', async () => {
    const err = await depsFromEnv(
      { ...base, AUTH_SECRET: S1, WECHAT_APPID: 'wx1', WECHAT_SECRET_ARN: 'arn:wx' },
      secrets({ 'arn:wx': '{"appSecret": "hidden-value"}' }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).not.toContain('hidden-value');
  });

  it('no WECHAT_APPID: no WeChat login, and WECHAT_SECRET_ARN is not read', async () => {
    const sm = secrets({});
    const deps = await depsFromEnv({ ...base, AUTH_SECRET: S1, WECHAT_SECRET_ARN: 'arn:wx' }, sm);
    expect(deps.wechat).toBeUndefined();
    expect(sm.reads).toEqual([]);
  });
});
