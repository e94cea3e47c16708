import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recipientsOf } from '../../shared/messages/index.js';
import { keys, type OutboxRecord, outboxItem } from '../../shared/table/index.js';
import { FaultInjector } from '../helpers/faults.js';
import { T0 } from '../helpers/harness.js';
import { expectLedgerBalances, type PayHarness, payHarness } from '../helpers/wechatpay-harness.js';

/** POST /campaigns/{id}/call-off: offline and prepaid, before and after settling, repeated, and with failures. */
let h: PayHarness;
const faults = new FaultInjector();
let leader: { token: string; userId: string };
let k = 0;

beforeAll(async () => {
  h = await payHarness({ faults });
  leader = await h.login('co-leader', '团长老王');
});
afterAll(async () => h?.close());

const AFTER_DEADLINE = '2026-12-04T00:00:00.000Z';

/** 3990 a unit, 3590 from 3 units. */
async function campaign(paymentMode: 'offline' | 'wechatpay', overrides: Record<string, unknown> = {}) {
  h.clock.set(T0);
  return h.createCampaign(leader.token, {
    minParticipants: 1,
    paymentMode,
    items: [{ name: '阳光玫瑰', unitPrice: 3990, stock: 20, tiers: [{ threshold: 3, unitPrice: 3590 }] }],
    ...overrides,
  });
}

async function join(c: { id: string }, qty: number) {
  const m = await h.login(`co-m-${k++}`, `成员${k}`);
  const res = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty }] } });
  expect(res.status).toBe(201);
  return { ...m, entry: res.body };
}

async function joinAndPay(c: { id: string }, qty: number) {
  const m = await join(c, qty);
  await h.fake.pay(m.entry.payment.outTradeNo);
  return m;
}

const callOff = (c: { id: string }, token = leader.token, reason = '供货商断货，本次团购取消') =>
  h.call('POST', `/campaigns/${c.id}/call-off`, { token, body: { reason } });

