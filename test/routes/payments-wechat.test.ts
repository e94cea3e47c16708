import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireCampaign } from '../../shared/campaigns/campaigns.js';
import { expireHeldEntry } from '../../shared/entries/holds.js';
import { requireEntry } from '../../shared/entries/lookup.js';
import { requestRefund } from '../../shared/money/refunds.js';
import { afterSettlement } from '../../shared/money/settlement-refunds.js';
import { settleCampaign } from '../../shared/settlement/settle.js';
import { T0 } from '../helpers/harness.js';
import { expectLedgerBalances, expectValidPaySign, type PayHarness, payHarness } from '../helpers/wechatpay-harness.js';

let h: PayHarness;
let leader: { token: string; userId: string };
let k = 0;

beforeAll(async () => {
  h = await payHarness();
  leader = await h.login('wxp-leader', '团长老王');
});
afterAll(async () => h?.close());

/** 3990 a unit, 3590 from 3 units; prepaid with a 15-minute hold. */
async function prepaidCampaign(overrides: Record<string, unknown> = {}) {
  h.clock.set(T0);
  return h.createCampaign(leader.token, {
    minParticipants: 1,
    paymentMode: 'wechatpay',
    items: [{ name: '阳光玫瑰', unitPrice: 3990, stock: 10, tiers: [{ threshold: 3, unitPrice: 3590 }] }],
    ...overrides,
  });
}

async function member() {
  return h.login(`wxp-m-${k++}`, `成员${k}`);
}

async function joinAndPay(c: { id: string }, qty: number) {
  const m = await member();
  const res = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty }] } });
  expect(res.status).toBe(201);
  await h.fake.pay(res.body.payment.outTradeNo);
  return { ...m, entry: res.body };
}

const entryStatus = async (c: { id: string }, entryId: string) => (await requireEntry(h.db, c.id, entryId)).status;
const remaining = async (c: { id: string }) => (await h.call('GET', `/campaigns/${c.id}`)).body.items[0].remaining;

