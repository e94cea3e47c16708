import { describe, expect, it } from 'vitest';
import { disabledMoney } from '../../shared/money/money.js';
import { definition, item } from './fixtures.js';

// Without WeChat Pay the server gives the answers it always gave: these are the ones routes relied on.
const prepaid = definition({ paymentMode: 'wechatpay', items: [item({ id: 'g', unitPrice: 3990 })] });
const offline = definition({ paymentMode: 'offline', items: [item({ id: 'g', unitPrice: 3990 })] });

function errorOf(work: () => unknown): { status: number; code: string; message: string } {
  try {
    work();
  } catch (err) {
    return err as { status: number; code: string; message: string };
  }
  throw new Error('expected a throw');
}

describe('disabledMoney', () => {
  it('refuses prepaid campaigns at create, with the field message of old', () => {
    expect(disabledMoney.refusesPaymentMode('wechatpay')).toBe(
      'WeChat Pay is not configured on this server: only offline campaigns can be created',
    );
    expect(disabledMoney.refusesPaymentMode('offline')).toBeNull();
  });

  it('joins: nothing to pay offline or for free (no promise), 503 for a prepaid one', () => {
    expect(disabledMoney.payerForJoin(offline, [{ itemId: 'g', qty: 1 }], 'u1')).toBeNull();
    expect(disabledMoney.payerForJoin(prepaid, [], 'u1')).toBeNull();
    const err = errorOf(() => disabledMoney.payerForJoin(prepaid, [{ itemId: 'g', qty: 1 }], 'u1'));
    expect([err.status, err.code, err.message]).toEqual([
      503,
      'SERVICE_UNAVAILABLE',
      'WeChat Pay is not configured on this server; prepaid campaigns cannot be joined',
    ]);
  });

  it('order routes: 409 for an offline campaign, then 503 for a prepaid one', () => {
    expect(errorOf(() => disabledMoney.requirePrepaid(offline))).toMatchObject({
      status: 409,
      code: 'INVALID_STATE',
      message: 'This campaign is paid offline: there is no WeChat Pay order',
    });
    expect(errorOf(() => disabledMoney.requirePrepaid(prepaid))).toMatchObject({
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: 'WeChat Pay is not configured on this server',
    });
  });

  it('changes and settlement: nothing to do, nothing reported', async () => {
    expect(disabledMoney.wechatPay).toBeNull();
    expect(await disabledMoney.refundAfterChange(prepaid, {} as never)).toEqual({});
    expect(await disabledMoney.raiseWithTopUp({} as never, 'e1', 'u1', { items: [] })).toBeNull();
  });

  it('deadline work for money: a unit that arrives anyway fails loudly (to the dead-letter queue), never silently', async () => {
    for (const work of [
      () => disabledMoney.endDueHold('c1', 'e1'),
      () => disabledMoney.continueRefundPlan('c1'),
      () => disabledMoney.retryDueRefund('c1', 'r1'),
    ])
      await expect(work()).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});
