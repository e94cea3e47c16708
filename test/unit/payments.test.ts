import { describe, expect, it } from 'vitest';
import { paymentLine } from '../../shared/domain/payment-view.js';
import { balanceOf, baseAmount, type LedgerEvent, ledgerTotals, paymentState, refundOwed } from '../../shared/domain/payments.js';
import type { SettlementSummary } from '../../shared/domain/settlement.js';
import { holdEnd } from '../../shared/money/entry-money.js';
import { effectOf } from '../../shared/money/ledger.js';
import { outRefundNoFor, outTradeNoFor } from '../../shared/money/orders.js';
import { refundRetryDelayMs } from '../../shared/money/refunds.js';
import { definition, item } from './fixtures.js';

const def = definition({
  items: [item({ id: 'g', unitPrice: 3990, tiers: [{ threshold: 3, unitPrice: 3590 }] }), item({ id: 'e', unitPrice: 1290 })],
});
const ev = (event: LedgerEvent['event'], amount: number, extra: Partial<LedgerEvent> = {}): LedgerEvent => ({
  campaignId: 'c1',
  entryId: 'e1',
  seq: 1,
  event,
  amount,
  ref: `${event}#${amount}`,
  actor: 'x',
  at: '2026-12-01T00:00:00.000Z',
  ...extra,
});

describe('money rules (pure)', () => {
  it('base amount is the items at their base price', () => {
    expect(
      baseAmount(def, [
        { itemId: 'g', qty: 2 },
        { itemId: 'e', qty: 1 },
      ]),
    ).toBe(2 * 3990 + 1290);
    expect(baseAmount(def, [])).toBe(0);
  });

  it('only paid, refunded and offline marks move money in the ledger', () => {
    const events = [
      ev('prepay_created', 7980),
      ev('paid', 7980),
      ev('refund_requested', 800),
      ev('refund_failed', 800),
      ev('refunded', 800),
      ev('offline_marked', -100),
    ];
    expect(ledgerTotals(events)).toEqual({ paid: 7880, refunded: 800 });
  });

  it('refunding: requested adds, refunded and given-up failures take away, a failure to be retried does not', () => {
    expect(effectOf(ev('refund_requested', 800)).refunding).toBe(800);
    expect(effectOf(ev('refunded', 800))).toEqual({ paid: 0, refunded: 800, refunding: -800 });
    expect(effectOf(ev('refund_failed', 800)).refunding).toBe(0);
    expect(effectOf(ev('refund_failed', 800, { final: true })).refunding).toBe(-800);
  });

  it('balance, refund owed and payment state', () => {
    expect(balanceOf(7180, { paid: 7980, refunded: 0 })).toBe(-800);
    expect(refundOwed(7180, { paid: 7980, refunded: 0 })).toBe(800);
    expect(refundOwed(0, { paid: 7980, refunded: 800 })).toBe(7180);
    expect(refundOwed(8000, { paid: 7980, refunded: 0 })).toBe(0);
    expect(paymentState(3990, { paid: 0, refunded: 0 })).toBe('unpaid');
    expect(paymentState(3990, { paid: 1000, refunded: 0 })).toBe('partial');
    expect(paymentState(3990, { paid: 3990, refunded: 0 })).toBe('paid');
    expect(paymentState(3590, { paid: 3990, refunded: 0 })).toBe('overpaid');
    expect(paymentState(0, { paid: 0, refunded: 0 })).toBe('paid');
  });

  it('payment line: an estimate before settling, the settled amount after, 0 when cancelled or failed', () => {
    const entry = {
      id: 'e1',
      campaignId: 'c1',
      seq: 1,
      userId: 'u',
      nickname: '王',
      items: [{ itemId: 'g', qty: 3 }],
      note: null,
      pickupPointId: null,
      phone: null,
      status: 'active' as const,
      createdAt: '',
      updatedAt: '',
      version: 1,
    };
    const money = { paid: 11970, refunded: 0 };
    expect(paymentLine(def, entry, null, money)).toMatchObject({ amountDue: 11970, estimated: true, balance: 0, state: 'paid' });
    const settled: SettlementSummary = {
      campaignId: 'c1',
      status: 'settled',
      settledAt: '',
      total: 10770,
      entryCount: 1,
      items: [{ itemId: 'g', name: 'g', spec: null, quantity: 3, finalUnitPrice: 3590, amount: 10770 }],
    };
    expect(paymentLine(def, entry, settled, money)).toMatchObject({
      amountDue: 10770,
      estimated: false,
      balance: -1200,
      state: 'overpaid',
    });
    expect(paymentLine(def, entry, { ...settled, status: 'failed' }, money)).toMatchObject({ amountDue: 0, balance: -11970 });
    expect(paymentLine(def, { ...entry, status: 'cancelled' }, null, money)).toMatchObject({
      amountDue: 0,
      estimated: false,
      balance: -11970,
    });
  });

  it('order and refund numbers: derived (the same inputs give the same number), 32 chars WeChat accepts, distinct per input', () => {
    const a = outTradeNoFor('c1', 'e1_x', 1);
    expect(a).toBe(outTradeNoFor('c1', 'e1_x', 1));
    expect(a).toMatch(/^[0-9A-Z]{32}$/);
    expect(new Set([a, outTradeNoFor('c1', 'e1_x', 2), outTradeNoFor('c2', 'e1_x', 1), outTradeNoFor('c1', 'e2_x', 1)]).size).toBe(4);
    const r = outRefundNoFor('c1', 'e1_x', a, 'settle');
    expect(r).toMatch(/^R[0-9A-F]{31}$/);
    expect(r).not.toBe(outRefundNoFor('c1', 'e1_x', a, 'cancel#3'));
  });

  it('refund retries back off 1, 2, 4 … minutes up to 6 hours; holds never outlast the deadline', () => {
    expect([1, 2, 3, 4].map(refundRetryDelayMs)).toEqual([60_000, 120_000, 240_000, 480_000]);
    expect(refundRetryDelayMs(20)).toBe(6 * 3_600_000);
    const d = definition({ closesAt: '2026-12-01T00:10:00.000Z', paymentHoldMinutes: 15 });
    expect(holdEnd(d, new Date('2026-12-01T00:00:00.000Z')).toISOString()).toBe('2026-12-01T00:10:00.000Z');
    expect(holdEnd({ ...d, closesAt: '2026-12-02T00:00:00.000Z' }, new Date('2026-12-01T00:00:00.000Z')).toISOString()).toBe(
      '2026-12-01T00:15:00.000Z',
    );
  });
});
