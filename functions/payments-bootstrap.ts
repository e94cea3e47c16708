import type { Logger } from '../shared/logger.js';
import {
  createMoney,
  createWechatPayClient,
  disabledMoney,
  loadWechatPayConfig,
  type Money,
  type WechatPayClient,
  type WechatPayConfig,
  wechatPayConfigFromSecret,
} from '../shared/money/index.js';
import type { DbContext } from '../shared/table/index.js';
import { lazyRetrying } from './lazy.js';

type Env = Record<string, string | undefined>;

/**
 * WeChat Pay from the environment, or undefined when it is not configured (offline campaigns only):
 *   - deployed: WECHATPAY_SECRET_ARN names a Secrets Manager JSON secret with the merchant's keys,
 *     read once per cold start; WECHATPAY_NOTIFY_URL (and optionally WECHATPAY_API_BASE) from env;
 *   - local: the WECHATPAY_* variables themselves (all or none), e.g. the fake's under npm start.
 * A half-configured merchant fails start-up, naming what is missing, never a member's first payment.
 */
export async function wechatPayFromEnv(
  env: Env,
  readSecret: (arn: string) => Promise<string>,
  logger: Logger,
): Promise<{ config: WechatPayConfig; client: WechatPayClient } | undefined> {
  const arn = env.WECHATPAY_SECRET_ARN?.trim();
  let config: WechatPayConfig | null;
  if (arn) {
    const secret = await readSecret(arn);
    // The stack creates the secret as {"placeholder": true, …} until the operator puts the merchant's
    // keys in: until then the API runs with offline campaigns only, instead of failing to start.
    if (isPlaceholder(secret)) {
      logger.warn('WeChat Pay secret is still the placeholder: prepaid campaigns are off until the merchant keys are put in');
      return undefined;
    }
    config = wechatPayConfigFromSecret(secret, env);
  } else {
    config = loadWechatPayConfig(env);
  }
  if (!config) return undefined;
  // Serials are not secrets; naming them makes a key migration (certificate → public key) checkable in the logs.
  logger.info('WeChat Pay on', { platformSerials: [config.platformSerial, ...(config.platformKeys ?? []).map((k) => k.serial)] });
  // Only method, path, status and WeChat's code are logged: never headers, bodies or keys.
  const client = createWechatPayClient(config, (fields) => logger.warn('wechat pay call failed', fields));
  return { config, client };
}

/** The server's Money from the environment: the only place that decides whether WeChat Pay is on. */
export async function moneyFromEnv(env: Env, readSecret: (arn: string) => Promise<string>, db: DbContext, logger: Logger): Promise<Money> {
  const wechatPay = await wechatPayFromEnv(env, readSecret, logger);
  return wechatPay ? createMoney(db, logger, wechatPay) : disabledMoney;
}

function isPlaceholder(secret: string): boolean {
  try {
    return (JSON.parse(secret) as { placeholder?: unknown } | null)?.placeholder === true;
  } catch {
    return false;
  }
}

/** Money for the scheduled functions (sweep, worker): built on first use, again after a failure. */
export function lazyMoney(env: Env, readSecret: (arn: string) => Promise<string>, db: DbContext, logger: Logger): () => Promise<Money> {
  return lazyRetrying(() => moneyFromEnv(env, readSecret, db, logger));
}
