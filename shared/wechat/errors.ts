import { AppError, ServiceUnavailableError } from '../errors.js';

/**
 * WeChat server-API errcodes we act on (docs/wechat-facts.md §1, §2). Anything else becomes a
 * WechatApiError carrying the errcode, for the operator's log.
 */
export const WECHAT_API_ERRCODES = {
  systemBusy: -1,
  tokenInvalid: 40001,
  invalidAppId: 40013,
  invalidSecret: 40125,
  ipNotWhitelisted: 40164,
  tokenExpired: 42001,
  dailyQuota: 45009,
  minuteQuota: 45011,
  openidInvalid: 40003,
  badScene: 40129,
  openidMismatch: 43104,
} as const;

/** The errcodes that mean "this access token no longer works": refresh it (once) and retry. */
export const isTokenRejection = (errcode: number) =>
  errcode === WECHAT_API_ERRCODES.tokenInvalid || errcode === WECHAT_API_ERRCODES.tokenExpired;

/** WeChat answered a non-zero errcode we have no better class for; `details.errcode` says which. */
export class WechatApiError extends AppError {
  readonly status: 502 | 503 = 502;
  readonly code: string = 'WECHAT_API_ERROR';
  constructor(
    message: string,
    readonly errcode: number,
  ) {
    super(message, { errcode });
  }
}

/** The AppID, AppSecret or server IP is wrong for WeChat (40013, 40125, 40164): an operator must fix the config. */
export class WechatMisconfiguredError extends WechatApiError {
  override readonly status = 502;
  override readonly code = 'WECHAT_MISCONFIGURED';
}

/** WeChat's per-minute or daily quota for this AppID is used up (45009, 45011); retrying now does not help. */
export class WechatQuotaError extends WechatApiError {
  override readonly status = 502;
  override readonly code = 'WECHAT_QUOTA_EXCEEDED';
}

/** WeChat rejected a freshly forced token too: we stop rather than loop (and burn the 20 forced refreshes a day). */
export class WechatTokenRejectedError extends WechatApiError {
  override readonly status = 502;
  override readonly code = 'WECHAT_TOKEN_REJECTED';
}

/**
 * WeChat could not be asked: a timeout, a network failure, a non-200 answer, garbage, or -1
 * (system busy). Retrying may help; the API answers 503 SERVICE_UNAVAILABLE.
 */
export class WechatUnreachableError extends ServiceUnavailableError {
  constructor(
    message: string,
    readonly errcode?: number,
  ) {
    super(message, errcode === undefined ? { dependency: 'wechat' } : { dependency: 'wechat', errcode });
  }
}

/**
 * WeChat did not answer in time: unlike a refused connection, the call may have done its work
 * (a message sent), so a caller that must not repeat it (subscribe messages) tells the two apart.
 */
export class WechatTimeoutError extends WechatUnreachableError {}

/** The error for a non-zero errcode of a server-API call. `errmsg` is WeChat's text: never a secret, but not echoed to clients. */
export function wechatApiError(errcode: number, what: string): AppError {
  switch (errcode) {
    case WECHAT_API_ERRCODES.systemBusy:
      return new WechatUnreachableError(`WeChat is busy (${what}); retry`, errcode);
    case WECHAT_API_ERRCODES.invalidAppId:
    case WECHAT_API_ERRCODES.invalidSecret:
    case WECHAT_API_ERRCODES.ipNotWhitelisted:
      return new WechatMisconfiguredError(`WeChat refused our credentials (${what}, errcode ${errcode})`, errcode);
    case WECHAT_API_ERRCODES.dailyQuota:
    case WECHAT_API_ERRCODES.minuteQuota:
      return new WechatQuotaError(`WeChat quota exceeded (${what}, errcode ${errcode})`, errcode);
    case WECHAT_API_ERRCODES.tokenInvalid:
    case WECHAT_API_ERRCODES.tokenExpired:
      return new WechatTokenRejectedError(`WeChat rejected the access token (${what}, errcode ${errcode})`, errcode);
    default:
      return new WechatApiError(`WeChat answered errcode ${errcode} (${what})`, errcode);
  }
}

/** Worth another attempt: WeChat was unreachable or busy. Definitive answers (bad credentials, quota) are not. */
export const isRetryableWechatFailure = (err: unknown) => err instanceof WechatUnreachableError;
