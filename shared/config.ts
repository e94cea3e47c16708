import { z } from 'zod';
import {
  CODE_ENVS,
  DEFAULT_CAMPAIGN_PAGE,
  DEFAULT_DIGEST_INTERVAL_MINUTES,
  DEFAULT_HOLD_REMINDER_MINUTES,
  PAGE_PATH,
  parseSubscribeTemplates,
} from './domain/index.js';
import { DEFAULT_INLINE_MAX_BYTES, DEFAULT_URL_TTL_SECONDS } from './storage/index.js';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Every setting the API reads, parsed once; a missing or bad value fails fast by name. */
const ConfigSchema = z.object({
  TABLE_NAME: z.string().min(1),
  DYNAMODB_ENDPOINT: z.url({ protocol: /^https?$/, error: 'DYNAMODB_ENDPOINT must be an http(s) URL' }).optional(),
  AWS_REGION: z.string().min(1).default('ap-east-1'),
  AUTH_SECRET: z.string().min(16, 'AUTH_SECRET must be at least 16 characters').optional(),
  AUTH_SECRET_ARN: z.string().min(1).optional(),
  AUTH_ISSUER: z.string().min(1).default('tuangou-api'),
  AUTH_AUDIENCE: z.string().min(1).default('tuangou-miniprogram'),
  AUTH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(7 * 24 * 3600),
  /** Earlier signing secrets, comma-separated: still verify, never sign (rotation). */
  AUTH_PREVIOUS_SECRETS: z.string().optional(),
  /** Access tokens that come with a refresh token (WeChat login, refresh). */
  AUTH_ACCESS_TTL_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .max(24 * 3600)
    .default(2 * 3600),
  AUTH_REFRESH_TTL_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(30 * 24 * 3600),
  WECHAT_API_BASE: z.url({ protocol: /^https?$/, error: 'WECHAT_API_BASE must be an http(s) URL' }).default('https://api.weixin.qq.com'),
  /** The mini-program's AppID; POST /auth/wechat exists only when it is set. */
  WECHAT_APPID: z.string().regex(/^\S+$/, 'WECHAT_APPID must not contain spaces').optional(),
  WECHAT_SECRET: z.string().min(1).optional(),
  WECHAT_SECRET_ARN: z.string().min(1).optional(),
  WECHAT_TIMEOUT_MS: z.coerce.number().int().min(100).max(10_000).default(3000),
  /** WeChat content security (msgSecCheck) on user text others see; absent: on exactly when WECHAT_APPID is set. */
  CONTENT_CHECK: z.enum(['on', 'off']).optional(),
  /**
   * Subscribe-message templates, JSON: event → {templateId, page?, data: {fieldKey: source}} (README
   * "Subscribe messages"). Absent: no messages are sent and POST /me/subscriptions takes no ids.
   */
  WECHAT_SUBSCRIBE_TEMPLATES: z
    .string()
    .transform((text, ctx) => {
      const read = parseSubscribeTemplates(text);
      if ('templates' in read) return read.templates;
      ctx.addIssue({ code: 'custom', message: `WECHAT_SUBSCRIBE_TEMPLATES ${read.problem}` });
      return z.NEVER;
    })
    .optional(),
  /**
   * How many minutes before a payment hold ends its member is reminded ("请尽快支付", event
   * hold-expiring; only holds at least twice this long get one); 0 turns reminders off.
   */
  WECHAT_HOLD_REMINDER_MINUTES: z.coerce.number().int().min(0).max(60).default(DEFAULT_HOLD_REMINDER_MINUTES),
  /** The least minutes between two leader digests of one campaign ("新接龙 N 份", event new-entries); 0 turns digests off. */
  WECHAT_DIGEST_INTERVAL_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(DEFAULT_DIGEST_INTERVAL_MINUTES),
  /** Which mini-program version a message card opens: formal (released) unless testing a trial or developer build. */
  WECHAT_MINIPROGRAM_STATE: z.enum(['developer', 'trial', 'formal']).optional(),
  /** The mini-program page a share code (小程序码) and a share path open; it reads `scene` in onLoad. No leading slash, no query. */
  WECHAT_CODE_PAGE: z
    .string()
    .regex(PAGE_PATH, 'WECHAT_CODE_PAGE must be a page path like pages/campaign/index')
    .default(DEFAULT_CAMPAIGN_PAGE),
  /** Which build a share code opens: release (published) unless testing a trial or develop build. */
  WECHAT_CODE_ENV: z.enum(CODE_ENVS).default('release'),
  DEV_AUTH: bool.default(false),
  CORS_ORIGINS: z.string().optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** CloudWatch namespace of the business metrics (EMF lines in the log); absent: no metrics (npm start). The stack sets it. */
  METRICS_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9_./#:-]{1,255}$/, 'METRICS_NAMESPACE must be a CloudWatch namespace')
    .optional(),
  /** Per-user joins per minute (429 RATE_LIMITED beyond); 0 turns the limit off. */
  RATE_LIMIT_JOINS_PER_MINUTE: z.coerce.number().int().min(0).default(20),
  /** Per-user logins (POST /auth/wechat) per minute; 0 turns the limit off. */
  RATE_LIMIT_LOGINS_PER_MINUTE: z.coerce.number().int().min(0).default(10),
  /** Per-user WeChat Pay calls (POST …/payment/prepay and …/payment/sync) per minute; 0 turns the limit off. */
  RATE_LIMIT_PAYMENT_CALLS_PER_MINUTE: z.coerce.number().int().min(0).default(30),
  /** Per-user campaigns created (POST /campaigns) per hour; 0 turns the limit off. */
  RATE_LIMIT_CAMPAIGNS_PER_HOUR: z.coerce.number().int().min(0).default(20),
  /** Set by the stack with the edge option: requests must carry it in x-origin-token (they came through CloudFront). */
  EDGE_ORIGIN_TOKEN: z.string().min(8).optional(),
  /** The deadline-work FIFO queues, one per kind (the sweep finder sends to them; set by the stack). */
  WORK_QUEUE_SETTLE_URL: z.url().optional(),
  WORK_QUEUE_HOLD_URL: z.url().optional(),
  WORK_QUEUE_REFUND_PLAN_URL: z.url().optional(),
  WORK_QUEUE_REFUND_URL: z.url().optional(),
  WORK_QUEUE_ERASURE_URL: z.url().optional(),
  WORK_QUEUE_MESSAGE_URL: z.url().optional(),
  WORK_QUEUE_FOLD_URL: z.url().optional(),
  /** The S3 bucket large CSV exports are written to (objects under exports/); absent: every CSV is answered inline. */
  EXPORTS_BUCKET: z.string().min(3).max(63).optional(),
  /** A local S3-compatible server instead of AWS (npm start, tests). */
  S3_ENDPOINT: z.url({ protocol: /^https?$/, error: 'S3_ENDPOINT must be an http(s) URL' }).optional(),
  /** CSVs larger than this are stored and linked (303 / a URL) instead of answered in the body; capped well under Lambda's 6 MB. */
  EXPORT_INLINE_MAX_BYTES: z.coerce.number().int().min(0).max(DEFAULT_INLINE_MAX_BYTES).default(DEFAULT_INLINE_MAX_BYTES),
  /** The bucket of campaign photos (uploads/ from presigned POSTs, images/ once attached); absent: no photo routes. */
  IMAGES_BUCKET: z.string().min(3).max(63).optional(),
  /** The CDN in front of images/ (the stack's CloudFront); absent: the API serves photos itself under /media. */
  IMAGES_BASE_URL: z
    .url({ protocol: /^https?$/, error: 'IMAGES_BASE_URL must be an http(s) URL' })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  /** 消息推送 Token (小程序后台 消息推送配置), 3–32 letters and digits; or WECHAT_PUSH_SECRET_ARN with JSON {"token", "encodingAesKey"?}. */
  WECHAT_PUSH_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9]{3,32}$/, 'WECHAT_PUSH_TOKEN must be 3-32 letters and digits')
    .optional(),
  /** 消息推送 EncodingAESKey (43 characters), for 安全/兼容 mode. */
  WECHAT_PUSH_AES_KEY: z
    .string()
    .regex(/^[A-Za-z0-9]{43}$/, 'WECHAT_PUSH_AES_KEY must be 43 letters and digits')
    .optional(),
  WECHAT_PUSH_SECRET_ARN: z.string().min(1).optional(),
  /** How long an export's download link works. */
  EXPORT_URL_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(DEFAULT_URL_TTL_SECONDS),
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {}

