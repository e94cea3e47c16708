import type { WechatSettings } from '../auth/index.js';
import { type DbContext, withRetry } from '../table/index.js';
import { AccessTokens } from './access-token.js';
import { isRetryableWechatFailure, isTokenRejection, WechatTokenRejectedError, WechatUnreachableError, wechatApiError } from './errors.js';
import { postWechat, postWechatForImage, type WechatAnswer, type WechatImage } from './http.js';

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

  /**
   * `POST {path}?access_token=…` for a call that answers an image on success (wxacode): the same
   * token handling and retries as `post`, the image or WeChat's error.
   */
  async postForImage(path: string, body: unknown, opts: { idempotent: boolean }): Promise<WechatImage> {
    const out = await withRetry(
      () => this.withToken(path, (token) => postWechatForImage(this.settings, path, { access_token: token }, body)),
      {
        retries: opts.idempotent ? IDEMPOTENT_RETRIES : 0,
        retryOn: isRetryableWechatFailure,
        baseMs: 50,
      },
    );
    if (isAnswer(out)) throw new WechatUnreachableError(`WeChat answered ${path} with JSON and no error instead of an image`);
    return out;
  }

  private postWithToken(path: string, body: unknown): Promise<WechatAnswer> {
    return this.withToken(path, (token) => postWechat(this.settings, path, { access_token: token }, body)) as Promise<WechatAnswer>;
  }

  /** One call with the current token; a rejected token is replaced once and the call made again. Errcodes become typed errors. */
  private async withToken<T extends object>(path: string, call: (token: string) => Promise<T | WechatAnswer>): Promise<T | WechatAnswer> {
    const token = await this.tokens.get();
    const first = await call(token);
    if (!isAnswer(first) || first.errcode === 0) return first;
    if (!isTokenRejection(first.errcode)) throw wechatApiError(first.errcode, path);
    const replaced = await this.tokens.replace(token);
    const second = await call(replaced);
    if (!isAnswer(second) || second.errcode === 0) return second;
    if (isTokenRejection(second.errcode)) {
      throw new WechatTokenRejectedError(`WeChat rejected a freshly refreshed access token for ${path}`, second.errcode);
    }
    throw wechatApiError(second.errcode, path);
  }
}

const isAnswer = (out: object): out is WechatAnswer => 'errcode' in out;
