import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireCampaign } from '../../shared/campaigns/index.js';
import { refundOwedPass } from '../../shared/money/settlement-refunds.js';
import { settleCampaign } from '../../shared/settlement/index.js';
import { FaultInjector } from '../helpers/faults.js';
import { T0 } from '../helpers/harness.js';
import { expectLedgerBalances, type PayHarness, payHarness } from '../helpers/wechatpay-harness.js';

/**
 * POST /campaigns/{id}/shortage on one small example: 接龙 #1 3 units, #2 2, #3 4, #4 1 (10 sold, so
 * the 10-unit tier: 800 a unit instead of 1000), and 6 delivered.
 *   fifo:     3, 2, 1, 0 (#3 gets what is left, #4 nothing)
 *   pro-rata: ⌊qty × 6 / 10⌋ = 1, 1, 2, 0; the 2 units left go to #1 and #2 (first in 接龙 order
 *             with a remainder): 2, 2, 2, 0
 * Everyone still pays the settled 800 a unit for what they get.
 */
let h: PayHarness;
const faults = new FaultInjector();
let leader: { token: string; userId: string };
let k = 0;

beforeAll(async () => {
  h = await payHarness({ faults });
  leader = await h.login('sh-leader', '团长');
});
afterAll(async () => h?.close());

const QTYS = [3, 2, 4, 1];
const AFTER_DEADLINE = '2026-12-04T00:00:00.000Z';

async function settledCampaign(paymentMode: 'offline' | 'wechatpay', qtys = QTYS, overrides: Record<string, unknown> = {}) {
  h.clock.set(T0);
  const c = await h.createCampaign(leader.token, {
    minParticipants: 1,
    paymentMode,
    items: [
      { name: '阳光玫瑰', unitPrice: 1000, stock: 50, tiers: [{ threshold: 10, unitPrice: 800 }] },
      { name: '蓝莓', unitPrice: 500, stock: 50 },
    ],
    ...overrides,
  });
  const members = [];
  for (const qty of qtys) {
    const m = await h.login(`sh-m-${k++}`, `成员${k}`);
    const res = await h.call('POST', `/campaigns/${c.id}/entries`, {
      token: m.token,
      body: {
        items: [
          { itemId: 'i1', qty },
          { itemId: 'i2', qty: 1 },
        ],
        pickupPointId: 'p1',
      },
    });
    expect(res.status).toBe(201);
    if (paymentMode === 'wechatpay') await h.fake.pay(res.body.payment.outTradeNo);
    members.push({ ...m, entry: res.body });
  }
  h.clock.set(AFTER_DEADLINE);
  const settled = await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token });
  expect(settled.status).toBe(200);
  if (qtys === QTYS) expect(settled.body.items[0]).toMatchObject({ quantity: 10, finalUnitPrice: 800 });
  return { c, members };
}

const shortage = (c: { id: string }, body: unknown, token = leader.token) => h.call('POST', `/campaigns/${c.id}/shortage`, { token, body });
const fifo6 = { items: [{ itemId: 'i1', delivered: 6 }], allocation: 'fifo' };
const proRata6 = { items: [{ itemId: 'i1', delivered: 6 }], allocation: 'pro-rata' };

async function finishRefunds() {
  await h.fake.settleRefunds();
  await h.fake.idle();
}

