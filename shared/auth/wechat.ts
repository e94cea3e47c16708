import { AppError } from '../errors.js';

/** Where and as whom the API calls WeChat. `secret` is the mini-program's AppSecret: never logged. */
export interface WechatSettings {
  /** `https://api.weixin.qq.com`, or a fake server in tests */
  readonly apiBase: string;
  readonly appId: string;
  readonly secret: string;
  /** per call to jscode2session; default 3000 */
  readonly timeoutMs?: number;
  /** injectable for tests; default the global fetch */
  readonly fetch?: typeof fetch;
}

/** What a successful code exchange yields. The session_key is dropped here and never stored or logged. */
export interface WechatIdentity {
  openid: string;
  unionid?: string;
}

export const DEFAULT_WECHAT_TIMEOUT_MS = 3000;

/** WeChat's `errcode` values for jscode2session (https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-login/code2Session.html). */
export const WECHAT_ERRCODES = {
  systemBusy: -1,
  invalidCode: 40029,
  codeUsed: 40163,
  highRiskUser: 40226,
  missingCode: 41008,
  rateLimited: 45011,
} as const;

abstract class WechatError extends AppError {
  constructor(message: string, errcode?: number) {
    super(message, errcode === undefined ? undefined : { errcode });
  }
}

/** The code from wx.login is invalid, expired (5 minutes) or already used: call wx.login again. */
export class WechatCodeInvalidError extends WechatError {
  readonly status = 401;
  readonly code = 'WECHAT_CODE_INVALID';
}

/** WeChat refuses this user's login (high-risk account). */
export class WechatUserBlockedError extends WechatError {
  readonly status = 403;
  readonly code = 'WECHAT_USER_BLOCKED';
}

/** WeChat rate-limits this mini-program's logins; retry later. */
export class WechatRateLimitedError extends WechatError {
  readonly status = 429;
  readonly code = 'WECHAT_RATE_LIMITED';
}

/** WeChat is busy, unreachable, slow or answered garbage; retry with a fresh code. */
export class WechatUnavailableError extends WechatError {
  readonly status = 503;
  readonly code = 'WECHAT_UNAVAILABLE';
}

/** Any other WeChat error, most often our AppID or AppSecret being wrong: an operator must look. */
export class WechatLoginFailedError extends WechatError {
  readonly status = 503;
  readonly code = 'WECHAT_LOGIN_FAILED';
}

/** The WeChat error for an errcode; `errmsg` is WeChat's text (no secrets) for the operator's log. */
export function wechatError(errcode: number): WechatError {
  switch (errcode) {
    case WECHAT_ERRCODES.invalidCode:
    case WECHAT_ERRCODES.codeUsed:
    case WECHAT_ERRCODES.missingCode:
      return new WechatCodeInvalidError('The login code is invalid, expired or already used; call wx.login again', errcode);
    case WECHAT_ERRCODES.highRiskUser:
      return new WechatUserBlockedError('WeChat refused this login (high-risk account)', errcode);
    case WECHAT_ERRCODES.rateLimited:
      return new WechatRateLimitedError('Too many logins right now; retry in a minute', errcode);
    case WECHAT_ERRCODES.systemBusy:
      return new WechatUnavailableError('WeChat is busy; retry with a new code', errcode);
    default:
      return new WechatLoginFailedError(`WeChat login failed (errcode ${errcode})`, errcode);
  }
}

/** Called with what may be logged about a failed exchange: never the code, secret or session_key. */
export type WechatFailureLog = (fields: { errcode?: number; errmsg?: string; reason: string }) => void;

/**
 * `GET {apiBase}/sns/jscode2session?appid=&secret=&js_code=&grant_type=authorization_code`.
 * WeChat answers 200 with JSON (served as text/plain) carrying either openid + session_key
 * (+ unionid) or errcode + errmsg. A timeout, a network failure, a non-200 status or a body that
 * is not that JSON is WECHAT_UNAVAILABLE.
 */
export async function exchangeCode(
  settings: WechatSettings,
  code: string,
  onFailure: WechatFailureLog = () => {},
): Promise<WechatIdentity> {
  const url = new URL('/sns/jscode2session', settings.apiBase);
  url.search = new URLSearchParams({
    appid: settings.appId,
    secret: settings.secret,
    js_code: code,
    grant_type: 'authorization_code',
  }).toString();
  const doFetch = settings.fetch ?? fetch;
  let status: number;
  let text: string;
  try {
    const res = await doFetch(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(settings.timeoutMs ?? DEFAULT_WECHAT_TIMEOUT_MS),
    });
    status = res.status;
    text = await res.text();
  } catch (err) {
    // The error may carry the request URL, which holds the secret: log its kind only.
    const reason = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError') ? 'timeout' : 'network';
    onFailure({ reason });
    throw new WechatUnavailableError(reason === 'timeout' ? 'WeChat did not answer in time; retry' : 'WeChat could not be reached; retry');
  }
  if (status !== 200) {
    onFailure({ reason: `http ${status}` });
    throw new WechatUnavailableError(`WeChat answered HTTP ${status}; retry`);
  }
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    body = parsed as Record<string, unknown>;
  } catch {
    onFailure({ reason: 'unparsable answer' });
    throw new WechatUnavailableError('WeChat answered something that is not JSON; retry');
  }
  const errcode = body.errcode === undefined || body.errcode === null ? 0 : Number(body.errcode);
  if (errcode !== 0) {
    const errmsg = typeof body.errmsg === 'string' ? body.errmsg.slice(0, 200) : undefined;
    if (!Number.isInteger(errcode)) {
      onFailure({ errmsg, reason: 'errcode not a number' });
      throw new WechatLoginFailedError('WeChat login failed');
    }
    onFailure({ errcode, errmsg, reason: 'errcode' });
    throw wechatError(errcode);
  }
  const { openid, unionid, session_key: sessionKey } = body;
  if (typeof openid !== 'string' || openid === '' || openid.length > 128 || typeof sessionKey !== 'string' || sessionKey === '') {
    onFailure({ reason: 'answer without openid or session_key' });
    throw new WechatLoginFailedError('WeChat answered without an openid');
  }
  return { openid, ...(typeof unionid === 'string' && unionid !== '' && unionid.length <= 128 ? { unionid } : {}) };
}
