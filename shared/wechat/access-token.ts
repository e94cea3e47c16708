import type { WechatSettings } from '../auth/index.js';
import { type DbContext, withRetry } from '../table/index.js';
import { isRetryableWechatFailure, WechatUnreachableError, wechatApiError } from './errors.js';
import { postWechat } from './http.js';
import { readStoredToken, type StoredToken, writeStoredToken } from './token-store.js';

/**
 * Refresh this long before expiry. stable_token rotates its token 5 min before expiry and keeps
 * old and new valid for 5 min (wechat-facts §1), so asking 6 min early always gets a token with
 * time left and never races the rotation.
 */
export const TOKEN_REFRESH_MARGIN_SECONDS = 360;
/** Token fetches are idempotent in normal mode (same token back), so a lost answer is simply asked again. */
const TOKEN_FETCH_RETRIES = 2;

/**
 * The deployment's one server-API access token, from `POST /cgi-bin/stable_token` (normal mode:
 * instances never revoke each other's tokens, unlike cgi-bin/token). Looked for in memory, then in
 * the table (a cold start), then fetched; concurrent callers in one process share one read/fetch.
 */
export class AccessTokens {
  private current: StoredToken | null = null;
  private pending: Promise<StoredToken> | null = null;
  private forcing: Promise<StoredToken> | null = null;

  constructor(
    private readonly db: DbContext,
    private readonly settings: WechatSettings,
  ) {}

  /** A token with more than the refresh margin left. */
  async get(): Promise<string> {
    if (this.current && this.fresh(this.current)) return this.current.accessToken;
    this.pending ??= this.load().finally(() => {
      this.pending = null;
    });
    return (await this.pending).accessToken;
  }

  /**
   * WeChat rejected `rejected` (40001/42001): get a new one with force_refresh true. Callers that
   * saw the same rejected token share one forced fetch; one that arrives after it got the new token.
   */
  async replace(rejected: string): Promise<string> {
    if (this.current && this.current.accessToken !== rejected && this.fresh(this.current)) return this.current.accessToken;
    this.forcing ??= this.replaceStored(rejected).finally(() => {
      this.forcing = null;
    });
    return (await this.forcing).accessToken;
  }

  /**
   * Another instance may have replaced the rejected token already: take the table's if it is a
   * different, fresh one. Forcing again would revoke that instance's new token, which would then
   * force in turn, each forced call burning one of the 20 a day.
   */
  private async replaceStored(rejected: string): Promise<StoredToken> {
    const stored = await readStoredToken(this.db);
    if (stored && stored.accessToken !== rejected && this.fresh(stored)) {
      this.current = stored;
      return stored;
    }
    return this.fetch(true);
  }

  private fresh(token: StoredToken): boolean {
    return token.expiresAt - TOKEN_REFRESH_MARGIN_SECONDS > this.db.clock.now().getTime() / 1000;
  }

  private async load(): Promise<StoredToken> {
    const stored = await readStoredToken(this.db);
    if (stored && this.fresh(stored)) {
      this.current = stored;
      return stored;
    }
    return this.fetch(false);
  }

  private async fetch(forceRefresh: boolean): Promise<StoredToken> {
    const { appId, secret } = this.settings;
    const answer = await withRetry(
      async () => {
        const out = await postWechat(
          this.settings,
          '/cgi-bin/stable_token',
          {},
          { grant_type: 'client_credential', appid: appId, secret, force_refresh: forceRefresh },
        );
        if (out.errcode !== 0) throw wechatApiError(out.errcode, 'stable_token');
        return out;
      },
      { retries: TOKEN_FETCH_RETRIES, retryOn: isRetryableWechatFailure, baseMs: 50 },
    );
    const { access_token: accessToken, expires_in: expiresIn } = answer;
    if (typeof accessToken !== 'string' || accessToken === '' || typeof expiresIn !== 'number' || expiresIn <= 0) {
      throw new WechatUnreachableError('WeChat answered stable_token without a token');
    }
    const now = this.db.clock.now();
    const token: StoredToken = { accessToken, expiresAt: Math.floor(now.getTime() / 1000) + expiresIn, fetchedAt: now.toISOString() };
    await writeStoredToken(this.db, token, forceRefresh);
    this.current = token;
    return token;
  }
}
