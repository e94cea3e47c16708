import type { DbContext } from '../shared/db/context.js';
import type { TokenSettings, TokenUser } from '../shared/auth/tokens.js';
import type { WechatSettings } from '../shared/auth/wechat.js';
import type { Logger } from '../shared/logger.js';
import type { RateLimits } from '../shared/db/rate-limit.js';

/** Everything the HTTP app needs, injected: tests build it against DynamoDB Local with a manual clock. */
export interface AppDeps {
  readonly db: DbContext;
  readonly tokens: TokenSettings;
  /** POST /auth/dev-login exists only when true */
  readonly devAuth: boolean;
  readonly logger: Logger;
  /** allowed CORS origins; empty or absent: any origin (mini-programs send no Origin) */
  readonly corsOrigins?: readonly string[];
  /** POST /auth/wechat and /auth/refresh exist only when set (WECHAT_APPID configured) */
  readonly wechat?: WechatSettings;
  /** per-user limits on joins and logins; absent: none (tests opt in; depsFromEnv always sets them) */
  readonly rateLimits?: RateLimits;
}

export type AppEnv = {
  Variables: {
    user: TokenUser | null;
    requestId: string;
  };
};