const refundsOf = async (c: { id: string }) => (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;

/** Refunds WeChat is processing succeed and are notified; the sweep checks the rest. */
async function finishRefunds() {
  await h.fake.settleRefunds();
  await h.fake.idle();
}

describe('calling off an offline campaign', () => {
  it('while open: status cancelled with the reason, every entry cancelled, joins refused, paid money owed back', async () => {
    const c = await campaign('offline');
    const [a, b] = [await join(c, 2), await join(c, 1)];
    // a paid the leader by transfer; b did not.
    const mark = await h.call('PUT', `/campaigns/${c.id}/entries/${a.entry.id}/payment`, { token: leader.token, body: { status: 'paid' } });
    expect(mark.body).toMatchObject({ paid: 7980 });
    h.clock.set('2026-12-02T08:00:00.000Z');

    const res = await callOff(c);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      campaignId: c.id,
      status: 'cancelled',
      callOff: {
        cancelReason: '供货商断货，本次团购取消',
        cancelledAt: '2026-12-02T08:00:00.000Z',
        cancelledBy: leader.userId,
        previousStatus: 'open',
      },
    });
    const view = (await h.call('GET', `/campaigns/${c.id}`)).body;
    expect(view).toMatchObject({ status: 'cancelled', acceptingEntries: false, callOff: res.body.callOff });
    const list = (await h.call('GET', `/campaigns/${c.id}/entries`, { token: leader.token })).body.entries;
    expect(list.map((e: any) => e.status)).toEqual(['cancelled', 'cancelled']);

    const late = await join(c, 1).catch(() => null);
    expect(late).toBeNull();
    const m = await h.login(`co-m-${k++}`, '迟到');
    const refused = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'CAMPAIGN_NOT_OPEN', details: { reason: 'cancelled' } });
    // Members cannot change or cancel either.
    const patch = await h.call('PATCH', `/campaigns/${c.id}/entries/${b.entry.id}`, { token: b.token, body: { note: '改' } });
    expect(patch.status).toBe(409);

    // Offline money is the leader's to give back: the payments view says how much, to whom.
    const payments = (await h.call('GET', `/campaigns/${c.id}/payments`, { token: leader.token })).body;
    expect(payments.entries.map((l: any) => [l.entryId, l.amountDue, l.balance])).toEqual([[a.entry.id, 0, -7980]]);
    expect(payments.totals).toMatchObject({ amountDue: 0, toRefund: 7980, toCollect: 0 });
    // The leader transfers it back and records it like any offline mark.
    const back = await h.call('PUT', `/campaigns/${c.id}/entries/${a.entry.id}/payment`, {
      token: leader.token,
      body: { status: 'unpaid' },
    });
    expect(back.body).toMatchObject({ amountDue: 0, paid: 0, balance: 0 });
    await expectLedgerBalances(h, c.id, new Map([[a.entry.id, 0]]));

    // The members hear it through the outbox (group-failed), each with their units and 0 to pay.
    const out = await h.db.doc.send(new GetCommand({ TableName: h.tableName, Key: keys.outbox(c.id, 'called-off'), ConsistentRead: true }));
    const event = outboxItem.fromItem(out.Item!) as OutboxRecord;
    expect(event).toMatchObject({ event: 'group-failed', at: '2026-12-02T08:00:00.000Z' });
    const recipients = await recipientsOf(h.db, event);
    expect(recipients.map((r) => [r.userId, r.values.units, r.values.amount, r.values.status])).toEqual([
      [a.userId, { count: 2 }, { fen: 0 }, { text: '未成团，已取消' }],
      [b.userId, { count: 1 }, { fen: 0 }, { text: '未成团，已取消' }],
    ]);
  });

  it('after settling: the settlement stays readable, pickups and arrivals are refused, settle answers the stored one', async () => {
    const c = await campaign('offline');
    await join(c, 3);
    h.clock.set(AFTER_DEADLINE);
    expect((await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token })).status).toBe(200);
    const res = await callOff(c);
    expect(res.body.callOff).toMatchObject({ previousStatus: 'settled' });
    expect((await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token })).status).toBe(200);
    expect((await h.call('GET', `/campaigns/${c.id}/pickups`, { token: leader.token })).status).toBe(409);
    const arrived = await h.call('POST', `/campaigns/${c.id}/pickup-points/p1/arrived`, { token: leader.token });
    expect(arrived.status).toBe(409);
  });

  it('closed, not settled: it can no longer be settled, by the leader or by the sweep', async () => {
    const c = await campaign('offline');
    await join(c, 1);
    expect((await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token })).status).toBe(200);
    expect((await callOff(c)).body.callOff.previousStatus).toBe('closed');
    h.clock.set(AFTER_DEADLINE);
    const settle = await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token });
    expect(settle.status).toBe(409);
    expect(settle.body.error.code).toBe('INVALID_STATE');
    const report = await h.sweep();
    expect(report.settled).not.toContain(c.id);
    expect((await h.call('GET', `/campaigns/${c.id}/settlement`, { token: leader.token })).status).toBe(404);
  });

  it('racing the settlement and a burst of joins: every answer is 200/201 or a 409, and nothing lands after it', async () => {
    const c = await campaign('offline');
    await join(c, 1);
    const members = await Promise.all(Array.from({ length: 8 }, (_, i) => h.login(`co-race-${k}-${i}`, `抢${i}`)));
    k++;
    const joins = members.map((m) =>
      h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } }),
    );
    const [called, ...joined] = await Promise.all([callOff(c), ...joins]);
    expect(called!.status).toBe(200);
    for (const j of joined) expect([201, 409]).toContain(j.status);
    // Whatever joined before it, every entry reads as cancelled now.
    const list = (await h.call('GET', `/campaigns/${c.id}/entries?limit=100`, { token: leader.token })).body.entries;
    expect(list.every((e: any) => e.status === 'cancelled')).toBe(true);
    expect(list.length).toBe(1 + joined.filter((j) => j.status === 201).length);

    const d = await campaign('offline');
    await join(d, 1);
    h.clock.set(AFTER_DEADLINE);
    const [settled, off] = await Promise.all([h.call('POST', `/campaigns/${d.id}/settle`, { token: leader.token }), callOff(d)]);
    expect(off.status).toBe(200);
    // Either the settlement came first (and stays readable) or the call-off did (and settling is refused).
    if (settled.status === 200) expect(off.body.callOff.previousStatus).toBe('settled');
    else expect(settled.body.error.code).toBe('INVALID_STATE');
    expect((await h.call('GET', `/campaigns/${d.id}`)).body.status).toBe('cancelled');
  });

  it('bad input is 400, a draft is 409, only the leader may call it off', async () => {
    const c = await campaign('offline');
    const a = await join(c, 1);
    expect((await callOff(c, leader.token, '   ')).status).toBe(400);
    expect((await h.call('POST', `/campaigns/${c.id}/call-off`, { token: leader.token, body: {} })).status).toBe(400);
    expect((await callOff(c, a.token)).status).toBe(403);
    const draft = await h.createCampaign(leader.token, { draft: true });
    const refused = await callOff(draft);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('INVALID_STATE');
  });
});