const shortageRefunds = async (c: { id: string }) =>
  (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds
    .filter((r: any) => r.purpose === 'shortage')
    .map((r: any) => [r.seq, r.amount])
    .sort((a: number[], b: number[]) => a[0]! - b[0]!);

describe('shortage allocation', () => {
  it('fifo: first come first served; settlement, CSV, pickup list and payments follow the delivered units', async () => {
    const { c, members } = await settledCampaign('offline');
    const res = await shortage(c, fifo6);
    expect(res.status).toBe(200);
    const i1 = (e: any) => e.items.find((l: any) => l.itemId === 'i1');
    expect(res.body.entries.map((e: any) => i1(e).qty)).toEqual([3, 2, 1, 0]);
    expect(res.body.entries.map((e: any) => i1(e).ordered)).toEqual([undefined, undefined, 4, 1]);
    // i1 at the settled 800, plus one 蓝莓 (500, delivered in full) each.
    expect(res.body.entries.map((e: any) => e.amount)).toEqual([2900, 2100, 1300, 500]);
    expect(res.body.items).toEqual([
      expect.objectContaining({ itemId: 'i1', quantity: 6, ordered: 10, finalUnitPrice: 800, amount: 4800 }),
      expect.objectContaining({ itemId: 'i2', quantity: 4, finalUnitPrice: 500, amount: 2000 }),
    ]);
    expect(res.body.total).toBe(6800);
    expect(res.body.shortage).toMatchObject({
      allocation: 'fifo',
      rules: [{ itemId: 'i1', sold: 10, delivered: 6, cutoffSeq: 3, cutoffQty: 1 }],
    });

    // GET …/settlement gives the same.
    const stored = await h.call('GET', `/campaigns/${c.id}/settlement`, { token: leader.token });
    expect(stored.body.entries).toEqual(res.body.entries);

    const csv = await h.call('GET', `/campaigns/${c.id}/settlement.csv?totals=1`, { token: leader.token });
    const rows = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(rows[3]).toContain('阳光玫瑰×1（订4）；蓝莓×1');
    expect(rows[3]).toContain(',13.00,');
    expect(rows[4]).toContain('阳光玫瑰×0（订1）；蓝莓×1');
    expect(rows[4]).toContain(',5.00,');
    expect(csv.text).toContain('阳光玫瑰,,6,8.00,48.00');
    expect(csv.text).toContain('合计,,,,68.00');

    const pickups = await h.call('GET', `/campaigns/${c.id}/pickups`, { token: leader.token });
    expect(pickups.body.pickupPoints[0].entries.map((e: any) => i1(e).qty)).toEqual([3, 2, 1, 0]);

    const payments = await h.call('GET', `/campaigns/${c.id}/payments`, { token: leader.token });
    expect(payments.body.entries.map((l: any) => l.amountDue)).toEqual([2900, 2100, 1300, 500]);
    expect(members).toHaveLength(4);
  });

  it('pro-rata: floor shares, the rest one each in 接龙 order', async () => {
    const { c } = await settledCampaign('offline');
    const res = await shortage(c, proRata6);
    expect(res.status).toBe(200);
    expect(res.body.entries.map((e: any) => e.items[0].qty)).toEqual([2, 2, 2, 0]);
    expect(res.body.entries.map((e: any) => e.items[0].amount)).toEqual([1600, 1600, 1600, 0]);
    expect(res.body.items[0]).toMatchObject({ quantity: 6, amount: 4800 });
  });

  it('pro-rata where the shares divide evenly needs no remainder', async () => {
    const { c } = await settledCampaign('offline', [2, 4, 4]);
    const res = await shortage(c, { items: [{ itemId: 'i1', delivered: 5 }], allocation: 'pro-rata' });
    expect(res.body.entries.map((e: any) => e.items[0].qty)).toEqual([1, 2, 2]);
    expect(res.body.shortage.rules[0]).toMatchObject({ cutoffSeq: 0 });
  });
});

describe('shortage refunds (prepaid)', () => {
  // Paid at base price 1000 (+500): the settlement gave back 200 a unit (the 800 tier); the
  // shortage gives back 800 for each unit not delivered.
  it('fifo: each entry gets back exactly the difference, and the ledger balances', async () => {
    const { c, members } = await settledCampaign('wechatpay');
    await finishRefunds();
    expect((await shortage(c, fifo6)).status).toBe(200);
    await finishRefunds();
    expect(await shortageRefunds(c)).toEqual([
      [3, 2400],
      [4, 800],
    ]);
    const finals = [2900, 2100, 1300, 500];
    await expectLedgerBalances(h, c.id, new Map(members.map((m, i) => [m.entry.id, finals[i]!])));
  });

  it('pro-rata: the same, for the other shares', async () => {
    const { c, members } = await settledCampaign('wechatpay');
    await finishRefunds();
    expect((await shortage(c, proRata6)).status).toBe(200);
    await finishRefunds();
    expect(await shortageRefunds(c)).toEqual([
      [1, 800],
      [3, 1600],
      [4, 800],
    ]);
    const finals = [2100, 2100, 2100, 500];
    await expectLedgerBalances(h, c.id, new Map(members.map((m, i) => [m.entry.id, finals[i]!])));
    // A call-off afterwards gives back the rest, under its own refunds.
    expect((await h.call('POST', `/campaigns/${c.id}/call-off`, { token: leader.token, body: { reason: '质量问题' } })).status).toBe(200);
    await finishRefunds();
    await expectLedgerBalances(h, c.id, new Map(members.map((m) => [m.entry.id, 0])));
  });
});

describe('refund passes of two phases at once', () => {
  it('a settlement pass still running when the shortage pass refunds: the excess is given back once', async () => {
    h.clock.set(T0);
    const c = await h.createCampaign(leader.token, {
      minParticipants: 1,
      paymentMode: 'wechatpay',
      items: [{ name: '阳光玫瑰', unitPrice: 1000, stock: 50, tiers: [{ threshold: 4, unitPrice: 800 }] }],
    });
    const m = await h.login(`sh-m-${k++}`, '成员');
    const joined = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 4 }] } });
    await h.fake.pay(joined.body.payment.outTradeNo);
    h.clock.set(AFTER_DEADLINE);
    // Settled without its refunds yet (as when the settle request ran out of time): 4000 paid, 3200 due.
    await settleCampaign(h.db, c.id);
    const beforeShortage = await requireCampaign(h.db, c.id);
    // Just before the shortage pass records its refund, the old settlement pass (with the old costs) records its own.
    const ctx = h.deps.money.wechatPay!;
    faults.before(
      'TransactWriteItemsCommand',
      (input) => JSON.stringify(input).includes('"refund#'),
      () => refundOwedPass(ctx, beforeShortage),
    );
    expect((await shortage(c, { items: [{ itemId: 'i1', delivered: 3 }], allocation: 'fifo' })).status).toBe(200);
    faults.clear();
    await finishRefunds();
    const refunds = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    // 800 back for the tier, then 800 for the unit that did not come: 1600 in all, not 800 + 1600.
    expect(refunds.map((r: any) => [r.purpose, r.amount]).sort()).toEqual([
      ['settle', 800],
      ['shortage', 800],
    ]);
    await expectLedgerBalances(h, c.id, new Map([[joined.body.id, 2400]]));
  });
});

