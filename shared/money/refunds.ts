import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Entry } from '../domain/index.js';
import { ConflictError } from '../errors.js';
import { recordRefund } from '../numbers/index.js';
import type { TransactItem } from '../table/index.js';
import { cancelledTransaction, outboxPut } from '../table/index.js';
import type { PaymentsContext } from './context.js';
import { applyMoneyEvent } from './ledger.js';
import { getRefund, giveBackRefundable, newRefund, outRefundNoFor, type RefundRecord, refundUpdate, takeRefundable } from './orders.js';
import { entryOrders } from './prepay.js';
import { WechatPayError, WechatPayNotFoundError, WechatPayUnavailableError } from './wechatpay/errors.js';
import type { Refund } from './wechatpay/resources.js';

/** After this many failed attempts a refund waits for the leader (POST …/refunds/{no}/retry). */
export const MAX_REFUND_ATTEMPTS = 8;
/** Retry delays: 1, 2, 4 … minutes, at most 6 hours. */
export const refundRetryDelayMs = (attempts: number) => Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 6 * 3_600_000);
/** A refund WeChat is still processing is checked again after this, in case its notification is lost. */
export const REFUND_CHECK_AFTER_MS = 5 * 60_000;

/**
 * Give `amount` fen of an entry's payments back, for `purpose` (settle, cancel, reduce#<v>,
 * late#<transaction>). The amount is taken from the entry's paid orders, newest first, each
 * refund under a condition on its order's refundable money, with its `refund_requested` event and
 * the refund record in one transaction; out_refund_no is derived from entry, order and purpose, so
 * asking twice for the same purpose finds the first request and refunds nothing more. Then each
 * new refund is tried once; failures are left to the sweep, with backoff.
 */
export async function requestRefund(
  ctx: PaymentsContext,
  entry: Pick<Entry, 'campaignId' | 'id' | 'seq' | 'userId'>,
  amount: number,
  purpose: string,
  reason: string,
  /**
   * the PAY version `amount` was computed from: the first refund is recorded only if no other money
   * event came between (else MoneyConflictError, and the caller recomputes). Two passes of different
   * phases at once then cannot both give back the same excess.
   */
  opts: { expectVersion?: number } = {},
): Promise<RefundRecord[]> {
  if (amount <= 0) return [];
  let expectVersion = opts.expectVersion;
  const { db } = ctx;
  const orders = (await entryOrders(ctx, entry.campaignId, entry.id)).filter((o) => o.state === 'paid').reverse();
  const created: RefundRecord[] = [];
  let left = amount;
  for (const order of orders) {
    if (left <= 0) break;
    const outRefundNo = outRefundNoFor(entry.campaignId, entry.id, order.outTradeNo, purpose);
    const existing = await getRefund(db, entry.campaignId, outRefundNo);
    if (existing) {
      left -= existing.amount;
      continue;
    }
    const take = Math.min(left, order.refundable);
    if (take <= 0) continue;
    const now = db.clock.now().toISOString();
    const refund: RefundRecord = {
      outRefundNo,
      outTradeNo: order.outTradeNo,
      orderTotal: order.paidAmount,
      campaignId: entry.campaignId,
      entryId: entry.id,
      seq: entry.seq,
      userId: entry.userId,
      amount: take,
      purpose,
      state: 'pending',
      attempts: 0,
      lastError: null,
      nextAttemptAt: now,
      createdAt: now,
      updatedAt: now,
    };
    const outcome = await applyMoneyEvent(
      db,
      {
        campaignId: entry.campaignId,
        entryId: entry.id,
        seq: entry.seq,
        event: 'refund_requested',
        amount: take,
        ref: `refund#${outRefundNo}`,
        actor: 'system',
        at: now,
        reason,
      },
      entry.userId,
      {
        with: [takeRefundable(db.tableName, order.outTradeNo, take), newRefund(db.tableName, refund)],
        ...(expectVersion !== undefined ? { expectVersion } : {}),
      },
    );
    // Only the first event is held to the version read; the next orders' events follow this one.
    expectVersion = undefined;
    if (outcome.applied) {
      created.push(refund);
      left -= take;
    } else if (outcome.reason === 'duplicate') {
      left -= (await getRefund(db, entry.campaignId, outRefundNo))?.amount ?? take;
    }
    // 'rejected': another refund took this order's money meanwhile; the next order may have some.
  }
  if (left > 0)
    ctx.logger.error('refund could not be fully allocated to paid orders', {
      campaignId: entry.campaignId,
      entryId: entry.id,
      purpose,
      missing: left,
    });
  for (const refund of created) await attemptRefund(ctx, refund);
  return created;
}

