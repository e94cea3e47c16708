import type { WechatSettings } from '../auth/index.js';
import { type DbContext, withRetry } from '../table/index.js';
import { AccessTokens } from './access-token.js';
import { isRetryableWechatFailure, isTokenRejection, WechatTokenRejectedError, wechatApiError } from './errors.js';
import { postWechat, type WechatAnswer } from './http.js';

/** Another attempt after a lost or busy answer, for calls that are safe to repeat. */
const IDEMPOTENT_RETRIES = 1;

/**
 * Calls to WeChat's server API with the deployment's access token. A rejected token (40001,
 * 42001: revoked, expired, or not the latest) is replaced by one forced refresh and the call is
 * made once more; a second rejection is WechatTokenRejectedError, never a loop. Other errcodes
 * become typed errors (errors.ts).
 */
export class WechatServerApi {
  readonly tokens: AccessTokens;

  constructor(
    db: DbContext,
    readonly settings: WechatSettings,
  ) {
    this.tokens = new AccessTokens(db, settings);
  }

  /** `POST {path}?access_token=…` with `body`; `idempotent` calls are retried once when WeChat was unreachable or busy. */
  async post(path: string, body: unknown, opts: { idempotent: boolean }): Promise<WechatAnswer> {
    return withRetry(() => this.postWithToken(path, body), {
      retries: opts.idempotent ? IDEMPOTENT_RETRIES : 0,
      retryOn: isRetryableWechatFailure,
      baseMs: 50,
    });
  }

  private async postWithToken(path: string, body: unknown): Promise<WechatAnswer> {
    const token = await this.tokens.get();
    const first = await postWechat(this.settings, path, { access_token: token }, body);
    if (first.errcode === 0) return first;
    if (!isTokenRejection(first.errcode)) throw wechatApiError(first.errcode, path);
    const replaced = await this.tokens.replace(token);
    const second = await postWechat(this.settings, path, { access_token: replaced }, body);
    if (second.errcode === 0) return second;
    if (isTokenRejection(second.errcode)) {
      throw new WechatTokenRejectedError(`WeChat rejected a freshly refreshed access token for ${path}`, second.errcode);
    }
    throw wechatApiError(second.errcode, path);
  }
}
