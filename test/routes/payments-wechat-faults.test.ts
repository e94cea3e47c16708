import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireEntry } from '../../shared/entries/lookup.js';
import { FaultInjector } from '../helpers/faults.js';
import { T0 } from '../helpers/harness.js';
import { expectLedgerBalances, type PayHarness, payHarness } from '../helpers/wechatpay-harness.js';

/** The money paths when DynamoDB fails under them, when WeChat says odd things, and per-user limits. */
let h: PayHarness;
const faults = new FaultInjector();
let leader: { token: string };
let k = 0;

beforeAll(async () => {
  h = await payHarness({
    faults,
    rateLimits: { join: { limit: 0, windowSeconds: 60 }, login: { limit: 0, windowSeconds: 60 }, payment: { limit: 3, windowSeconds: 60 } },
  });
  leader = await h.login('wxf-leader', '团长');
});
afterAll(async () => h?.close());

async function heldEntry() {
  h.clock.set(T0);
  const c = await h.createCampaign(leader.token, {
    minParticipants: 1,
    paymentMode: 'wechatpay',
    items: [{ name: '阳光玫瑰', unitPrice: 3990, stock: 10 }],
  });
  const m = await h.login(`wxf-${k++}`, '成员');
  const res = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
  expect(res.status).toBe(201);
  return { c, m, entry: res.body };
}

const isPaymentTransaction = (input: Record<string, any>) => JSON.stringify(input).includes('"paid#');

describe('payment notifications when DynamoDB fails', () => {
  it('recording fails: WeChat Pay hears 500 and redelivers; the payment then counts once', async () => {
    const { c, entry } = await heldEntry();
    faults.add('TransactWriteItemsCommand', 'error', 20, isPaymentTransaction);
    await h.fake.pay(entry.payment.outTradeNo);
    faults.clear();
    const notification = h.fake.notifications.at(-1)!;
    expect(notification.attempts.at(-1)?.status).toBe(500);
    expect((await requireEntry(h.db, c.id, entry.id)).status).toBe('pending_payment');
    await h.fake.deliverPending();
    expect(notification.attempts.at(-1)?.status).toBe(204);
    expect((await requireEntry(h.db, c.id, entry.id)).status).toBe('active');
    const events = await expectLedgerBalances(h, c.id);
    expect(events.filter((e) => e.event === 'paid')).toHaveLength(1);
  });

  it('the response is lost after the payment committed: the SDK retry finds it recorded, counted once', async () => {
    const { c, entry } = await heldEntry();
    faults.add('TransactWriteItemsCommand', 'lost', 1, isPaymentTransaction);
    await h.fake.pay(entry.payment.outTradeNo);
    faults.clear();
    expect(h.fake.notifications.at(-1)!.attempts.at(-1)?.status).toBe(204);
    expect((await requireEntry(h.db, c.id, entry.id)).status).toBe('active');
    const events = await expectLedgerBalances(h, c.id);
    expect(events.filter((e) => e.event === 'paid')).toHaveLength(1);
    expect((await h.call('GET', `/campaigns/${c.id}/payments`, { token: leader.token })).body.totals).toMatchObject({
      paid: 3990,
      entries: 1,
    });
  });
});

describe('odd answers from WeChat Pay', () => {
  it('an authentic notification of an event we do not handle is acknowledged and changes nothing', async () => {
    const { c, entry } = await heldEntry();
    const resource = { ...h.fake.transactionResource(entry.payment.outTradeNo), trade_state: 'CLOSED' };
    const closed = h.fake.buildNotification('TRANSACTION.SUCCESS', resource);
    const body = closed.body.replace('"TRANSACTION.SUCCESS"', '"TRANSACTION.CLOSED"');
    const res = await h.app.request('/payments/wechat/notify', { method: 'POST', headers: h.fake.signNotification(body), body });
    expect(res.status).toBe(204);
    expect((await requireEntry(h.db, c.id, entry.id)).status).toBe('pending_payment');
  });

  it('a member paying right now (USERPAYING) keeps the hold past its end: the order is not closed under them', async () => {
    const { c, entry } = await heldEntry();
    h.fake.orders.get(entry.payment.outTradeNo)!.tradeState = 'USERPAYING';
    h.clock.advance(15 * 60_000 + 1000);
    await h.sweep();
    expect((await requireEntry(h.db, c.id, entry.id)).status).toBe('pending_payment');
    expect(h.fake.orders.get(entry.payment.outTradeNo)!.tradeState).toBe('USERPAYING');
    // Payment goes through; the next sweep counts it.
    h.fake.orders.get(entry.payment.outTradeNo)!.tradeState = 'NOTPAY';
    await h.fake.pay(entry.payment.outTradeNo, { notify: false, at: new Date(Date.parse(entry.holdUntil) - 1000) });
    await h.sweep();
    expect((await requireEntry(h.db, c.id, entry.id)).status).toBe('active');
  });
});

