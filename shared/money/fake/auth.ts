import { type KeyObject, verify } from 'node:crypto';
import { SIGNATURE_SCHEME } from '../index.js';

/** A thrown answer: WeChat's `{code, message}` with its HTTP status. */
export class Refusal {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: string,
  ) {}
}

/**
 * What WeChat Pay checks on every request: the WECHATPAY2-SHA256-RSA2048 Authorization names our
 * merchant and certificate serial, is at most 5 minutes old, and its signature over
 * `${method}\n${path}\n${timestamp}\n${nonce}\n${body}\n` verifies with the merchant public key.
 * Anything else is 401 SIGN_ERROR.
 */
export function checkMerchantSignature(r: {
  authorization: string | undefined;
  method: string;
  /** the request target exactly as received: path and query */
  path: string;
  body: string;
  mchId: string;
  mchSerialNo: string;
  merchantPublicKey: KeyObject;
  now: Date;
}): void {
  const { method, path, body, mchId, mchSerialNo, now } = r;
  const header = r.authorization ?? '';
  if (!header.startsWith(`${SIGNATURE_SCHEME} `)) throw new Refusal(401, 'SIGN_ERROR', '签名错误：缺少或无法识别的 Authorization');
  const params = Object.fromEntries([...header.slice(SIGNATURE_SCHEME.length + 1).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
  const { mchid, nonce_str: nonce, signature, timestamp, serial_no: serial } = params;
  if (!mchid || !nonce || !signature || !timestamp || !serial) throw new Refusal(401, 'SIGN_ERROR', '签名错误：Authorization 缺少参数');
  if (mchid !== mchId) throw new Refusal(401, 'SIGN_ERROR', '商户号与证书不匹配');
  if (serial !== mchSerialNo) throw new Refusal(401, 'SIGN_ERROR', '商户证书序列号有误');
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > 300) throw new Refusal(401, 'SIGN_ERROR', '签名时间戳过期');
  const message = Buffer.from(`${method}\n${path}\n${timestamp}\n${nonce}\n${body}\n`, 'utf8');
  let ok = false;
  try {
    ok = verify('sha256', message, r.merchantPublicKey, Buffer.from(signature, 'base64'));
  } catch {
    ok = false;
  }
  if (!ok) throw new Refusal(401, 'SIGN_ERROR', '签名错误');
}
