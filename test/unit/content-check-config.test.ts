import { describe, expect, it } from 'vitest';
import { depsFromEnv } from '../../functions/bootstrap.js';
import { ConfigError, parseConfig } from '../../shared/config.js';
import { WechatServerApi } from '../../shared/wechat/index.js';

const base = {
  TABLE_NAME: 't',
  AWS_REGION: 'local',
  DYNAMODB_ENDPOINT: 'http://127.0.0.1:1',
  LOG_LEVEL: 'silent',
  AUTH_SECRET: 'a-secret-of-at-least-16-chars',
};
const wechat = { WECHAT_APPID: 'wx0123456789abcdef', WECHAT_SECRET: 'app-secret' };

describe('CONTENT_CHECK', () => {
  it('is off without WeChat (local runs, tests) and on with it, by default', async () => {
    expect((await depsFromEnv(base)).contentCheck).toBeUndefined();
    expect((await depsFromEnv({ ...base, ...wechat })).contentCheck?.api).toBeInstanceOf(WechatServerApi);
  });

  it('off turns it off with WeChat configured', async () => {
    expect((await depsFromEnv({ ...base, ...wechat, CONTENT_CHECK: 'off' })).contentCheck).toBeUndefined();
  });

  it('on without WeChat is a configuration error, not unchecked text', async () => {
    await expect(depsFromEnv({ ...base, CONTENT_CHECK: 'on' })).rejects.toThrow(ConfigError);
    await expect(depsFromEnv({ ...base, CONTENT_CHECK: 'on' })).rejects.toThrow(/CONTENT_CHECK=on needs WECHAT_APPID/);
  });

  it('accepts only on or off', () => {
    expect(() => parseConfig({ TABLE_NAME: 't', CONTENT_CHECK: 'yes' })).toThrow(/CONTENT_CHECK/);
  });
});
