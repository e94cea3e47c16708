import type { CampaignDb } from '../campaigns/index.js';
import type { RateLimits } from '../limits/index.js';
import type { Metrics } from '../metrics.js';
import type { Money } from '../money/index.js';
import type { ContentCheck } from '../wechat/index.js';

/** What the use cases need: the table (with the join path's cache), Money, the per-user limits. The app's deps are one. */
export interface UseCaseContext {
  readonly db: CampaignDb;
  readonly money: Money;
  readonly rateLimits?: RateLimits | undefined;
  /** msgSecCheck of entry notes; absent: content checks are off */
  readonly contentCheck?: ContentCheck | undefined;
  /** business metrics (EMF); absent: not counted */
  readonly metrics?: Metrics | undefined;
}