describe('prepaid join (WeChat Pay JSAPI)', () => {
  it('holds the stock as pending_payment with signed wx.requestPayment parameters; the notification makes it active, once', async () => {
    const c = await prepaidCampaign();
    expect(c.paymentMode).toBe('wechatpay');
    const m = await member();
    const res = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 2 }] } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ seq: 1, status: 'pending_payment', holdUntil: '2026-12-01T00:15:00.000Z' });
    expect(res.body.payment).toMatchObject({ amount: 7980, kind: 'join', state: 'created', expiresAt: '2026-12-01T00:15:00.000Z' });
    expectValidPaySign(h.fake, res.body.payment.requestPayment);
    expect(res.body.payment.requestPayment.package).toMatch(/^prepay_id=wx/);
    // The order at WeChat: base price × qty, for this member, expiring with the hold.
    const order = h.fake.orders.get(res.body.payment.outTradeNo)!;
    expect(order).toMatchObject({ amountFen: 7980 });
    expect(await remaining(c)).toBe(8);

    await h.fake.pay(res.body.payment.outTradeNo);
    expect(await entryStatus(c, res.body.id)).toBe('active');
    const line = await h.call('GET', `/campaigns/${c.id}/entries/${res.body.id}/payment`, { token: m.token });
    expect(line.body).toMatchObject({ paid: 7980, refunded: 0, amountDue: 7980, balance: 0, state: 'paid' });

    // WeChat retries the same notification: acknowledged, nothing counted twice.
    const sent = h.fake.notifications.at(-1)!;
    expect(sent.delivered).toBe(true);
    for (let i = 0; i < 3; i++) {
      const again = await h.app.request('/payments/wechat/notify', {
        method: 'POST',
        headers: h.fake.signNotification(sent.body),
        body: sent.body,
      });
      expect(again.status).toBe(204);
    }
    const events = await expectLedgerBalances(h, c.id);
    expect(events.filter((e) => e.event === 'paid')).toHaveLength(1);
    expect(events.map((e) => e.event).sort()).toEqual(['paid', 'prepay_created']);
  });

  it('a retried join (same Idempotency-Key) gets the same entry and the same order', async () => {
    const c = await prepaidCampaign();
    const m = await member();
    const body = { items: [{ itemId: 'i1', qty: 1 }] };
    const first = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body, headers: { 'idempotency-key': 'k1' } });
    const again = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body, headers: { 'idempotency-key': 'k1' } });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.payment.outTradeNo).toBe(first.body.payment.outTradeNo);
    expect(again.body.payment.requestPayment.package).toBe(first.body.payment.requestPayment.package);
    const prepay = await h.call('POST', `/campaigns/${c.id}/entries/${first.body.id}/payment/prepay`, { token: m.token });
    expect(prepay.status).toBe(200);
    expect(prepay.body.outTradeNo).toBe(first.body.payment.outTradeNo);
  });

  it('refuses forged, stale and tampered notifications without recording anything', async () => {
    const c = await prepaidCampaign();
    const m = await member();
    const res = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    const no = res.body.payment.outTradeNo;
    // A payment the fake never took: forge its resource as if it had.
    const resource = {
      ...h.fake.transactionResource(no),
      trade_state: 'SUCCESS',
      transaction_id: '4200000000000000000000000001',
      success_time: T0,
    };
    const genuine = h.fake.buildNotification('TRANSACTION.SUCCESS', resource);
    const post = (headers: Record<string, string>, body: string) =>
      h.app.request('/payments/wechat/notify', { method: 'POST', headers, body });

    const { generateKeyPairSync } = await import('node:crypto');
    const impostor = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const forged = h.fake.buildNotification('TRANSACTION.SUCCESS', resource, { key: impostor });
    const forgedRes = await post(forged.headers, forged.body);
    expect(forgedRes.status).toBe(401);
    expect(await forgedRes.json()).toMatchObject({ code: 'FAIL' });

    const stale = h.fake.buildNotification('TRANSACTION.SUCCESS', resource, {
      timestamp: Math.floor(h.clock.now().getTime() / 1000) - 600,
    });
    expect((await post(stale.headers, stale.body)).status).toBe(401);

    const envelope = JSON.parse(genuine.body);
    const flipped = Buffer.from(envelope.resource.ciphertext, 'base64');
    flipped[3] = flipped[3]! ^ 1;
    const tamperedBody = JSON.stringify({ ...envelope, resource: { ...envelope.resource, ciphertext: flipped.toString('base64') } });
    const tampered = h.fake.signNotification(tamperedBody);
    expect((await post(tampered, tamperedBody)).status).toBe(400);

    // The body signed for one message does not cover another.
    expect((await post(genuine.headers, genuine.body.replace('"id"', '"id" '))).status).toBe(401);
    expect(await entryStatus(c, res.body.id)).toBe('pending_payment');
    expect((await expectLedgerBalances(h, c.id)).filter((e) => e.event === 'paid')).toHaveLength(0);
  });

  it('a lost notification: the member app asks (sync), and the sweep asks before expiring a hold', async () => {
    const c = await prepaidCampaign();
    const a = await member();
    const ra = await h.call('POST', `/campaigns/${c.id}/entries`, { token: a.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    await h.fake.pay(ra.body.payment.outTradeNo, { notify: false });
    expect(await entryStatus(c, ra.body.id)).toBe('pending_payment');
    const synced = await h.call('POST', `/campaigns/${c.id}/entries/${ra.body.id}/payment/sync`, { token: a.token });
    expect(synced.status).toBe(200);
    expect(synced.body).toMatchObject({ paid: 3990, state: 'paid', entryStatus: 'active' });

    const b = await member();
    const rb = await h.call('POST', `/campaigns/${c.id}/entries`, { token: b.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    await h.fake.pay(rb.body.payment.outTradeNo, { notify: false });
    h.clock.advance(16 * 60_000);
    const report = await h.sweep();
    expect(report.payments?.holdsEnded).toBeGreaterThanOrEqual(1);
    expect(await entryStatus(c, rb.body.id)).toBe('active');
  });

  it('an unpaid hold expires: units back on sale, the number stays (expired), the order is closed; the member may join again', async () => {
    const c = await prepaidCampaign({ items: [{ name: '阳光玫瑰', unitPrice: 3990, stock: 2 }] });
    const a = await member();
    const ra = await h.call('POST', `/campaigns/${c.id}/entries`, { token: a.token, body: { items: [{ itemId: 'i1', qty: 2 }] } });
    expect(await remaining(c)).toBe(0);
    const b = await member();
    expect(
      (await h.call('POST', `/campaigns/${c.id}/entries`, { token: b.token, body: { items: [{ itemId: 'i1', qty: 1 }] } })).body.error.code,
    ).toBe('SOLD_OUT');
    h.clock.advance(15 * 60_000 + 1000);
    await h.sweep();
    expect(await entryStatus(c, ra.body.id)).toBe('expired');
    expect(h.fake.orders.get(ra.body.payment.outTradeNo)!.tradeState).toBe('CLOSED');
    expect(await remaining(c)).toBe(2);
    const list = await h.call('GET', `/campaigns/${c.id}/entries`);
    expect(list.body.entries.map((e: any) => [e.seq, e.status])).toEqual([[1, 'expired']]);
    // Both may join now; numbers continue, never reused.
    const rb = await h.call('POST', `/campaigns/${c.id}/entries`, { token: b.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    expect(rb.body.seq).toBe(2);
    const ra2 = await h.call('POST', `/campaigns/${c.id}/entries`, { token: a.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    expect(ra2.body.seq).toBe(3);
  });

  it('household entries: a late payment revives the entry in its own slot, unless that slot was joined again', async () => {
    const c = await prepaidCampaign({ maxEntriesPerUser: 2 });
    const { def } = await requireCampaign(h.db, c.id);
    const joiner = async () => {
      const m = await member();
      const join = () => h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
      const [first, second] = [await join(), await join()]; // slots 0 and 1
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(await expireHeldEntry(h.db, def, await requireEntry(h.db, c.id, second.body.id))).toBe(true);
      return { join, second };
    };
    // Slot 1 is free again while slot 0 still holds the first entry: the late payment takes slot 1 back.
    const a = await joiner();
    await h.fake.pay(a.second.body.payment.outTradeNo);
    expect(await entryStatus(c, a.second.body.id)).toBe('active');
    expect((await a.join()).body.error.code).toBe('ALREADY_JOINED');
    // Slot 1 joined again meanwhile: the late payment is refunded instead.
    const b = await joiner();
    expect((await b.join()).status).toBe(201);
    await h.fake.pay(b.second.body.payment.outTradeNo);
    expect(await entryStatus(c, b.second.body.id)).toBe('expired');
    const refunds = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    expect(refunds.map((r: any) => [r.seq, r.purpose.split('#')[0]])).toEqual([[b.second.body.seq, 'late']]);
  });

  it('a payment after the hold expired: revived while the stock is there, refunded in full when it is gone', async () => {
    const c = await prepaidCampaign({ items: [{ name: '阳光玫瑰', unitPrice: 3990, stock: 2 }] });
    const { def } = await requireCampaign(h.db, c.id);
    const a = await member();
    const ra = await h.call('POST', `/campaigns/${c.id}/entries`, { token: a.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    const b = await member();
    const rb = await h.call('POST', `/campaigns/${c.id}/entries`, { token: b.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    // Both holds end (as the sweep would, right after its query found them unpaid) …
    expect(await expireHeldEntry(h.db, def, await requireEntry(h.db, c.id, ra.body.id))).toBe(true);
    expect(await expireHeldEntry(h.db, def, await requireEntry(h.db, c.id, rb.body.id))).toBe(true);
    // … and a third member takes one of the two units.
    const d = await joinAndPay(c, 1);
    expect(await entryStatus(c, d.entry.id)).toBe('active');

    // A's payment lands now: one unit is left, so A is revived.
    await h.fake.pay(ra.body.payment.outTradeNo);
    expect(await entryStatus(c, ra.body.id)).toBe('active');
    expect(await remaining(c)).toBe(0);
    // B's payment lands too: nothing left, so B is refunded in full and stays expired.
    await h.fake.pay(rb.body.payment.outTradeNo);
    expect(await entryStatus(c, rb.body.id)).toBe('expired');
    const refunds = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    expect(refunds.map((r: any) => [r.seq, r.amount, r.purpose.split('#')[0], r.state])).toEqual([[2, 3990, 'late', 'processing']]);
    await h.fake.settleRefunds();
    await h.fake.idle();
    const line = await h.call('GET', `/campaigns/${c.id}/entries/${rb.body.id}/payment`, { token: b.token });
    expect(line.body).toMatchObject({ paid: 3990, refunded: 3990, amountDue: 0, balance: 0 });
    await expectLedgerBalances(
      h,
      c.id,
      new Map([
        [ra.body.id, 3990],
        [rb.body.id, 0],
        [d.entry.id, 3990],
      ]),
    );
  });

  it('a payment of another amount than the order is not accepted: recorded, refunded in full, the hold left to expire, alarmed', async () => {
    const c = await prepaidCampaign();
    const m = await member();
    const res = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    const alarms: Array<Record<string, unknown> | undefined> = [];
    const logError = h.deps.logger.error;
    h.deps.logger.error = (msg, fields) => {
      if (fields?.alarm) alarms.push(fields);
      logError(msg, fields);
    };
    try {
      await h.fake.pay(res.body.payment.outTradeNo, { totalFen: 100 }); // ordered 3990
      expect(h.fake.notifications.at(-1)!.attempts.at(-1)?.status).toBe(204);
      expect(await entryStatus(c, res.body.id)).toBe('pending_payment');
      const refunds = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
      expect(refunds.map((r: any) => [r.amount, r.purpose.split('#')[0]])).toEqual([[100, 'mismatch']]);
      // The same notification again (WeChat redelivers) changes nothing: no second refund or alarm, still held.
      const { body } = h.fake.notifications.at(-1)!;
      const again = await h.app.request('/payments/wechat/notify', { method: 'POST', headers: h.fake.signNotification(body), body });
      expect(again.status).toBe(204);
      expect(await entryStatus(c, res.body.id)).toBe('pending_payment');
    } finally {
      h.deps.logger.error = logError;
    }
    expect(alarms).toEqual([
      expect.objectContaining({ alarm: 'PAYMENT_AMOUNT_MISMATCH', outTradeNo: res.body.payment.outTradeNo, ordered: 3990, paid: 100 }),
    ]);
    await h.fake.settleRefunds();
    await h.fake.idle();
    expect(
      [...h.fake.refunds.values()].filter((r) => r.outTradeNo === res.body.payment.outTradeNo).map((r) => [r.refundFen, r.status]),
    ).toEqual([[100, 'SUCCESS']]);
    // The hold ends as an unpaid one would: expired, its unit back on sale.
    h.clock.advance(15 * 60_000 + 1000);
    await h.sweep();
    expect(await entryStatus(c, res.body.id)).toBe('expired');
    expect(await remaining(c)).toBe(10);
    await expectLedgerBalances(h, c.id, new Map([[res.body.id, 0]]));
  });
});

describe('holds at the deadline', () => {
  it('a hold never outlasts the deadline; a payment made just before it with a lost notification is counted, not refunded', async () => {
    const c = await prepaidCampaign({ closesAt: '2026-12-01T01:00:00.000Z' });
    h.clock.set('2026-12-01T00:50:00.000Z');
    const m = await member();
    const res = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    expect(res.body.holdUntil).toBe('2026-12-01T01:00:00.000Z');
    h.clock.set('2026-12-01T00:59:30.000Z');
    await h.fake.pay(res.body.payment.outTradeNo, { notify: false });
    h.clock.set('2026-12-01T01:00:01.000Z');
    const report = await h.sweep();
    expect(report.settled).toContain(c.id);
    expect(await entryStatus(c, res.body.id)).toBe('active');
    const settlement = (await h.call('GET', `/campaigns/${c.id}/settlement`, { token: leader.token })).body;
    expect(settlement).toMatchObject({ status: 'settled', entryCount: 1, total: 3990 });
    expect((await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds).toEqual([]);
  });

  it('a leader who settles while holds are open ends them: unpaid ones expire and their orders close', async () => {
    const c = await prepaidCampaign();
    const paid = await joinAndPay(c, 1);
    const m = await member();
    const held = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    expect((await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token })).status).toBe(200);
    expect((await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token })).body.entryCount).toBe(1);
    expect(await entryStatus(c, held.body.id)).toBe('expired');
    expect(h.fake.orders.get(held.body.payment.outTradeNo)!.tradeState).toBe('CLOSED');
    expect(await entryStatus(c, paid.entry.id)).toBe('active');
  });
});

describe('refunds', () => {
  it('退差价 at settlement: everyone paid the base price and gets the tier difference back; settling again refunds nothing more', async () => {
    const c = await prepaidCampaign();
    const members = [await joinAndPay(c, 1), await joinAndPay(c, 1), await joinAndPay(c, 2)];
    h.clock.set('2026-12-04T00:00:00.000Z');
    const settled = await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token });
    expect(settled.status).toBe(200);
    expect(settled.body.items[0].finalUnitPrice).toBe(3590);
    const refunds = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    expect(refunds.map((r: any) => [r.seq, r.amount, r.purpose])).toEqual([
      [1, 400, 'settle'],
      [2, 400, 'settle'],
      [3, 800, 'settle'],
    ]);
    // WeChat answers PROCESSING, then notifies success.
    await h.fake.settleRefunds();
    await h.fake.idle();
    expect((await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token })).status).toBe(200);
    await h.sweep();
    expect((await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds.map((r: any) => r.state)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    expect(h.fake.refunds.size).toBeGreaterThanOrEqual(3);
    const view = await h.call('GET', `/campaigns/${c.id}/payments`, { token: leader.token });
    expect(view.body.totals).toMatchObject({ amountDue: 14360, paid: 15960, refunded: 1600, balance: 0, toCollect: 0, toRefund: 0 });
    await expectLedgerBalances(h, c.id, new Map(members.map((m, i) => [m.entry.id, i === 2 ? 7180 : 3590])));
  });

  it('a settle request that runs out of time leaves the rest of the refunds to the sweep', async () => {
    const c = await prepaidCampaign();
    const members = [await joinAndPay(c, 1), await joinAndPay(c, 1), await joinAndPay(c, 1)];
    h.clock.set('2026-12-04T00:00:00.000Z');
    const summary = await settleCampaign(h.db, c.id);
    const { def } = await requireCampaign(h.db, c.id);
    await afterSettlement(h.deps.money.wechatPay!, def, summary, -1); // no time at all for refunds
    expect((await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds).toEqual([]);
    const report = await h.sweep();
    expect(report.payments?.refundPlansDone).toBe(1);
    const refunds = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    expect(refunds.map((r: any) => r.amount)).toEqual([400, 400, 400]);
    await h.sweep(); // the plan is done: nothing more is requested
    await h.fake.settleRefunds();
    await h.fake.idle();
    await expectLedgerBalances(h, c.id, new Map(members.map((m) => [m.entry.id, 3590])));
  });

  it('a failed group is refunded in full', async () => {
    const c = await prepaidCampaign({ minParticipants: 5 });
    const members = [await joinAndPay(c, 1), await joinAndPay(c, 2)];
    h.clock.set('2026-12-04T00:00:00.000Z');
    const report = await h.sweep();
    expect(report.settled).toContain(c.id);
    const refunds = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    expect(refunds.map((r: any) => r.amount)).toEqual([3990, 7980]);
    await h.fake.settleRefunds();
    await h.fake.idle();
    await expectLedgerBalances(h, c.id, new Map(members.map((m) => [m.entry.id, 0])));
  });

  it('a refund that fails is retried with backoff and shows its reason; then it succeeds', async () => {
    const c = await prepaidCampaign({ minParticipants: 5 });
    const m = await joinAndPay(c, 1);
    h.fake.failNextRefunds(2);
    h.clock.set('2026-12-04T00:00:00.000Z');
    await h.sweep();
    let [refund] = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    expect(refund).toMatchObject({ state: 'pending', attempts: 1, nextAttemptAt: '2026-12-04T00:01:00.000Z' });
    expect(refund.lastError).toMatch(/500|SYSTEM_ERROR/);
    await h.sweep(); // not due yet: nothing tried
    expect((await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds[0].attempts).toBe(1);
    h.clock.advance(60_000);
    await h.sweep();
    [refund] = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    expect(refund).toMatchObject({ attempts: 2, nextAttemptAt: '2026-12-04T00:03:00.000Z' });
    h.clock.advance(2 * 60_000);
    await h.sweep();
    await h.fake.settleRefunds();
    await h.fake.idle();
    [refund] = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    expect(refund).toMatchObject({ state: 'succeeded', attempts: 2, nextAttemptAt: null });
    const events = await expectLedgerBalances(h, c.id, new Map([[m.entry.id, 0]]));
    expect(events.filter((e) => e.event === 'refund_failed').map((e) => e.reason)).toHaveLength(2);
  });

  it('an ABNORMAL refund waits for the leader: WeChat Pay holds its money, so a retry makes no new number; it counts once paid out', async () => {
    const c = await prepaidCampaign({ minParticipants: 5 });
    const paid = await joinAndPay(c, 1);
    h.fake.abnormalNextRefund();
    h.clock.set('2026-12-04T00:00:00.000Z');
    await h.sweep();
    await h.fake.settleRefunds();
    await h.fake.idle();
    const [refund] = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    expect(refund).toMatchObject({ state: 'failed', nextAttemptAt: null });
    expect(refund.lastError).toContain('ABNORMAL');
    const m = await member();
    expect((await h.call('POST', `/campaigns/${c.id}/refunds/${refund.outRefundNo}/retry`, { token: m.token })).status).toBe(403);
    const retry = () => h.call('POST', `/campaigns/${c.id}/refunds/${refund.outRefundNo}/retry`, { token: leader.token });
    // Still ABNORMAL at WeChat: no second refund number, whose money would go out twice once the first is handled.
    const retried = await retry();
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ outRefundNo: refund.outRefundNo, state: 'failed' });
    expect(retried.body.lastError).toContain('ABNORMAL');
    // The leader has it paid out in the merchant platform (交易中心); WeChat Pay then notifies its success.
    h.fake.refunds.get(refund.outRefundNo)!.status = 'SUCCESS';
    const notice = h.fake.buildNotification('REFUND.SUCCESS', h.fake.refundResource(refund.outRefundNo));
    expect((await h.app.request('/payments/wechat/notify', { method: 'POST', headers: notice.headers, body: notice.body })).status).toBe(
      204,
    );
    const [done] = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    expect(done).toMatchObject({ outRefundNo: refund.outRefundNo, state: 'succeeded' });
    expect((await retry()).status).toBe(409);
    expect((await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds).toHaveLength(1);
    await expectLedgerBalances(h, c.id, new Map([[paid.entry.id, 0]]));
    expect((await h.call('POST', `/campaigns/${c.id}/refunds/nope/retry`, { token: leader.token })).status).toBe(404);
  });

  it('a refund WeChat Pay CLOSED goes back to the order and is retried under a new number, once: the money reaches the member', async () => {
    const c = await prepaidCampaign({ minParticipants: 5 });
    const paid = await joinAndPay(c, 1);
    const orderNo = paid.entry.payment.outTradeNo;
    h.fake.closeNextRefund();
    h.clock.set('2026-12-04T00:00:00.000Z');
    await h.sweep();
    await h.fake.settleRefunds();
    await h.fake.idle();
    const [closed] = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    expect(closed).toMatchObject({ amount: 3990, state: 'failed', nextAttemptAt: null });
    expect(closed.lastError).toContain('CLOSED');
    expect(h.fake.refunds.get(closed.outRefundNo)!.status).toBe('CLOSED');

    // Two retries at once (a double tap): one new refund number between them.
    const retry = () => h.call('POST', `/campaigns/${c.id}/refunds/${closed.outRefundNo}/retry`, { token: leader.token });
    const answers = await Promise.all([retry(), retry()]);
    const ok = answers.filter((a) => a.status === 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const a of answers) expect([200, 409]).toContain(a.status);
    const next = `${closed.outRefundNo}-r2`;
    for (const a of ok) expect(a.body).toMatchObject({ outRefundNo: next, amount: 3990 });
    expect((await retry()).status).toBe(409); // replaced: retry the new one if it fails too
    await h.fake.settleRefunds();
    await h.fake.idle();

    // The money arrived, under the new number, once.
    const atWechat = [...h.fake.refunds.values()].filter((r) => r.outTradeNo === orderNo);
    expect(atWechat.map((r) => [r.outRefundNo, r.refundFen, r.status])).toEqual([
      [closed.outRefundNo, 3990, 'CLOSED'],
      [next, 3990, 'SUCCESS'],
    ]);
    const refunds = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    expect(refunds.map((r: any) => [r.outRefundNo, r.state])).toEqual([
      [closed.outRefundNo, 'failed'],
      [next, 'succeeded'],
    ]);
    expect((await h.call('GET', `/campaigns/${c.id}/entries/${paid.entry.id}/payment`, { token: paid.token })).body).toMatchObject({
      paid: 3990,
      refunded: 3990,
      balance: 0,
    });
    await expectLedgerBalances(h, c.id, new Map([[paid.entry.id, 0]]));
    // Settling's refund pass again (the sweep) asks for nothing more.
    await h.sweep();
    expect((await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds).toHaveLength(2);
  });

  it('the retry of a closed refund takes only what the order still has refundable: never more than was paid goes back', async () => {
    const c = await prepaidCampaign({ minParticipants: 5 });
    const paid = await joinAndPay(c, 2);
    h.fake.closeNextRefund();
    h.clock.set('2026-12-04T00:00:00.000Z');
    await h.sweep();
    await h.fake.settleRefunds();
    await h.fake.idle();
    const [closed] = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    expect(closed).toMatchObject({ amount: 7980, state: 'failed' });
    // Meanwhile another refund of this entry takes part of the money given back to the order.
    const ctx = h.deps.money.wechatPay!;
    await requestRefund(ctx, { campaignId: c.id, id: paid.entry.id, seq: 1, userId: paid.userId }, 3000, 'other', 'test');
    const retried = await h.call('POST', `/campaigns/${c.id}/refunds/${closed.outRefundNo}/retry`, { token: leader.token });
    expect(retried.body).toMatchObject({ outRefundNo: `${closed.outRefundNo}-r2`, amount: 4980 });
    await h.fake.settleRefunds();
    await h.fake.idle();
    const succeeded = [...h.fake.refunds.values()].filter((r) => r.outTradeNo === paid.entry.payment.outTradeNo && r.status === 'SUCCESS');
    expect(succeeded.reduce((sum, r) => sum + r.refundFen, 0)).toBe(7980);
    await expectLedgerBalances(h, c.id, new Map([[paid.entry.id, 0]]));
  });

  it('cancelling a paid entry refunds it in full; lowering the quantity refunds the part; raising it asks for the difference', async () => {
    const c = await prepaidCampaign();
    const a = await joinAndPay(c, 3);
    const lowered = await h.call('PATCH', `/campaigns/${c.id}/entries/${a.entry.id}`, {
      token: a.token,
      body: { items: [{ itemId: 'i1', qty: 1 }] },
    });
    expect(lowered.status).toBe(200);
    expect(lowered.body).not.toHaveProperty('payment');
    expect(lowered.body.items).toEqual([{ itemId: 'i1', qty: 1 }]);
    let refunds = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    expect(refunds.map((r: any) => [r.amount, r.purpose.split('#')[0]])).toEqual([[7980, 'reduce']]);

    const raised = await h.call('PATCH', `/campaigns/${c.id}/entries/${a.entry.id}`, {
      token: a.token,
      body: { items: [{ itemId: 'i1', qty: 2 }] },
    });
    expect(raised.body.payment).toMatchObject({ kind: 'topup', amount: 3990, state: 'created', items: [{ itemId: 'i1', qty: 2 }] });
    expectValidPaySign(h.fake, raised.body.payment.requestPayment);
    // Nothing changes until the top-up is paid: items, stock and price stay.
    expect(raised.body.items).toEqual([{ itemId: 'i1', qty: 1 }]);
    expect(raised.body.pendingItems).toEqual([{ itemId: 'i1', qty: 2 }]);
    expect(await remaining(c)).toBe(9);
    await h.fake.pay(raised.body.payment.outTradeNo);
    expect((await requireEntry(h.db, c.id, a.entry.id)).items).toEqual([{ itemId: 'i1', qty: 2 }]);
    expect(await remaining(c)).toBe(8);
    expect((await h.call('GET', `/campaigns/${c.id}/entries/${a.entry.id}/payment`, { token: a.token })).body).toMatchObject({
      paid: 11970 + 3990,
      amountDue: 7980,
    });

    const cancelled = await h.call('DELETE', `/campaigns/${c.id}/entries/${a.entry.id}`, { token: a.token });
    expect(cancelled.body.status).toBe('cancelled');
    await h.fake.settleRefunds();
    await h.fake.idle();
    refunds = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    expect(refunds.reduce((s: number, r: any) => s + r.amount, 0)).toBe(15960);
    expect(refunds.every((r: any) => r.state === 'succeeded')).toBe(true);
    await expectLedgerBalances(h, c.id, new Map([[a.entry.id, 0]]));
  });

  it('cancelling a held entry closes its order: a payment that still arrives is refunded', async () => {
    const c = await prepaidCampaign();
    const m = await member();
    const res = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    expect((await h.call('DELETE', `/campaigns/${c.id}/entries/${res.body.id}`, { token: m.token })).body.status).toBe('cancelled');
    expect(h.fake.orders.get(res.body.payment.outTradeNo)!.tradeState).toBe('CLOSED');
    expect(await remaining(c)).toBe(10);
    expect((await h.call('POST', `/campaigns/${c.id}/entries/${res.body.id}/payment/prepay`, { token: m.token })).status).toBe(409);
  });
});

describe('top-ups', () => {
  it('an unpaid top-up changes nothing; a newer one replaces it; a superseded or unappliable one is refunded when paid', async () => {
    const c = await prepaidCampaign({ items: [{ name: '阳光玫瑰', unitPrice: 3990, stock: 3 }] });
    const a = await joinAndPay(c, 1);
    const first = await h.call('PATCH', `/campaigns/${c.id}/entries/${a.entry.id}`, {
      token: a.token,
      body: { items: [{ itemId: 'i1', qty: 2 }], note: '多要一份' },
    });
    expect(first.body).toMatchObject({ note: '多要一份', items: [{ itemId: 'i1', qty: 1 }] });
    const second = await h.call('PATCH', `/campaigns/${c.id}/entries/${a.entry.id}`, {
      token: a.token,
      body: { items: [{ itemId: 'i1', qty: 3 }] },
    });
    expect(second.body.payment).toMatchObject({ amount: 7980, items: [{ itemId: 'i1', qty: 3 }] });
    expect(h.fake.orders.get(first.body.payment.outTradeNo)!.tradeState).toBe('CLOSED');
    // The member asks again for what to pay: the newest top-up.
    const again = await h.call('POST', `/campaigns/${c.id}/entries/${a.entry.id}/payment/prepay`, { token: a.token });
    expect(again.body.outTradeNo).toBe(second.body.payment.outTradeNo);
    // Someone else takes the last two units before the top-up is paid: it cannot apply, so it is refunded.
    const b = await joinAndPay(c, 2);
    expect(await entryStatus(c, b.entry.id)).toBe('active');
    await h.fake.pay(second.body.payment.outTradeNo);
    expect((await requireEntry(h.db, c.id, a.entry.id)).items).toEqual([{ itemId: 'i1', qty: 1 }]);
    const refunds = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    expect(refunds.map((r: any) => [r.seq, r.amount, r.purpose.split('#')[0]])).toEqual([[1, 7980, 'late']]);
    await h.fake.settleRefunds();
    await h.fake.idle();
    await expectLedgerBalances(
      h,
      c.id,
      new Map([
        [a.entry.id, 3990],
        [b.entry.id, 7980],
      ]),
    );
  });

  it('raising beyond stock or the per-person limit is refused at once', async () => {
    const c = await prepaidCampaign({ items: [{ name: '阳光玫瑰', unitPrice: 3990, stock: 2, perPersonLimit: 3 }] });
    const a = await joinAndPay(c, 1);
    expect(
      (await h.call('PATCH', `/campaigns/${c.id}/entries/${a.entry.id}`, { token: a.token, body: { items: [{ itemId: 'i1', qty: 3 }] } }))
        .body.error.code,
    ).toBe('SOLD_OUT');
    expect(
      (await h.call('PATCH', `/campaigns/${c.id}/entries/${a.entry.id}`, { token: a.token, body: { items: [{ itemId: 'i1', qty: 4 }] } }))
        .body.error.code,
    ).toBe('LIMIT_EXCEEDED');
  });
});

describe('rules and errors', () => {
  it('offline marks are refused on a prepaid campaign; prepay is refused on an offline one', async () => {
    const c = await prepaidCampaign();
    const a = await joinAndPay(c, 1);
    const mark = await h.call('PUT', `/campaigns/${c.id}/entries/${a.entry.id}/payment`, { token: leader.token, body: { status: 'paid' } });
    expect(mark.status).toBe(409);
    expect(mark.body.error.code).toBe('INVALID_STATE');
    const offline = await h.createCampaign(leader.token, { minParticipants: 1 });
    const m = await member();
    const joined = await h.call('POST', `/campaigns/${offline.id}/entries`, {
      token: m.token,
      body: { items: [{ itemId: 'i1', qty: 1 }] },
    });
    expect(joined.body.status).toBe('active');
    expect(joined.body).not.toHaveProperty('payment');
    expect((await h.call('POST', `/campaigns/${offline.id}/entries/${joined.body.id}/payment/prepay`, { token: m.token })).status).toBe(
      409,
    );
  });

  it('a held entry cannot be changed (pay or cancel first), and only its member can get its order', async () => {
    const c = await prepaidCampaign();
    const m = await member();
    const res = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    const patch = await h.call('PATCH', `/campaigns/${c.id}/entries/${res.body.id}`, { token: m.token, body: { note: '改一下' } });
    expect(patch.status).toBe(409);
    expect(patch.body.error.code).toBe('INVALID_STATE');
    const other = await member();
    expect((await h.call('POST', `/campaigns/${c.id}/entries/${res.body.id}/payment/prepay`, { token: other.token })).status).toBe(403);
    // Nothing has moved yet: the leader's payments view has no line for it (and no false "paid").
    const view = await h.call('GET', `/campaigns/${c.id}/payments`, { token: leader.token });
    expect(view.body.entries).toEqual([]);
    expect(view.body.totals).toMatchObject({ entries: 0, paid: 0 });
  });

  it('WeChat Pay down at join time: the entry is still made and held, with paymentError; prepay later gets the order', async () => {
    const c = await prepaidCampaign();
    const m = await member();
    h.fake.misbehaveNext('http-500', 1);
    const res = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'pending_payment', payment: null, paymentError: { code: 'SERVICE_UNAVAILABLE' } });
    const prepay = await h.call('POST', `/campaigns/${c.id}/entries/${res.body.id}/payment/prepay`, { token: m.token });
    expect(prepay.status).toBe(200);
    expectValidPaySign(h.fake, prepay.body.requestPayment);
  });

  it('a free sign-up in a prepaid campaign needs no payment', async () => {
    const c = await prepaidCampaign({ items: [{ name: '报名', unitPrice: 0 }] });
    const m = await member();
    const res = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    expect(res.body.status).toBe('active');
  });

  it('hundreds of concurrent prepaid joins never oversell: held + paid units never exceed stock', async () => {
    const c = await prepaidCampaign({ items: [{ name: '阳光玫瑰', unitPrice: 3990, stock: 40 }] });
    const members = await Promise.all(Array.from({ length: 120 }, () => member()));
    const results = await Promise.all(
      members.map((m) => h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } })),
    );
    const held = results.filter((r) => r.status === 201);
    expect(held).toHaveLength(40);
    expect(results.filter((r) => r.status !== 201).every((r) => r.body.error.code === 'SOLD_OUT')).toBe(true);
    expect(held.map((r) => r.body.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    await Promise.all(held.slice(0, 30).map((r) => h.fake.pay(r.body.payment.outTradeNo)));
    h.clock.advance(16 * 60_000);
    await h.sweep();
    const campaign = (await h.call('GET', `/campaigns/${c.id}`)).body;
    expect(campaign.items[0]).toMatchObject({ sold: 30, remaining: 10 });
    const list = (await h.call('GET', `/campaigns/${c.id}/entries?limit=100`)).body.entries;
    expect(list.filter((e: any) => e.status === 'active')).toHaveLength(30);
    expect(list.filter((e: any) => e.status === 'expired')).toHaveLength(10);
  });
});
