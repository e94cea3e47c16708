import { randomBytes, sign } from 'node:crypto';
import type { WechatPayConfig } from './config.js';
import { privateKeyOf } from './keys.js';

/** The only scheme APIv3 knows: RSA-SHA256 (PKCS#1 v1.5) with a 2048-bit key. */
export const SIGNATURE_SCHEME = 'WECHATPAY2-SHA256-RSA2048';

/** 32 random alphanumerics: the docs ask for a nonce_str of at most 32 characters, no padding. */
export function newNonce(): string {
  return randomBytes(24)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .padEnd(32, '0')
    .slice(0, 32);
}

export const unixSeconds = (d: Date = new Date()): number => Math.floor(d.getTime() / 1000);

/** RSA-SHA256 over the lines joined by "\n", each line ended by "\n" (the v3 signing string), base64. */
export function signLines(privateKeyPem: string, lines: readonly string[]): string {
  return sign('sha256', Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8'), privateKeyOf(privateKeyPem)).toString('base64');
}

/**
 * The Authorization header of one API request. `pathWithQuery` is the URL exactly as sent (path and
 * query, no host); `body` is the exact JSON text sent, "" for GET.
 */
export function authorizationHeader(
  cfg: Pick<WechatPayConfig, 'mchId' | 'mchSerialNo' | 'mchPrivateKeyPem'>,
  method: string,
  pathWithQuery: string,
  body: string,
  nonce: string = newNonce(),
  timestamp: number = unixSeconds(),
): string {
  const signature = signLines(cfg.mchPrivateKeyPem, [method.toUpperCase(), pathWithQuery, String(timestamp), nonce, body]);
  return `${SIGNATURE_SCHEME} mchid="${cfg.mchId}",nonce_str="${nonce}",signature="${signature}",timestamp="${timestamp}",serial_no="${cfg.mchSerialNo}"`;
}

/** What wx.requestPayment needs; hand it to the mini-program as is. */
export interface JsapiPayParams {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: 'RSA';
  paySign: string;
}

/** 小程序调起支付 parameters: paySign over `${appId}\n${timeStamp}\n${nonceStr}\nprepay_id=${prepayId}\n`. */
export function jsapiPayParams(
  cfg: Pick<WechatPayConfig, 'appId' | 'mchPrivateKeyPem'>,
  prepayId: string,
  nonce: string = newNonce(),
  timestamp: number = unixSeconds(),
): JsapiPayParams {
  const pkg = `prepay_id=${prepayId}`;
  const timeStamp = String(timestamp);
  return {
    appId: cfg.appId,
    timeStamp,
    nonceStr: nonce,
    package: pkg,
    signType: 'RSA',
    paySign: signLines(cfg.mchPrivateKeyPem, [cfg.appId, timeStamp, nonce, pkg]),
  };
}
