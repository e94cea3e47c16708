import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { WechatSettings } from '../shared/auth/index.js';
import { type Keyring, parseKeyring } from '../shared/auth/index.js';
import type { CampaignDb } from '../shared/campaigns/index.js';
import { CampaignCache } from '../shared/campaigns/index.js';
import { type Clock, systemClock } from '../shared/clock.js';
import { type Config, ConfigError, parseConfig } from '../shared/config.js';
import { LocalRateCounts } from '../shared/limits/index.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { type MessageSchedule, type Messaging, messageSchedule, wechatSubscribeSender } from '../shared/messages/index.js';
import { emfMetrics, type Metrics, noMetrics } from '../shared/metrics.js';
import { CampaignCodes } from '../shared/share-codes/index.js';
import { type ExportSettings, s3ObjectStore } from '../shared/storage/index.js';
import { createDocumentClient } from '../shared/table/index.js';
import { type ContentCheck, WechatServerApi } from '../shared/wechat/index.js';
import type { AppDeps } from './env.js';
import { imagesFromConfig, pushFromConfig } from './images-bootstrap.js';
import { moneyFromEnv } from './payments-bootstrap.js';

/** Reads one Secrets Manager secret's string value; injectable so start-up can be tested offline. */
export type SecretReader = (arn: string) => Promise<string>;

export function secretsManagerReader(config: Config): SecretReader {
  let client: SecretsManagerClient | undefined;
  return async (arn) => {
    // Loaded on first use: local runs and tests (AUTH_SECRET) never pay for this client's import.
    const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    client ??= new SecretsManagerClient({ region: config.AWS_REGION });
    const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (!out.SecretString) throw new Error(`Secret ${arn} has no string value`);
    return out.SecretString;
  };
}

/**
 * The signing keyring: AUTH_SECRET if set (local runs, tests), else Secrets Manager, once per cold
 * start. Either holds a plain secret or the JSON keyring (see shared/auth/keys.ts); previous
 * secrets still verify, so a rotation logs no one out.
 */
async function authKeyring(config: Config, readSecret: SecretReader): Promise<Keyring> {
  if (config.AUTH_SECRET) return parseKeyring(config.AUTH_SECRET, 'AUTH_SECRET', config.AUTH_PREVIOUS_SECRETS);
  if (!config.AUTH_SECRET_ARN) throw new ConfigError('Invalid configuration: AUTH_SECRET or AUTH_SECRET_ARN is required');
  return parseKeyring(await readSecret(config.AUTH_SECRET_ARN), 'the secret behind AUTH_SECRET_ARN', config.AUTH_PREVIOUS_SECRETS);
}

/**
 * WeChat login settings when WECHAT_APPID is set: the AppSecret from WECHAT_SECRET, else from
 * Secrets Manager (WECHAT_SECRET_ARN; a plain string or JSON `{"secret": "..."}`), read once.
 */
async function wechatSettings(config: Config, readSecret: SecretReader): Promise<WechatSettings | undefined> {
  if (!config.WECHAT_APPID) return undefined;
  let secret = config.WECHAT_SECRET;
  if (!secret) {
    if (!config.WECHAT_SECRET_ARN) throw new ConfigError('Invalid configuration: WECHAT_APPID needs WECHAT_SECRET or WECHAT_SECRET_ARN');
    secret = appSecretFrom(await readSecret(config.WECHAT_SECRET_ARN));
  }
  return { apiBase: config.WECHAT_API_BASE, appId: config.WECHAT_APPID, secret, timeoutMs: config.WECHAT_TIMEOUT_MS };
}

function appSecretFrom(value: string): string {
  const trimmed = value.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as { secret?: unknown };
      if (typeof parsed.secret === 'string' && parsed.secret !== '') return parsed.secret;
    } catch {
      // fall through to the error below: never echo the value
    }
    throw new ConfigError('Invalid configuration: the secret behind WECHAT_SECRET_ARN must be the AppSecret or JSON {"secret": "..."}');
  }
  if (trimmed === '') throw new ConfigError('Invalid configuration: the secret behind WECHAT_SECRET_ARN is empty');
  return trimmed;
}

/**
 * Content security: CONTENT_CHECK=on|off, by default on exactly when WeChat is configured (a
 * deployment) and off otherwise (npm start, tests). On without WeChat is a configuration error:
 * silently publishing unchecked text is what the switch exists to prevent.
 */
export function contentCheckFromConfig(config: Config, api: WechatServerApi | undefined, logger?: Logger): ContentCheck | undefined {
  const on = config.CONTENT_CHECK ? config.CONTENT_CHECK === 'on' : api !== undefined;
  if (!on) return undefined;
  if (!api) throw new ConfigError('Invalid configuration: CONTENT_CHECK=on needs WECHAT_APPID (and its secret)');
  return {
    api,
    ...(logger ? { onUnchecked: (fields) => logger.warn('content check failed', fields) } : {}),
  };
}

/** Subscribe messages when templates are configured; they need WeChat (the messages go through its server API). */
export function messagingFromConfig(config: Config, api: WechatServerApi | undefined): Messaging | undefined {
  const templates = config.WECHAT_SUBSCRIBE_TEMPLATES;
  if (!templates || Object.keys(templates).length === 0) return undefined;
  if (!api) throw new ConfigError('Invalid configuration: WECHAT_SUBSCRIBE_TEMPLATES needs WECHAT_APPID (and its secret)');
  return {
    templates,
    sender: wechatSubscribeSender(api),
    ...(config.WECHAT_MINIPROGRAM_STATE ? { miniprogramState: config.WECHAT_MINIPROGRAM_STATE } : {}),
    schedule: messageScheduleFromConfig(config),
  };
}