export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  return result.data;
}

/** The environment variable of each deadline-work queue's URL (the stack sets them: infra/constructs/work-queues.ts). */
export const WORK_QUEUE_URL_ENV = {
  settle: 'WORK_QUEUE_SETTLE_URL',
  hold: 'WORK_QUEUE_HOLD_URL',
  'refund-plan': 'WORK_QUEUE_REFUND_PLAN_URL',
  refund: 'WORK_QUEUE_REFUND_URL',
  erasure: 'WORK_QUEUE_ERASURE_URL',
  message: 'WORK_QUEUE_MESSAGE_URL',
  fold: 'WORK_QUEUE_FOLD_URL',
} as const;

/** The queue URLs the finder and the worker need, or the name of the first one missing. */
export function workQueueUrls(config: Config): Record<keyof typeof WORK_QUEUE_URL_ENV, string> {
  const urls = {} as Record<keyof typeof WORK_QUEUE_URL_ENV, string>;
  for (const [kind, key] of Object.entries(WORK_QUEUE_URL_ENV) as Array<[keyof typeof WORK_QUEUE_URL_ENV, keyof Config]>) {
    const url = config[key];
    if (typeof url !== 'string' || !url) throw new ConfigError(`Invalid configuration: ${key}: required by the deadline sweep`);
    urls[kind] = url;
  }
  return urls;
}
