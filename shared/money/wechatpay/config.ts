import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
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
  /** WeChat Pay platform public key (公钥模式), or a platform certificate (PEM), that signs answers and notifications */
  readonly platformPublicKeyPem: string;
  /** its id, e.g. "PUB_KEY_ID_0112…" (or the certificate's hex serial): named in Wechatpay-Serial; sent on our requests */
  readonly platformSerial: string;
  /**
   * More keys WeChat Pay may sign with, by serial. While a merchant moves from platform certificates to
   * the WeChat Pay public key, WeChat signs with either and names the key in Wechatpay-Serial: the key
   * above plus these are the set answers and notifications are verified against (verify.ts).
   */
  readonly platformKeys?: readonly PlatformKey[];
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

/** A key WeChat Pay signs with: a public key (id PUB_KEY_ID_…) or a platform certificate (hex serial), PEM. */
export interface PlatformKey {
  readonly serial: string;
  readonly publicKeyPem: string;
}

/** At most this many keys besides the main one: a migration has one or two certificates. */
const MAX_PLATFORM_KEYS = 10;

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

const serial = z.string().regex(/^\S{1,128}$/, 'must be the public key id or certificate serial, without spaces');

/** A certificate PEM carries its own serial: it must be the one configured beside it (else no notification would verify). */
function certificateSerialMatches(pemText: string, configured: string): boolean {
  if (!pemText.includes('BEGIN CERTIFICATE')) return true;
  try {
    return new X509Certificate(pemText).serialNumber.toUpperCase() === configured.toUpperCase();
  } catch {
    return false;
  }
}

const platformKey = z
  .object({ serial, publicKeyPem: pem('public') })
  .refine((k) => certificateSerialMatches(k.publicKeyPem, k.serial), { error: "the certificate's serial is not this serial" });

const secretFields = {
  mchId: z.string().regex(/^\d{6,32}$/, 'must be digits'),
  appId: z.string().regex(/^\S{4,64}$/, 'must be an AppID without spaces'),
  mchSerialNo: z.string().regex(/^[0-9A-Fa-f]{8,64}$/, 'must be the certificate serial (hex)'),
  mchPrivateKeyPem: pem('private'),
  apiV3Key: z.string().refine((v) => Buffer.byteLength(v, 'utf8') === 32, 'must be exactly 32 bytes'),
  platformPublicKeyPem: pem('public'),
  platformSerial: serial,
  platformKeys: z.array(platformKey).max(MAX_PLATFORM_KEYS).optional(),
};
/** The key set as a whole: the main key's certificate (if it is one) under its serial, and no serial twice. */
function checkKeySet(
  cfg: { platformPublicKeyPem: string; platformSerial: string; platformKeys?: Array<{ serial: string }> | undefined },
  ctx: z.RefinementCtx,
): void {
  if (!certificateSerialMatches(cfg.platformPublicKeyPem, cfg.platformSerial))
    ctx.addIssue({ code: 'custom', path: ['platformSerial'], message: "the certificate's serial is not this serial" });
  // Serials are looked up in any letter case (hex certificate serials), so two may not differ only by it.
  const serials = [cfg.platformSerial, ...(cfg.platformKeys ?? []).map((k) => k.serial)].map((s) => s.toUpperCase());
  if (new Set(serials).size !== serials.length) ctx.addIssue({ code: 'custom', path: ['platformKeys'], message: 'a serial appears twice' });
}

const SecretSchema = z.object(secretFields).superRefine(checkKeySet);
const ConfigSchema = z
  .object({
    ...secretFields,
    apiBase: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default(WECHATPAY_API_BASE),
    notifyUrl: httpsUrl,
  })
  .superRefine(checkKeySet);

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
/** Optional: the further platform keys, a JSON array `[{"serial", "publicKeyPem"}]`. */
const PLATFORM_KEYS_ENV = 'WECHATPAY_PLATFORM_KEYS';
const FIELD_TO_NAME: Record<string, string> = {
  ...Object.fromEntries(Object.entries(ENV_KEYS).map(([env, field]) => [field, env])),
  apiBase: 'WECHATPAY_API_BASE',
  platformKeys: PLATFORM_KEYS_ENV,
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
  const set = [...names, PLATFORM_KEYS_ENV].filter((n) => present(env[n]));
  if (set.length === 0) return null;
  const missing = names.filter((n) => !present(env[n]));
  if (missing.length > 0)
    throw new ConfigError(`Invalid WeChat Pay configuration: ${missing.join(', ')} missing (set all WECHATPAY_* variables or none)`);
  const raw: Record<string, unknown> = Object.fromEntries(names.map((n) => [ENV_KEYS[n], env[n]]));
  if (present(env.WECHATPAY_API_BASE)) raw.apiBase = env.WECHATPAY_API_BASE;
  const platformKeys = env[PLATFORM_KEYS_ENV];
  if (present(platformKeys)) raw.platformKeys = jsonOrFail(platformKeys, PLATFORM_KEYS_ENV);
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) fail('environment', result.error.issues, (f) => FIELD_TO_NAME[f] ?? f);
  return result.data;
}

/** JSON.parse's message quotes the text around the error: part of a key. Say nothing of it. */
function jsonOrFail(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError(`Invalid WeChat Pay configuration (${where}): not JSON`);
  }
}

/**
 * The deployed variant: one Secrets Manager JSON string
 * `{mchId, appId, mchSerialNo, mchPrivateKeyPem, apiV3Key, platformPublicKeyPem, platformSerial, platformKeys?}`
 * merged with WECHATPAY_API_BASE (optional) and WECHATPAY_NOTIFY_URL from the environment.
 */
export function wechatPayConfigFromSecret(secretJson: string, env: Env = process.env): WechatPayConfig {
  const secret = jsonOrFail(secretJson, 'secret');
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