/** One try at WeChat (or, for one it is processing, a status check). Never throws for WeChat's failures. */
export async function attemptRefund(ctx: PaymentsContext, refund: RefundRecord): Promise<void> {
  let result: Refund;
  try {
    result =
      refund.state === 'processing'
        ? await ctx.client.queryRefund(refund.outRefundNo)
        : await ctx.client.refund({
            outTradeNo: refund.outTradeNo,
            outRefundNo: refund.outRefundNo,
            refundFen: refund.amount,
            totalFen: refund.orderTotal,
            reason: refundReason(refund),
          });
  } catch (err) {
    if (err instanceof WechatPayNotFoundError && refund.state === 'processing') {
      // WeChat does not know it: ask again for the refund itself (same out_refund_no, so at most once).
      await refundFailed(ctx, { ...refund, state: 'pending' }, 'WeChat Pay does not know this refund yet', false);
      return;
    }
    // A refund WeChat is processing is never given up on because a status check failed: it may
    // still succeed, and its success must find the amount still counted as on its way back.
    const retryable =
      refund.state === 'processing' ||
      err instanceof WechatPayUnavailableError ||
      (err instanceof WechatPayError &&
        /SYSTEM_ERROR|FREQUENCY_LIMITED|NOT_ENOUGH/.test(String((err.details as { wechatCode?: string } | undefined)?.wechatCode)));
    await refundFailed(ctx, refund, describe(err), !retryable);
    return;
  }
  await applyRefundResult(ctx, refund, result);
}

/** What WeChat said about a refund (an answer, a query or a notification) → our records. */
export async function applyRefundResult(
  ctx: PaymentsContext,
  refund: RefundRecord,
  result: Pick<Refund, 'status' | 'refundId'>,
): Promise<void> {
  const now = ctx.db.clock.now();
  switch (result.status) {
    case 'SUCCESS':
      await refundSucceeded(ctx, refund, result.refundId);
      return;
    case 'PROCESSING':
      await send(ctx, [
        refundUpdate(
          ctx.db.tableName,
          refund,
          { state: 'processing', refundId: result.refundId, nextAttemptAt: new Date(now.getTime() + REFUND_CHECK_AFTER_MS).toISOString() },
          now.toISOString(),
        ),
      ]);
      return;
    case 'ABNORMAL':
      // The member's account cannot take it (closed card, frozen 零钱). WeChat Pay keeps the money
      // in its refund account for this out_refund_no (paid out by the merchant platform's 交易中心
      // or its abnormal-refund API), so it is not given back to the order: a second number would
      // pay it out twice. A retry asks about this same number, and records it once it is paid.
      // Given up once only: a repeated report must not take its amount off the way back twice.
      if (refund.state === 'failed') return;
      await refundFailed(
        ctx,
        refund,
        "ABNORMAL: the member's account cannot receive the refund; WeChat Pay holds it: pay it out in the merchant platform (交易中心) or contact the member, then retry",
        true,
      );
      return;
    case 'CLOSED':
      await refundClosed(ctx, refund);
      return;
  }
}

