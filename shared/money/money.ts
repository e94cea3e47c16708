import type { CampaignSnapshot } from '../campaigns/index.js';
import type { CampaignDefinition, Entry, PaymentMode, SettlementSummary } from '../domain/index.js';
import { acceptsEntries, baseAmount } from '../domain/index.js';
import type { EntryChange } from '../entries/index.js';
import { InvalidStateError, NotFoundError, ServiceUnavailableError } from '../errors.js';
import type { Logger } from '../logger.js';
import { type DbContext, isLookupableId } from '../table/index.js';
import { type AfterSaleRecord, refundApprovedAfterSale } from './after-sales.js';
import type { PaymentsContext } from './context.js';
import { joinPayment, pendingTopUp } from './entry-money.js';
import { type JoinPayer, joinOrder, joinPayer, type PaymentPart, raiseWithTopUp, refundAfterChange } from './entry-payments.js';
import { syncOrder } from './incoming.js';
import { getRefund, type RefundRecord } from './orders.js';
import { entryOrders, type PrepayView } from './prepay.js';
import { retryRefund } from './retry-refund.js';
import { afterSettlement, refundsAfterChange } from './settlement-refunds.js';
import { continueRefundPlan, endDueHold, retryDueRefund } from './sweep.js';
import type { WechatPayClient } from './wechatpay/client.js';
import type { WechatPayConfig } from './wechatpay/config.js';

/**
 * Money behind one front door: built once at start-up (createMoney when WeChat Pay is configured,
 * disabledMoney when not) and carried on the app's dependencies, so no route or job asks which
 * mode the server runs in. The disabled one gives the answers the server always gave without
 * WeChat Pay: prepaid campaigns refused at create, 503 where an order would be needed, no-ops
 * where there is nothing to pay or refund.
 */
export interface Money {
  /** The WeChat Pay context, null when off: only for mounting the notify endpoint (and for tests). */
  readonly wechatPay: PaymentsContext | null;
  /** Why a campaign in this payment mode cannot be created on this server; null when it can. */
  refusesPaymentMode(mode: PaymentMode): string | null;
  /**
   * Who pays a join, checked before a number is taken. Null (no promise, so an offline join waits
   * for nothing here) when there is nothing to pay: an offline campaign or a free order.
   */
  payerForJoin(def: CampaignDefinition, items: Entry['items'], userId: string): Promise<JoinPayer> | null;
  /** The held entry's join order (made, or found again for a retried join), or why there is none now. */
  joinOrder(payer: JoinPayer, def: CampaignDefinition, entry: Entry): Promise<PaymentPart>;
  /** A raise of a prepaid entry that waits for a top-up; null when the change is an ordinary one. */
  raiseWithTopUp(
    snapshot: CampaignSnapshot,
    entryId: string,
    userId: string,
    body: EntryChange,
  ): Promise<{ entry: Entry; payment: PaymentPart } | null>;
  /** After a change or cancel: a prepaid entry's excess goes back ({} when nothing is prepaid). */
  refundAfterChange(def: CampaignDefinition, entry: Entry): Promise<PaymentPart>;
  /** 409 for an offline campaign, 503 when WeChat Pay is off: the gate of every order route. */
  requirePrepaid(def: CampaignDefinition): void;
  /** The order the entry should pay now (join while held, or the newest top-up), null when none. */
  orderToPay(snapshot: CampaignSnapshot, entry: Entry, openid: string | null): Promise<PrepayView | null>;
  /** Ask WeChat Pay about the entry's unpaid orders and record what was paid. */
  syncEntryOrders(campaignId: string, entryId: string): Promise<void>;
  /** The leader retries a refund that failed for good (404 unknown, 409 not failed). */
  retryFailedRefund(campaignId: string, outRefundNo: string): Promise<RefundRecord>;
  /** Just settled: the refunds of a prepaid campaign (nothing for an offline one). */
  afterSettlement(def: CampaignDefinition, summary: SettlementSummary): Promise<void>;
  /** Just called off or short-delivered: the refunds now owed by a prepaid campaign (nothing for an offline one). */
  refundsOwed(def: CampaignDefinition): Promise<void>;
  /** Just approved: a prepaid after-sale's refund (nothing for an offline one; the sweep retries what fails). */
  refundAfterSale(snapshot: CampaignSnapshot, request: AfterSaleRecord): Promise<void>;
  /**
   * Deadline work, one unit each (shared/jobs): a hold that ended, a settlement refund pass (true when
   * complete), a refund due (false when there was nothing to try). Without WeChat Pay there are no
   * holds or refunds, and the finder does not look for them.
   */
  endDueHold(campaignId: string, entryId: string): Promise<'paid' | 'expired' | 'not-held'>;
  continueRefundPlan(campaignId: string): Promise<boolean>;
  retryDueRefund(campaignId: string, outRefundNo: string): Promise<boolean>;
}

/** A join owes nothing now: the campaign is paid offline, or the order is free. */
const nothingToPay = (def: CampaignDefinition, items: Entry['items']) => def.paymentMode !== 'wechatpay' || baseAmount(def, items) === 0;