/** Hold reminders and leader digests as configured: what the sweep looks for (no secret needed, only the templates). */
export function messageScheduleFromConfig(config: Config): MessageSchedule {
  return messageSchedule(config.WECHAT_SUBSCRIBE_TEMPLATES, {
    holdReminderMinutes: config.WECHAT_HOLD_REMINDER_MINUTES,
    digestIntervalMinutes: config.WECHAT_DIGEST_INTERVAL_MINUTES,
  });
}

/** The same, for the scheduled functions: the WeChat secret is read on first use. */
export async function messagingFromEnv(config: Config, readSecret: SecretReader, db: CampaignDb): Promise<Messaging | undefined> {
  if (!config.WECHAT_SUBSCRIBE_TEMPLATES) return undefined;
  const wechat = await wechatSettings(config, readSecret);
  return messagingFromConfig(config, wechat ? new WechatServerApi(db, wechat) : undefined);
}

export function dbFromConfig(config: Config, clock: Clock = systemClock): CampaignDb {
  return {
    doc: createDocumentClient({ region: config.AWS_REGION, ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}) }),
    tableName: config.TABLE_NAME,
    clock,
    cache: new CampaignCache(),
  };
}

/** Exports to S3 when EXPORTS_BUCKET is set (the stack always sets it; a bare local run may not). */
export function exportsFromConfig(config: Config): ExportSettings | undefined {
  if (!config.EXPORTS_BUCKET) return undefined;
  return {
    store: s3ObjectStore({
      bucket: config.EXPORTS_BUCKET,
      region: config.AWS_REGION,
      ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}),
    }),
    inlineMaxBytes: config.EXPORT_INLINE_MAX_BYTES,
    urlTtlSeconds: config.EXPORT_URL_TTL_SECONDS,
  };
}

/** EMF metrics where the stack names a namespace (METRICS_NAMESPACE), else none; `service` is the function's dimension. */
export function metricsFromConfig(config: Config, service: 'api' | 'worker' | 'sweep'): Metrics {
  return config.METRICS_NAMESPACE ? emfMetrics({ namespace: config.METRICS_NAMESPACE, service }) : noMetrics;
}

/** Build the app's dependencies from the environment: parsed once, failing fast by key name. */
export async function depsFromEnv(
  env: Record<string, string | undefined> = process.env,
  opts: { readSecret?: SecretReader } = {},
): Promise<AppDeps> {
  const config = parseConfig(env);
  const readSecret = opts.readSecret ?? secretsManagerReader(config);
  const logger = createLogger(config.LOG_LEVEL);
  const db = dbFromConfig(config);
  const exports = exportsFromConfig(config);
  const [keyring, wechat, money] = await Promise.all([
    authKeyring(config, readSecret),
    wechatSettings(config, readSecret),
    moneyFromEnv(env, readSecret, db, logger),
  ]);
  // One client (one access-token cache) for content security and subscribe messages alike.
  const wechatApi = wechat ? new WechatServerApi(db, wechat) : undefined;
  const contentCheck = contentCheckFromConfig(config, wechatApi, logger);
  const wechatPush = await pushFromConfig(config, readSecret);
  // Photos are checked wherever texts are (the same client and policy).
  const images = imagesFromConfig(config, contentCheck?.api, wechatPush);
  const messaging = messagingFromConfig(config, wechatApi);
  // 小程序码 are kept beside the exports (under codes/); without a bucket, in memory only.
  const shareCodes = wechatApi
    ? new CampaignCodes({
        api: wechatApi,
        page: config.WECHAT_CODE_PAGE,
        env: config.WECHAT_CODE_ENV,
        ...(exports ? { store: exports.store } : {}),
        logger,
      })
    : undefined;
  return {
    db,
    tokens: {
      secret: keyring.current.secret,
      kid: keyring.current.kid,
      previous: keyring.previous,
      issuer: config.AUTH_ISSUER,
      audience: config.AUTH_AUDIENCE,
      ttlSeconds: config.AUTH_TOKEN_TTL_SECONDS,
      accessTtlSeconds: config.AUTH_ACCESS_TTL_SECONDS,
      refreshTtlSeconds: config.AUTH_REFRESH_TTL_SECONDS,
    },
    ...(wechat ? { wechat } : {}),
    ...(contentCheck ? { contentCheck } : {}),
    ...(messaging ? { messaging } : {}),
    ...(shareCodes ? { shareCodes } : {}),
    campaignPage: config.WECHAT_CODE_PAGE,
    money,
    ...(exports ? { exports } : {}),
    ...(images ? { images } : {}),
    ...(wechatPush ? { wechatPush } : {}),
    devAuth: config.DEV_AUTH,
    metrics: metricsFromConfig(config, 'api'),
    ...(config.EDGE_ORIGIN_TOKEN ? { originToken: config.EDGE_ORIGIN_TOKEN } : {}),
    logger,
    corsOrigins: config.CORS_ORIGINS
      ? config.CORS_ORIGINS.split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [],
    rateLimits: {
      join: { limit: config.RATE_LIMIT_JOINS_PER_MINUTE, windowSeconds: 60 },
      login: { limit: config.RATE_LIMIT_LOGINS_PER_MINUTE, windowSeconds: 60 },
      payment: { limit: config.RATE_LIMIT_PAYMENT_CALLS_PER_MINUTE, windowSeconds: 60 },
      campaign: { limit: config.RATE_LIMIT_CAMPAIGNS_PER_HOUR, windowSeconds: 3600 },
      local: new LocalRateCounts(),
    },
  };
}
