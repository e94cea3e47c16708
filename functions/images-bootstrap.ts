import { type Config, ConfigError } from '../shared/config.js';
import type { ImageSettings } from '../shared/images/index.js';
import { s3MediaStore } from '../shared/storage/index.js';
import type { PushSettings, WechatServerApi } from '../shared/wechat/index.js';

type SecretReader = (arn: string) => Promise<string>;

/**
 * 消息推送 settings: the Token (and EncodingAESKey) from WECHAT_PUSH_TOKEN / WECHAT_PUSH_AES_KEY,
 * else from the secret behind WECHAT_PUSH_SECRET_ARN (JSON {"token", "encodingAesKey"?}), read once.
 */
export async function pushFromConfig(config: Config, readSecret: SecretReader): Promise<PushSettings | undefined> {
  if (!config.WECHAT_APPID) return undefined;
  let token = config.WECHAT_PUSH_TOKEN;
  let encodingAesKey = config.WECHAT_PUSH_AES_KEY;
  if (!token && config.WECHAT_PUSH_SECRET_ARN) {
    let parsed: { token?: unknown; encodingAesKey?: unknown };
    try {
      parsed = JSON.parse(await readSecret(config.WECHAT_PUSH_SECRET_ARN)) as typeof parsed;
    } catch {
      throw new ConfigError('Invalid configuration: the secret behind WECHAT_PUSH_SECRET_ARN must be JSON {"token", "encodingAesKey"?}');
    }
    if (typeof parsed.token !== 'string' || !/^[A-Za-z0-9]{3,32}$/.test(parsed.token)) {
      throw new ConfigError('Invalid configuration: the secret behind WECHAT_PUSH_SECRET_ARN needs a "token" of 3-32 letters and digits');
    }
    token = parsed.token;
    if (parsed.encodingAesKey !== undefined && parsed.encodingAesKey !== '') {
      if (typeof parsed.encodingAesKey !== 'string' || !/^[A-Za-z0-9]{43}$/.test(parsed.encodingAesKey)) {
        throw new ConfigError('Invalid configuration: "encodingAesKey" behind WECHAT_PUSH_SECRET_ARN must be 43 letters and digits');
      }
      encodingAesKey = parsed.encodingAesKey;
    }
  }
  if (!token) return undefined;
  return { token, appId: config.WECHAT_APPID, ...(encodingAesKey ? { encodingAesKey } : {}) };
}

/**
 * Photos when IMAGES_BUCKET is set. Where WeChat checks content (CONTENT_CHECK, on with WeChat),
 * photos are checked too, and their verdicts arrive by 消息推送: without its Token they never
 * would, so that is refused at start-up rather than leaving every photo pending.
 */
export function imagesFromConfig(
  config: Config,
  checks: WechatServerApi | undefined,
  push: PushSettings | undefined,
): ImageSettings | undefined {
  if (!config.IMAGES_BUCKET) return undefined;
  if (checks && !push) {
    throw new ConfigError(
      'Invalid configuration: IMAGES_BUCKET with WeChat content checks needs WECHAT_PUSH_TOKEN or WECHAT_PUSH_SECRET_ARN (image verdicts come by 消息推送)',
    );
  }
  return {
    store: s3MediaStore({
      bucket: config.IMAGES_BUCKET,
      region: config.AWS_REGION,
      ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}),
    }),
    ...(config.IMAGES_BASE_URL ? { baseUrl: config.IMAGES_BASE_URL } : {}),
    ...(checks ? { wechat: checks } : {}),
  };
}
