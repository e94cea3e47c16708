import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireEntry } from '../../shared/entries/lookup.js';
import { FaultInjector } from '../helpers/faults.js';
import { T0 } from '../helpers/harness.js';
import { expectLedgerBalances, type PayHarness, payHarness } from '../helpers/wechatpay-harness.js';

/** Writes that land while a campaign settles: between settlement's read of the entries and its commit. */
let h: PayHarness;
const faults = new FaultInjector();
let leader: { token: string };
let k = 0;

beforeAll(async () => {
  h = await payHarness({ faults });
  leader = await h.login('wxr-leader', '团长');
});
afterAll(async () => h?.close());

/** The settle transaction: the one that puts the #SETTLEMENT summary (the input is marshalled by now). */
const isSettleTransaction = (input: Record<string, any>) => JSON.stringify(input.TransactItems ?? []).includes('{"S":"#SETTLEMENT"}');

async function join(campaignId: string) {
  const m = await h.login(`wxr-${k++}`, '成员');
  const res = await h.call('POST', `/campaigns/${campaignId}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
  expect(res.status).toBe(201);
  return res.body;
}

describe('a payment that lands while the campaign settles', () => {
  it('is counted by the stored settlement (counts, item totals, entryCount, the minimum), never billed but missing', async () => {
    h.clock.set(T0);
    // Two members are needed; one has paid, the other's hold is open when the leader closes.
    const c = await h.createCampaign(leader.token, {
      minParticipants: 2,
      paymentMode: 'wechatpay',
      items: [{ name: '阳光玫瑰', unitPrice: 3990, stock: 10 }],
    });
    const paid = await join(c.id);
    await h.fake.pay(paid.payment.outTradeNo);
    const held = await join(c.id);
    expect((await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token })).status).toBe(200);

    // The held member's payment arrives after settlement read the entries, before it commits.
    const notified = h.fake.notifications.length;
    faults.before('TransactWriteItemsCommand', isSettleTransaction, () => h.fake.pay(held.payment.outTradeNo));
    const settled = await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token });
    faults.clear();
    expect(settled.status).toBe(200);
    // The payment did land in between, and was recorded (204), not refused.
    expect(h.fake.notifications).toHaveLength(notified + 1);
    expect(h.fake.notifications.at(-1)!.attempts.at(-1)?.status).toBe(204);

    const stored = (await h.call('GET', `/campaigns/${c.id}/settlement`, { token: leader.token })).body;
    expect(stored).toMatchObject({ status: 'settled', entryCount: 2, total: 7980 });
    expect(stored.items[0]).toMatchObject({ quantity: 2, amount: 7980 });
    expect(stored.entries.map((e: any) => e.entryId).sort()).toEqual([paid.id, held.id].sort());
    expect((await requireEntry(h.db, c.id, held.id)).status).toBe('active');
    // Billed as it paid: nothing is refunded, and the ledger balances with both at full price.
    expect((await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds).toEqual([]);
    await expectLedgerBalances(
      h,
      c.id,
      new Map([
        [paid.id, 3990],
        [held.id, 3990],
      ]),
    );
  });
});