describe('WeChat Pay unreachable when an entry is cancelled', () => {
  it('a paid entry: the cancel is saved, its refund waits with the reason and goes through on a later sweep', async () => {
    const { c, m, entry } = await heldEntry();
    await h.fake.pay(entry.payment.outTradeNo);
    h.fake.misbehaveNext('http-500', 1);
    const res = await h.call('DELETE', `/campaigns/${c.id}/entries/${entry.id}`, { token: m.token });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
    let [refund] = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    expect(refund).toMatchObject({ amount: 3990, state: 'pending', attempts: 1 });
    expect(refund.lastError).toMatch(/500/);
    h.clock.advance(61_000);
    await h.sweep();
    await h.fake.settleRefunds();
    await h.fake.idle();
    [refund] = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    expect(refund.state).toBe('succeeded');
    await expectLedgerBalances(h, c.id, new Map([[entry.id, 0]]));
  });

  it('a held entry: the cancel is saved and says WeChat Pay could not be asked (paymentError)', async () => {
    const { c, m, entry } = await heldEntry();
    h.fake.misbehaveNext('http-500', 1);
    const res = await h.call('DELETE', `/campaigns/${c.id}/entries/${entry.id}`, { token: m.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'cancelled', paymentError: { code: 'SERVICE_UNAVAILABLE' } });
    expect((await requireEntry(h.db, c.id, entry.id)).status).toBe('cancelled');
    // A payment that still gets through is refunded in full.
    await h.fake.pay(entry.payment.outTradeNo);
    const refunds = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    expect(refunds.map((r: any) => [r.amount, r.purpose.split('#')[0]])).toEqual([[3990, 'late']]);
    // Leave no refund in flight for the tests after this one (the sweep looks at every campaign).
    await h.fake.settleRefunds();
    await h.fake.idle();
    expect((await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds[0].state).toBe('succeeded');
  });
});

describe('refund status checks', () => {
  it('a refund WeChat is processing stays on its way back when a status check fails, and counts once it succeeds', async () => {
    const { c, entry } = await heldEntry();
    await h.fake.pay(entry.payment.outTradeNo);
    expect((await h.call('DELETE', `/campaigns/${c.id}/entries/${entry.id}`, { token: leader.token })).status).toBe(200);
    let [refund] = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    expect(refund).toMatchObject({ state: 'processing', amount: 3990 });
    for (let i = 0; i < 10; i++) {
      h.fake.misbehaveNext('garbage', 1);
      h.clock.advance(7 * 3_600_000);
      await h.sweep();
    }
    [refund] = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    expect(refund).toMatchObject({ state: 'processing', attempts: 10 });
    expect(refund.nextAttemptAt).not.toBeNull();
    await h.fake.settleRefunds();
    await h.fake.idle();
    [refund] = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    expect(refund.state).toBe('succeeded');
    await expectLedgerBalances(h, c.id, new Map([[entry.id, 0]]));
  });
});

describe('per-user limit on WeChat Pay calls', () => {
  it('prepay and sync share a per-minute limit: then 429 RATE_LIMITED with Retry-After', async () => {
    const { c, m, entry } = await heldEntry();
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const path = i % 2 === 0 ? 'prepay' : 'sync';
      statuses.push((await h.call('POST', `/campaigns/${c.id}/entries/${entry.id}/payment/${path}`, { token: m.token })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await h.call('POST', `/campaigns/${c.id}/entries/${entry.id}/payment/prepay`, { token: m.token });
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