describe('shortage rules', () => {
  it('more than sold, negative, unknown or repeated items are 400 and record nothing', async () => {
    const { c } = await settledCampaign('offline');
    const over = await shortage(c, { items: [{ itemId: 'i1', delivered: 11 }], allocation: 'fifo' });
    expect(over.status).toBe(400);
    expect(over.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { itemId: 'i1', delivered: 11, sold: 10 } });
    expect(over.body.error.message).toContain('more than the 10 sold');
    expect((await shortage(c, { items: [{ itemId: 'i1', delivered: -1 }], allocation: 'fifo' })).status).toBe(400);
    expect((await shortage(c, { items: [{ itemId: 'i9', delivered: 1 }], allocation: 'fifo' })).status).toBe(400);
    expect((await shortage(c, { items: [{ itemId: 'i1', delivered: 1 }], allocation: 'lottery' })).status).toBe(400);
    const twice = await shortage(c, {
      items: [
        { itemId: 'i1', delivered: 1 },
        { itemId: 'i1', delivered: 2 },
      ],
      allocation: 'fifo',
    });
    expect(twice.status).toBe(400);
    expect((await h.call('GET', `/campaigns/${c.id}/settlement`, { token: leader.token })).body.shortage).toBeUndefined();
  });

  it('once per campaign: the same request answers the same (also 5 at once), a different one is 409', async () => {
    const { c } = await settledCampaign('offline');
    const answers = await Promise.all(Array.from({ length: 5 }, () => shortage(c, fifo6)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    for (const a of answers) expect(a.body).toEqual(answers[0]!.body);
    const other = await shortage(c, proRata6);
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('INVALID_STATE');
  });

  it('before settling, for a failed group and after a call-off: 409', async () => {
    h.clock.set(T0);
    const open = await h.createCampaign(leader.token, { minParticipants: 1 });
    expect((await shortage(open, fifo6)).status).toBe(409);
    const { c: failed } = await settledCampaign('offline', [1], { minParticipants: 5 });
    expect((await shortage(failed, { items: [{ itemId: 'i1', delivered: 0 }], allocation: 'fifo' })).status).toBe(409);
    const { c } = await settledCampaign('offline');
    await h.call('POST', `/campaigns/${c.id}/call-off`, { token: leader.token, body: { reason: '取消' } });
    expect((await shortage(c, fifo6)).status).toBe(409);
  });
});