describe('calling off a prepaid campaign', () => {
  it('while open: every payment is refunded in full, an unpaid hold ends, and the ledger comes to 0', async () => {
    const c = await campaign('wechatpay');
    const paid = [await joinAndPay(c, 1), await joinAndPay(c, 2)];
    const held = await join(c, 1); // never pays
    const res = await callOff(c);
    expect(res.status).toBe(200);
    const refunds = await refundsOf(c);
    expect(refunds.map((r: any) => [r.entryId, r.amount, r.purpose])).toEqual([
      [paid[0]!.entry.id, 3990, 'calloff'],
      [paid[1]!.entry.id, 7980, 'calloff'],
    ]);
    await finishRefunds();
    expect((await refundsOf(c)).map((r: any) => r.state)).toEqual(['succeeded', 'succeeded']);
    expect((await h.call('GET', `/campaigns/${c.id}/entries`, { token: leader.token })).body.entries.map((e: any) => e.status)).toEqual([
      'cancelled',
      'cancelled',
      // the hold ended unpaid at the call-off; it reads as expired, not as a cancelled order
      'expired',
    ]);
    expect(held.entry.status).toBe('pending_payment');
    await expectLedgerBalances(h, c.id, new Map(paid.map((m) => [m.entry.id, 0])));
  });

  it('after settling: what the settlement refunded (退差价) plus what the call-off refunds is everything paid', async () => {
    const c = await campaign('wechatpay');
    const members = [await joinAndPay(c, 1), await joinAndPay(c, 1), await joinAndPay(c, 1)];
    h.clock.set(AFTER_DEADLINE);
    expect((await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token })).status).toBe(200);
    await finishRefunds();
    expect((await callOff(c)).body.callOff.previousStatus).toBe('settled');
    await finishRefunds();
    const refunds = await refundsOf(c);
    // 3 units reached 3590: 400 each back at settling, then the remaining 3590 each at the call-off.
    const rows = refunds.map((r: any) => [r.seq, r.amount, r.purpose, r.state]).sort((x: any, y: any) => x[0] - y[0] || x[1] - y[1]);
    expect(rows).toEqual([
      [1, 400, 'settle', 'succeeded'],
      [1, 3590, 'calloff', 'succeeded'],
      [2, 400, 'settle', 'succeeded'],
      [2, 3590, 'calloff', 'succeeded'],
      [3, 400, 'settle', 'succeeded'],
      [3, 3590, 'calloff', 'succeeded'],
    ]);
    await expectLedgerBalances(h, c.id, new Map(members.map((m) => [m.entry.id, 0])));
  });

  it('20 call-offs at once: one call-off, the same answer twenty times, one refund per payment', async () => {
    const c = await campaign('wechatpay');
    const members = [await joinAndPay(c, 1), await joinAndPay(c, 2), await joinAndPay(c, 1)];
    const answers = await Promise.all(Array.from({ length: 20 }, () => callOff(c)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    for (const a of answers) expect(a.body).toEqual(answers[0]!.body);
    await h.sweep(); // whatever the calls left (none) is finished by the sweep; nothing twice
    const again = await callOff(c, leader.token, '另一个理由');
    expect(again.body).toEqual(answers[0]!.body);
    await finishRefunds();
    const refunds = await refundsOf(c);
    expect(refunds.map((r: any) => [r.seq, r.amount])).toEqual([
      [1, 3990],
      [2, 7980],
      [3, 3990],
    ]);
    expect(h.fake.refunds.size).toBeGreaterThanOrEqual(3);
    await expectLedgerBalances(h, c.id, new Map(members.map((m) => [m.entry.id, 0])));
  });

  it('WeChat Pay failing the refunds: retried by the sweep with backoff until every one is paid', async () => {
    const c = await campaign('wechatpay');
    const members = [await joinAndPay(c, 1), await joinAndPay(c, 1)];
    h.fake.failNextRefunds(3);
    expect((await callOff(c)).status).toBe(200);
    expect((await refundsOf(c)).map((r: any) => r.state)).toEqual(['pending', 'pending']);
    for (let i = 0; i < 4; i++) {
      h.clock.advance(5 * 60_000);
      await h.sweep();
    }
    await finishRefunds();
    expect((await refundsOf(c)).map((r: any) => r.state)).toEqual(['succeeded', 'succeeded']);
    await expectLedgerBalances(h, c.id, new Map(members.map((m) => [m.entry.id, 0])));
  });

  it('DynamoDB failing while the refunds are requested: the call-off stands and the sweep requests them from the marker', async () => {
    const c = await campaign('wechatpay');
    const members = [await joinAndPay(c, 1), await joinAndPay(c, 2)];
    // Every refund request's transaction fails (past the SDK's own retries): the request cannot record any.
    faults.add('TransactWriteItemsCommand', 'error', 40, (input) => JSON.stringify(input).includes('"refund#'));
    const res = await callOff(c);
    faults.clear();
    expect(res.status).toBe(200);
    expect(await refundsOf(c)).toEqual([]);
    const report = await h.sweep();
    expect(report.payments?.refundPlansDone).toBe(1);
    await finishRefunds();
    expect((await refundsOf(c)).map((r: any) => [r.amount, r.state])).toEqual([
      [3990, 'succeeded'],
      [7980, 'succeeded'],
    ]);
    await h.sweep(); // the marker is gone: nothing more
    expect((await refundsOf(c)).length).toBe(2);
    await expectLedgerBalances(h, c.id, new Map(members.map((m) => [m.entry.id, 0])));
  });
});
