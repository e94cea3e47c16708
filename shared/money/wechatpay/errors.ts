import { AppError } from '../../errors.js';

/**
 * Typed WeChat Pay failures. Messages are ours and name only codes and ids: never keys,
 * signatures, ciphertexts or the payer's account. WeChat's own `message` text is kept on
 * `providerMessage` for the operator's log (it is not part of `details`, which reach clients).
 */

/** WeChat Pay refused a request with a 4xx `{code, message}` (our parameters, state or setup are wrong). */
export class WechatPayError extends AppError {
  readonly status = 502;
  readonly code = 'PAYMENT_PROVIDER_ERROR';
  constructor(
    message: string,
    readonly wechatCode: string,
    readonly httpStatus?: number,
    readonly providerMessage?: string,
  ) {
    super(message, { wechatCode });
  }
}

/** The order or refund does not exist at WeChat Pay (`ORDER_NOT_EXIST`, `RESOURCE_NOT_EXISTS`). */
export class WechatPayNotFoundError extends AppError {
  readonly status = 404;
  readonly code = 'PAYMENT_NOT_FOUND';
  constructor(
    message: string,
    readonly wechatCode: string,
  ) {
    super(message, { wechatCode });
  }
}

/** Timeout, network failure, 5xx or 429: nothing is known about the outcome, so query or retry later. */
export class WechatPayUnavailableError extends AppError {
  readonly status = 503;
  readonly code = 'SERVICE_UNAVAILABLE';
  constructor(
    message: string,
    readonly wechatCode?: string,
  ) {
    super(message, wechatCode === undefined ? undefined : { wechatCode });
  }
}

/**
 * An answer that claims to come from WeChat Pay but cannot be trusted or read: bad or missing
 * signature, unknown serial, a 2xx body that is not the documented JSON, another merchant's data.
 * Treated as a provider failure; the request may or may not have taken effect.
 */
export class WechatPayBadResponseError extends AppError {
  readonly status = 502;
  readonly code = 'PAYMENT_PROVIDER_ERROR';
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message, { reason });
  }
}

/** A notification (or answer) whose Wechatpay-* signature headers do not check out. */
export class WechatPaySignatureError extends AppError {
  readonly status = 401;
  readonly code = 'INVALID_SIGNATURE';
}

/** The AES-256-GCM resource of a notification failed authentication (tampered, wrong key or nonce). */
export class WechatPayDecryptError extends AppError {
  readonly status = 400;
  readonly code = 'INVALID_NOTIFICATION';
}

/** A correctly signed notification whose envelope or decrypted resource is not what the docs describe, or is for another merchant. */
export class WechatPayNotificationError extends AppError {
  readonly status = 400;
  readonly code = 'INVALID_NOTIFICATION';
}

/** WeChat's codes that mean "no such order / refund". */
export const NOT_FOUND_CODES: ReadonlySet<string> = new Set(['ORDER_NOT_EXIST', 'RESOURCE_NOT_EXISTS']);

/**
 * A createJsapiOrder rejected because the out_trade_no was used before with different parameters
 * (the real API has answered both ways). An identical repeat is not an error: it yields the same prepay_id.
 */
export function isOutTradeNoUsed(err: unknown): boolean {
  return (
    err instanceof WechatPayError &&
    (err.wechatCode === 'OUT_TRADE_NO_USED' || (err.wechatCode === 'INVALID_REQUEST' && /重复|duplicate/i.test(err.providerMessage ?? '')))
  );
}

/**
 * An authentic notification (signature and decryption passed) of an event type we do not handle,
 * e.g. TRANSACTION.CLOSED: acknowledge it, or WeChat Pay redelivers it for a day.
 */
export class WechatPayUnsupportedEventError extends WechatPayNotificationError {}
