import type { Logger } from '../logger.js';
import type { DbContext } from '../table/index.js';
import type { WechatPayClient } from './wechatpay/client.js';
import type { WechatPayConfig } from './wechatpay/config.js';

/** What the money flows need: the table, WeChat Pay (client + merchant config) and a logger. */
export interface PaymentsContext {
  readonly db: DbContext;
  readonly client: WechatPayClient;
  readonly config: WechatPayConfig;
  readonly logger: Logger;
}