/**
 * WeChat Pay CLOSED the refund (it could not pay it out for 7 days, e.g. the merchant's balance ran
 * short): nothing reached the member and this out_refund_no is dead. In one transaction: the
 * refund fails for good and is marked closed, its amount stops counting as on its way back (unless
 * it had already), and it goes back to the order's refundable money, so the leader's retry can take
 * it again under a new number (retry-refund.ts). Conditioned on the refund's state as read, and the
 * event is keyed by the refund, so repeated reports give the money back once.
 */
async function refundClosed(ctx: PaymentsContext, refund: RefundRecord): Promise<void> {
  const reason = 'CLOSED: WeChat Pay closed the refund without paying it (top up the merchant balance, then retry: a new refund number)';
  for (let attempt = 0; attempt < 3; attempt++) {
    if (refund.closed || refund.state === 'succeeded') return;
    const now = ctx.db.clock.now().toISOString();
    const outcome = await applyMoneyEvent(
      ctx.db,
      {
        campaignId: refund.campaignId,
        entryId: refund.entryId,
        seq: refund.seq,
        event: 'refund_failed',
        amount: refund.amount,
        ref: `refund_closed#${refund.outRefundNo}`,
        actor: 'wechatpay',
        at: now,
        reason,
        // A refund already given up (attempts ran out) stopped counting then.
        ...(refund.state !== 'failed' ? { final: true } : {}),
      },
      refund.userId,
      {
        with: [
          refundUpdate(
            ctx.db.tableName,
            refund,
            { state: 'failed', closed: true, attempts: refund.attempts + 1, lastError: reason, nextAttemptAt: null },
            now,
            refund.state,
            true,
          ),
          giveBackRefundable(ctx.db.tableName, refund.outTradeNo, refund.amount),
        ],
      },
    );
    if (outcome.applied || outcome.reason === 'duplicate') {
      ctx.logger.warn('refund closed by WeChat Pay; its amount is refundable again', {
        campaignId: refund.campaignId,
        entryId: refund.entryId,
        outRefundNo: refund.outRefundNo,
      });
      return;
    }
    // The refund moved on since it was read (another report, an attempt): read it again.
    const fresh = await getRefund(ctx.db, refund.campaignId, refund.outRefundNo);
    if (!fresh) return;
    refund = fresh;
  }
  throw new ConflictError('The refund kept changing; WeChat Pay will report it again');
}

/** The refund reached the member: `refunded` in the ledger and the totals, once. */
export async function refundSucceeded(ctx: PaymentsContext, refund: RefundRecord, refundId: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (refund.state === 'succeeded') return;
    const now = ctx.db.clock.now().toISOString();
    // A refund given up on (ABNORMAL, then paid out in the merchant platform) no longer counted as on
    // its way back: its success must not take it off again. So the update holds for the state read.
    const outcome = await applyMoneyEvent(
      ctx.db,
      {
        campaignId: refund.campaignId,
        entryId: refund.entryId,
        seq: refund.seq,
        event: 'refunded',
        amount: refund.amount,
        ref: `refunded#${refund.outRefundNo}`,
        actor: 'wechatpay',
        at: now,
        ...(refund.state === 'failed' ? { afterGivingUp: true } : {}),
      },
      refund.userId,
      {
        with: [
          refundUpdate(ctx.db.tableName, refund, { state: 'succeeded', refundId, nextAttemptAt: null, lastError: null }, now, refund.state),
          // The member hears the refund arrived (subscribe message), committed with the success itself.
          outboxPut(ctx.db.tableName, {
            campaignId: refund.campaignId,
            eventId: `refund-${refund.outRefundNo}`,
            event: 'refund-arrived',
            at: now,
            userId: refund.userId,
            amount: refund.amount,
          }),
        ],
      },
    );
    if (outcome.applied || outcome.reason === 'duplicate') {
      await countRefund(ctx, refund);
      return;
    }
    const fresh = await getRefund(ctx.db, refund.campaignId, refund.outRefundNo);
    if (!fresh) return;
    refund = fresh;
  }
  throw new ConflictError('The refund kept changing; WeChat Pay will report it again');
}

