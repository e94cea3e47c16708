import { verify } from 'node:crypto';
import type { WechatPayConfig } from './config.js';
import { WechatPaySignatureError } from './errors.js';
import { publicKeyOf } from './keys.js';

/** The four Wechatpay-* headers that sign an answer or a notification. */
export interface WechatpaySignatureHeaders {
  timestamp?: string;
  nonce?: string;
  signature?: string;
  serial?: string;
}

/** Reads the Wechatpay-* headers from fetch Headers or a plain record (any letter case, as Lambda events vary). */
export function wechatpayHeaders(headers: Headers | Record<string, string | undefined>): WechatpaySignatureHeaders {
  const get =
    headers instanceof Headers
      ? (name: string) => headers.get(name) ?? undefined
      : (() => {
          const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
          return (name: string) => lower.get(name);
        })();
  return {
    timestamp: get('wechatpay-timestamp'),
    nonce: get('wechatpay-nonce'),
    signature: get('wechatpay-signature'),
    serial: get('wechatpay-serial'),
  };
}

type PlatformKeys = Pick<WechatPayConfig, 'platformPublicKeyPem' | 'platformSerial' | 'platformKeys'>;

/**
 * The configured key a Wechatpay-Serial names, if any: the main one or one of `platformKeys` (a
 * migration between platform certificates and the public key has both). Hex certificate serials
 * are matched in any letter case.
 */
export function platformKeyFor(cfg: PlatformKeys, serial: string): string | undefined {
  const wanted = serial.toUpperCase();
  if (cfg.platformSerial.toUpperCase() === wanted) return cfg.platformPublicKeyPem;
  return cfg.platformKeys?.find((k) => k.serial.toUpperCase() === wanted)?.publicKeyPem;
}

/**
 * Checks that `body` was signed by WeChat Pay: the serial names one of our configured platform
 * keys (and only that key is tried), the timestamp is within `maxSkewSeconds` of `now` either way
 * (a replayed or forged-late message is refused), and the RSA-SHA256 signature over
 * `${timestamp}\n${nonce}\n${body}\n` verifies. WeChat's probe messages (signatures starting
 * "WECHATPAY/SIGNTEST/") fail here on purpose: they test that we verify.
 */
export function verifyWechatpaySignature(
  cfg: PlatformKeys,
  headers: WechatpaySignatureHeaders,
  body: string,
  now: Date,
  maxSkewSeconds = 300,
): void {
  const { timestamp, nonce, signature, serial } = headers;
  if (!timestamp || !nonce || !signature || !serial)
    throw new WechatPaySignatureError('Wechatpay-Timestamp, -Nonce, -Signature and -Serial are required');
  const keyPem = platformKeyFor(cfg, serial);
  if (keyPem === undefined) throw new WechatPaySignatureError('Signed with an unknown Wechatpay-Serial');
  if (!/^\d{1,12}$/.test(timestamp)) throw new WechatPaySignatureError('Wechatpay-Timestamp is not a Unix time');
  const skew = Math.abs(now.getTime() / 1000 - Number(timestamp));
  if (skew > maxSkewSeconds) throw new WechatPaySignatureError(`Wechatpay-Timestamp is more than ${maxSkewSeconds} s away from now`);
  const sig = Buffer.from(signature, 'base64');
  let ok = false;
  try {
    ok = sig.length > 0 && verify('sha256', Buffer.from(`${timestamp}\n${nonce}\n${body}\n`, 'utf8'), publicKeyOf(keyPem), sig);
  } catch {
    ok = false;
  }
  if (!ok) throw new WechatPaySignatureError('Wechatpay-Signature does not verify');
}
