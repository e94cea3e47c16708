import { AmountTooLargeError } from '../errors.js';
import type { CampaignDefinition, EntryLine, ItemDefinition } from './types.js';

/**
 * Money bounds (fen). Sums in the API are plain numbers, exact only up to Number.MAX_SAFE_INTEGER
 * (≈9.0e15). A campaign is refused when the base-price value of all its stock passes
 * MAX_CAMPAIGN_VALUE_FEN (¥1,000,000,000,000): every entry, total, paid and refunded sum of it is
 * at most a few times that, 90× below the safe limit. An entry's amount is bounded too, since its
 * quantities are at most the stock (or the per-person limit).
 */
export const MAX_CAMPAIGN_VALUE_FEN = 100_000_000_000_000;

/** Units an item with unlimited stock is counted at (the largest stock a campaign may set). */
export const UNLIMITED_STOCK_BOUND = 10_000_000;

/**
 * WeChat Pay's largest order (`amount.total`), in fen: ¥10,000,000. Not in WeChat Pay's API
 * reference; a WeChat Pay staff answer in the developer community gives 1,000,000,000
 * (developers.weixin.qq.com/community/pay/doc/0006ae9b4acce0eb3a62accdf6b400), and orders above
 * ¥10,000,000 are reported refused with `invalid total_fee`. Payers' own bank and wallet limits are
 * lower and vary; those WeChat answers itself.
 */
export const WECHATPAY_MAX_ORDER_FEN = 1_000_000_000;

/** The base-price value of all a campaign's stock: the largest total it could ever bill. */
export function campaignValueBound(items: ReadonlyArray<Pick<ItemDefinition, 'unitPrice' | 'stock'>>): number {
  return items.reduce((sum, item) => sum + item.unitPrice * (item.stock ?? UNLIMITED_STOCK_BOUND), 0);
}

/** At create and at every edit (more stock, new items): 400 AMOUNT_TOO_LARGE past the bound. */
export function checkCampaignValue(items: ReadonlyArray<Pick<ItemDefinition, 'unitPrice' | 'stock'>>): void {
  const value = campaignValueBound(items);
  if (value > MAX_CAMPAIGN_VALUE_FEN) {
    throw new AmountTooLargeError(
      `The campaign's stock is worth ${value} fen at base prices, more than ${MAX_CAMPAIGN_VALUE_FEN}: lower prices or stock (unlimited stock counts as ${UNLIMITED_STOCK_BOUND} units)`,
      { amount: value, limit: MAX_CAMPAIGN_VALUE_FEN },
    );
  }
}

/** A prepaid (wechatpay) entry's base amount must fit one WeChat Pay order: 400 AMOUNT_TOO_LARGE, before anything is held. */
export function checkPrepaidAmount(
  def: Pick<CampaignDefinition, 'items'> & Partial<Pick<CampaignDefinition, 'paymentMode'>>,
  lines: readonly EntryLine[],
): void {
  if (def.paymentMode !== 'wechatpay') return;
  const prices = new Map(def.items.map((i) => [i.id, i.unitPrice]));
  const amount = lines.reduce((sum, l) => sum + (prices.get(l.itemId) ?? 0) * l.qty, 0);
  if (amount > WECHATPAY_MAX_ORDER_FEN) {
    throw new AmountTooLargeError(`This entry costs ${amount} fen; WeChat Pay takes at most ${WECHATPAY_MAX_ORDER_FEN} fen an order`, {
      amount,
      limit: WECHATPAY_MAX_ORDER_FEN,
    });
  }
}