/** 409 for an offline campaign: the first gate of every order route, whatever the server's mode. */
function requireWechatPayCampaign(def: CampaignDefinition): void {
  if (def.paymentMode !== 'wechatpay')
    throw new InvalidStateError('This campaign is paid offline: there is no WeChat Pay order', { paymentMode: def.paymentMode });
}

/** Money with WeChat Pay configured: the one place a PaymentsContext is put together. */
export function createMoney(
  db: DbContext,
  logger: Logger,
  wechatPay: { readonly config: WechatPayConfig; readonly client: WechatPayClient },
): Money {
  const ctx: PaymentsContext = { db, logger, config: wechatPay.config, client: wechatPay.client };
  return {
    wechatPay: ctx,
    refusesPaymentMode: () => null,
    payerForJoin: (def, items, userId) => (nothingToPay(def, items) ? null : joinPayer(ctx, userId)),
    joinOrder: (payer, def, entry) => joinOrder(ctx, payer, def, entry),
    raiseWithTopUp: (snapshot, entryId, userId, body) => raiseWithTopUp(ctx, snapshot, entryId, userId, body),
    refundAfterChange: (def, entry) => refundAfterChange(ctx, def, entry),
    requirePrepaid: requireWechatPayCampaign,
    async orderToPay(snapshot, entry, openid) {
      if (entry.status === 'pending_payment') return joinPayment(ctx, snapshot.def, entry, openid);
      // A top-up only while the campaign still takes changes: after that, a raise cannot apply.
      return entry.status === 'active' && acceptsEntries(snapshot.def, snapshot.state, db.clock.now())
        ? pendingTopUp(ctx, snapshot.def, entry, openid)
        : null;
    },
    async syncEntryOrders(campaignId, entryId) {
      for (const order of await entryOrders(ctx, campaignId, entryId))
        if (order.state === 'created') await syncOrder(ctx, order.outTradeNo);
    },
    async retryFailedRefund(campaignId, outRefundNo) {
      const refund = isLookupableId(outRefundNo) ? await getRefund(db, campaignId, outRefundNo) : null;
      if (!refund) throw new NotFoundError(`No refund ${outRefundNo} in campaign ${campaignId}`);
      if (refund.state !== 'failed')
        throw new InvalidStateError('Only a refund that failed for good can be retried; the others are retried automatically', {
          state: refund.state,
        });
      if (refund.replacedBy)
        throw new InvalidStateError('This refund was retried under a new number: retry that one if it failed too', {
          replacedBy: refund.replacedBy,
        });
      return retryRefund(ctx, refund);
    },
    afterSettlement: (def, summary) => afterSettlement(ctx, def, summary),
    refundsOwed: (def) => refundsAfterChange(ctx, def),
    async refundAfterSale(snapshot, request) {
      try {
        await refundApprovedAfterSale(ctx, snapshot, request);
      } catch (err) {
        // The approval stands, on the refund-plan timeline: the sweep asks again.
        logger.error('after-sale refund interrupted; the sweep will finish it', { campaignId: request.campaignId, err });
      }
    },
    endDueHold: (campaignId, entryId) => endDueHold(ctx, campaignId, entryId),
    continueRefundPlan: (campaignId) => continueRefundPlan(ctx, campaignId),
    retryDueRefund: (campaignId, outRefundNo) => retryDueRefund(ctx, campaignId, outRefundNo),
  };
}

const notConfigured = () => new ServiceUnavailableError('WeChat Pay is not configured on this server');

/** Money without WeChat Pay: offline campaigns only, with the answers the server has always given. */
export const disabledMoney: Money = {
  wechatPay: null,
  refusesPaymentMode: (mode) =>
    mode === 'wechatpay' ? 'WeChat Pay is not configured on this server: only offline campaigns can be created' : null,
  payerForJoin(def, items) {
    if (nothingToPay(def, items)) return null;
    throw new ServiceUnavailableError('WeChat Pay is not configured on this server; prepaid campaigns cannot be joined');
  },
  joinOrder: async () => {
    throw notConfigured();
  },
  raiseWithTopUp: async () => null,
  refundAfterChange: async () => ({}),
  requirePrepaid(def) {
    requireWechatPayCampaign(def);
    throw notConfigured();
  },
  orderToPay: async () => {
    throw notConfigured();
  },
  syncEntryOrders: async () => {
    throw notConfigured();
  },
  retryFailedRefund: async () => {
    throw notConfigured();
  },
  afterSettlement: async () => {},
  refundsOwed: async () => {},
  refundAfterSale: async () => {},
  // The finder looks for no money work without WeChat Pay; a unit that still comes (the server's
  // mode changed under a queue) fails loudly and ends in the dead-letter queue, not silently dropped.
  endDueHold: async () => {
    throw notConfigured();
  },
  continueRefundPlan: async () => {
    throw notConfigured();
  },
  retryDueRefund: async () => {
    throw notConfigured();
  },
};
