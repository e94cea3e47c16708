import { createPrivateKey, createPublicKey } from 'node:crypto';
import { z } from 'zod';
import { ConfigError } from '../../config.js';

/** Who we are at WeChat Pay and how we reach it. Every key field is a secret: never logged. */
export interface WechatPayConfig {
  /** 商户号 */
  readonly mchId: string;
  /** the mini-program's AppID, bound to the merchant */
  readonly appId: string;
  /** serial of the merchant API certificate; WeChat looks our public key up by it */
  readonly mchSerialNo: string;
  /** merchant API private key (PKCS#8 PEM, apiclient_key.pem) */
  readonly mchPrivateKeyPem: string;
  /** 32-byte APIv3 key (ASCII), the AES-256-GCM key of notifications */
  readonly apiV3Key: string;
  /** WeChat Pay platform public key (公钥模式) that signs answers and notifications */
  readonly platformPublicKeyPem: string;
  /** its id, e.g. "PUB_KEY_ID_0112…": the Wechatpay-Serial header must equal it */
  readonly platformSerial: string;
  /** https://api.mch.weixin.qq.com, or the fake */
  readonly apiBase: string;
  /** our POST /payments/wechat/notify, absolute https URL */
  readonly notifyUrl: string;
  /** per call; default 5000 */
  readonly timeoutMs?: number;
  /** injectable for tests; default the global fetch */
  readonly fetch?: typeof fetch;
  /** for the timestamp window of answers; default the system clock */
  readonly now?: () => Date;
}

export const WECHATPAY_API_BASE = 'https://api.mch.weixin.qq.com';
export const DEFAULT_WECHATPAY_TIMEOUT_MS = 5000;

/** Secrets Manager and env often carry PEMs with literal "\n"; accept both. */
const pem = (kind: 'private' | 'public') =>
  z
    .string()
    .min(1)
    .transform((v) => `${v.replace(/\\n/g, '\n').trim()}\n`)
    .refine(
      (v) => {
        try {
          if (kind === 'private') createPrivateKey(v);
          else createPublicKey(v);
          return true;
        } catch {
          return false;
        }
      },
      // The value is never echoed: a half-pasted key is still a secret.
      { error: kind === 'private' ? 'not a PEM private key' : 'not a PEM public key' },
    );

/** https only, except a local dev server (the fake delivers to http://localhost). */
const httpsUrl = z.url({ protocol: /^https?$/, error: 'must be an absolute URL', abort: true }).refine((v) => {
  const u = new URL(v);
  return u.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
}, 'must be https');

const secretFields = {
  mchId: z.string().regex(/^\d{6,32}$/, 'must be digits'),
  appId: z.string().regex(/^\S{4,64}$/, 'must be an AppID without spaces'),
  mchSerialNo: z.string().regex(/^[0-9A-Fa-f]{8,64}$/, 'must be the certificate serial (hex)'),
  mchPrivateKeyPem: pem('private'),
  apiV3Key: z.string().refine((v) => Buffer.byteLength(v, 'utf8') === 32, 'must be exactly 32 bytes'),
  platformPublicKeyPem: pem('public'),
  platformSerial: z.string().regex(/^\S{1,128}$/, 'must be the public key id without spaces'),
};
const SecretSchema = z.object(secretFields);
const ConfigSchema = z.object({
  ...secretFields,
  apiBase: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default(WECHATPAY_API_BASE),
  notifyUrl: httpsUrl,
});

/** Environment variable → config field. WECHATPAY_API_BASE has a default and never turns payments on by itself. */
const ENV_KEYS = {
  WECHATPAY_MCH_ID: 'mchId',
  WECHATPAY_APP_ID: 'appId',
  WECHATPAY_MCH_SERIAL_NO: 'mchSerialNo',
  WECHATPAY_MCH_PRIVATE_KEY: 'mchPrivateKeyPem',
  WECHATPAY_API_V3_KEY: 'apiV3Key',
  WECHATPAY_PLATFORM_PUBLIC_KEY: 'platformPublicKeyPem',
  WECHATPAY_PLATFORM_SERIAL: 'platformSerial',
  WECHATPAY_NOTIFY_URL: 'notifyUrl',
} as const;
const FIELD_TO_NAME: Record<string, string> = {
  ...Object.fromEntries(Object.entries(ENV_KEYS).map(([env, field]) => [field, env])),
  apiBase: 'WECHATPAY_API_BASE',
};

type Env = Record<string, string | undefined>;
const present = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

function fail(where: string, issues: readonly z.core.$ZodIssue[], names: (field: string) => string): never {
  const problems = issues.map((i) => `${names(String(i.path[0] ?? '(root)'))}: ${i.message}`).join('; ');
  throw new ConfigError(`Invalid WeChat Pay configuration (${where}): ${problems}`);
}

/**
 * WeChat Pay settings from WECHATPAY_* variables: null when none is set (payments off), the full
 * config when all are, and a ConfigError naming the missing or bad variables when only some are,
 * so a half-configured deployment fails at start-up rather than at a member's first payment.
 */
export function loadWechatPayConfig(env: Env = process.env): WechatPayConfig | null {
  const names = Object.keys(ENV_KEYS) as (keyof typeof ENV_KEYS)[];
  const set = names.filter((n) => present(env[n]));
  if (set.length === 0) return null;
  const missing = names.filter((n) => !present(env[n]));
  if (missing.length > 0)
    throw new ConfigError(`Invalid WeChat Pay configuration: ${missing.join(', ')} missing (set all WECHATPAY_* variables or none)`);
  const raw: Record<string, string | undefined> = Object.fromEntries(names.map((n) => [ENV_KEYS[n], env[n]]));
  if (present(env.WECHATPAY_API_BASE)) raw.apiBase = env.WECHATPAY_API_BASE;
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) fail('environment', result.error.issues, (f) => FIELD_TO_NAME[f] ?? f);
  return result.data;
}

/**
 * The deployed variant: one Secrets Manager JSON string
 * `{mchId, appId, mchSerialNo, mchPrivateKeyPem, apiV3Key, platformPublicKeyPem, platformSerial}`
 * merged with WECHATPAY_API_BASE (optional) and WECHATPAY_NOTIFY_URL from the environment.
 */
export function wechatPayConfigFromSecret(secretJson: string, env: Env = process.env): WechatPayConfig {
  let secret: unknown;
  try {
    secret = JSON.parse(secretJson);
  } catch {
    // JSON.parse's message quotes the text around the error: part of a key. Say nothing of it.
    throw new ConfigError('Invalid WeChat Pay configuration (secret): not JSON');
  }
  const parsedSecret = SecretSchema.safeParse(secret);
  if (!parsedSecret.success) fail('secret', parsedSecret.error.issues, (f) => `secret.${f}`);
  const result = ConfigSchema.safeParse({
    ...parsedSecret.data,
    ...(present(env.WECHATPAY_API_BASE) ? { apiBase: env.WECHATPAY_API_BASE } : {}),
    notifyUrl: env.WECHATPAY_NOTIFY_URL,
  });
  if (!result.success) fail('environment', result.error.issues, (f) => FIELD_TO_NAME[f] ?? f);
  return result.data;
}