/**
 * The member book and numbers count refunds of a settled community campaign's entries, once each
 * (by out_refund_no; a repeated report adds nothing). Settlement refunds (purpose `settle`: 退差价, a
 * failed group) are left out: the folded amount is already the final one, and a failed group bought nothing.
 * A crash before this line is not repaired (the refund stays in the money ledger, uncounted here).
 */
async function countRefund(ctx: PaymentsContext, refund: RefundRecord): Promise<void> {
  if (refund.purpose === 'settle') return;
  await recordRefund(ctx.db, refund.campaignId, refund.entryId, refund.amount, refund.outRefundNo, refund.purpose);
}

/**
 * A failed attempt: `refund_failed` in the ledger with the reason, and the next try scheduled with
 * backoff. `final` (or too many attempts): no more automatic tries; the leader sees it, and its
 * amount stops counting as on its way back.
 */
async function refundFailed(ctx: PaymentsContext, refund: RefundRecord, reason: string, final: boolean): Promise<void> {
  const now = ctx.db.clock.now();
  const attempts = refund.attempts + 1;
  const givenUp = final || (refund.state !== 'processing' && attempts >= (refund.attemptsLimit ?? MAX_REFUND_ATTEMPTS));
  const nextAttemptAt = givenUp ? null : new Date(now.getTime() + refundRetryDelayMs(attempts)).toISOString();
  ctx.logger.warn('refund failed', {
    campaignId: refund.campaignId,
    entryId: refund.entryId,
    outRefundNo: refund.outRefundNo,
    attempts,
    givenUp,
    reason,
    // Given up (ABNORMAL, or out of attempts): money someone must now pay out by hand. Alarmed on (infra).
    ...(givenUp ? { alarm: 'REFUND_GIVEN_UP' } : {}),
  });
  await applyMoneyEvent(
    ctx.db,
    {
      campaignId: refund.campaignId,
      entryId: refund.entryId,
      seq: refund.seq,
      event: 'refund_failed',
      amount: refund.amount,
      ref: `refund_failed#${refund.outRefundNo}#${attempts}`,
      actor: 'system',
      at: now.toISOString(),
      reason,
      ...(givenUp ? { final: true } : {}),
    },
    refund.userId,
    {
      with: [
        refundUpdate(
          ctx.db.tableName,
          refund,
          { state: givenUp ? 'failed' : refund.state, attempts, lastError: reason, nextAttemptAt },
          now.toISOString(),
        ),
      ],
    },
  );
}

async function send(ctx: PaymentsContext, items: TransactItem[]): Promise<void> {
  try {
    await ctx.db.doc.send(new TransactWriteCommand({ TransactItems: items }));
  } catch (err) {
    // A refund that already succeeded is left alone (its condition): a late report changes nothing.
    if (cancelledTransaction(err)?.reasons.some((r) => r.code === 'ConditionalCheckFailed')) return;
    throw err;
  }
}

function refundReason(refund: RefundRecord): string {
  if (refund.purpose === 'settle') return '团购结算退差价';
  if (refund.purpose.startsWith('cancel')) return '取消接龙退款';
  if (refund.purpose.startsWith('reduce')) return '减少数量退款';
  if (refund.purpose === 'calloff') return '团购已取消，全额退款';
  if (refund.purpose === 'shortage') return '缺货退款';
  if (refund.purpose.startsWith('aftersale')) return '售后退款';
  return '退款';
}

function describe(err: unknown): string {
  if (err instanceof WechatPayError)
    return `${String((err.details as { wechatCode?: string } | undefined)?.wechatCode ?? 'ERROR')}: ${err.message}`.slice(0, 300);
  if (err instanceof Error) return err.message.slice(0, 300);
  return String(err).slice(0, 300);
}
