import type { TokenSettings, TokenUser, WechatSettings } from '../shared/auth/index.js';
import type { CampaignDb } from '../shared/campaigns/index.js';
import type { ImageSettings } from '../shared/images/index.js';
import type { RateLimits } from '../shared/limits/index.js';
import type { Logger } from '../shared/logger.js';
import type { Messaging } from '../shared/messages/index.js';
import type { Metrics } from '../shared/metrics.js';
import type { Money } from '../shared/money/index.js';
import type { CampaignCodes } from '../shared/share-codes/index.js';
import type { ExportSettings } from '../shared/storage/index.js';
import type { ContentCheck, PushSettings } from '../shared/wechat/index.js';

/** Everything the HTTP app needs, injected: tests build it against DynamoDB Local with a manual clock. */
export interface AppDeps {
  /** the table, with the join path's campaign cache */
  readonly db: CampaignDb;
  readonly tokens: TokenSettings;
  /** POST /auth/dev-login exists only when true */
  readonly devAuth: boolean;
  readonly logger: Logger;
  /** business metrics (EMF: joins, sold out, content rejected); absent: not counted (npm start, most tests) */
  readonly metrics?: Metrics;
  /** allowed CORS origins; empty or absent: any origin (mini-programs send no Origin) */
  readonly corsOrigins?: readonly string[];
  /** POST /auth/wechat and /auth/refresh exist only when set (WECHAT_APPID configured) */
  readonly wechat?: WechatSettings;
  /** per-user limits on joins, logins, WeChat Pay calls and campaign creation; absent: none (tests opt in; depsFromEnv always sets them) */
  readonly rateLimits?: RateLimits;
  /** With the edge stage option: the token CloudFront sends; requests without it are 403 (middleware/origin-token.ts). */
  readonly originToken?: string;
  /** Money, built once at start-up: createMoney with WeChat Pay, disabledMoney (offline campaigns only) without */
  readonly money: Money;
  /** Object storage for CSVs too large for a response (EXPORTS_BUCKET); absent: every CSV is answered inline */
  readonly exports?: ExportSettings;
  /** WeChat content security on published user text (CONTENT_CHECK); absent: texts are not checked */
  readonly contentCheck?: ContentCheck;
  /** Subscribe messages (WECHAT_SUBSCRIBE_TEMPLATES); absent: grants are refused and events send nothing */
  readonly messaging?: Messaging;
  /** 小程序码 of campaigns (GET …/wxacode), made through WeChat and kept in EXPORTS_BUCKET; absent (no WeChat): 503 */
  readonly shareCodes?: CampaignCodes;
  /** Campaign photos (IMAGES_BUCKET): upload forms, the bucket, the CDN, WeChat's image check; absent: the photo routes are 503 */
  readonly images?: ImageSettings;
  /** WeChat 消息推送 (WECHAT_PUSH_TOKEN or WECHAT_PUSH_SECRET_ARN): GET/POST /wechat/push exist only when set */
  readonly wechatPush?: PushSettings;
  /** The mini-program page share codes and share paths open (WECHAT_CODE_PAGE); absent: pages/campaign/index */
  readonly campaignPage?: string;
}

export type AppEnv = {
  Variables: {
    user: TokenUser | null;
    requestId: string;
    /** The route a lazily mounted module answered with (functions/lazy-routes.ts), where routePath(c) names only its mount. */
    matchedRoute?: string;
  };
};
