import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommunity } from '../../shared/communities/index.js';
import { entryDue } from '../../shared/domain/index.js';
import { allPayments } from '../../shared/money/ledger.js';
import { earnPoints, getPointsBalance, putPointsRules } from '../../shared/points/index.js';
import { settlementEntries } from '../../shared/settlement/settle.js';
import { T0 } from '../helpers/harness.js';
import { expectLedgerBalances, type PayHarness, payHarness } from '../helpers/wechatpay-harness.js';

/**
 * The money invariant of a prepaid campaign, under random histories: members join (some pay, some
 * pay twice over a retried notification, some never pay and expire), raise or lower their quantity
 * (top-ups paid or not), cancel; then the campaign settles (or fails), and maybe: a shortage is
 * reported (fifo or pro rata), a member's after-sale is approved, the leader calls it off (before
 * or after settling); and every refund completes.
 * After every history:
 *   - each entry's totals equal the sum of its ledger events;
 *   - Σ paid − Σ refunded = Σ final amounts (0 for a failed group), with nothing still in flight;
 *   - no entry is paid for more than once per order, and WeChat refunded exactly what we recorded.
 */
type Step =
  | { kind: 'join'; member: number; qty: number; pay: 'now' | 'twice' | 'lost' | 'never' }
  | { kind: 'change'; member: number; qty: number; payTopUp: boolean }
  | { kind: 'cancel'; member: number }
  /** the member reserves points on their entry (the campaign is in a community whose rules let them spend) */
  | { kind: 'points'; member: number; points: number }
  | { kind: 'wait'; minutes: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('join' as const),
      member: fc.nat(5),
      qty: fc.integer({ min: 1, max: 3 }),
      pay: fc.constantFrom('now', 'now', 'twice', 'lost', 'never') as fc.Arbitrary<'now' | 'twice' | 'lost' | 'never'>,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('change' as const),
      member: fc.nat(5),
      qty: fc.integer({ min: 1, max: 3 }),
      payTopUp: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), member: fc.nat(5) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('points' as const), member: fc.nat(5), points: fc.integer({ min: 0, max: 150 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wait' as const), minutes: fc.constantFrom(1, 10, 20) }) },
);

/** What may go wrong after the 接龙: a shortage, an after-sale, a call-off (before or after settling). */
interface Aftermath {
  callOff: 'none' | 'before' | 'after';
  shortage: { delivered: number; allocation: 'fifo' | 'pro-rata' } | null;
  afterSale: boolean;
}
const aftermathArb: fc.Arbitrary<Aftermath> = fc.record({
  callOff: fc.constantFrom('none', 'none', 'before', 'after') as fc.Arbitrary<Aftermath['callOff']>,
  shortage: fc.option(
    fc.record({
      delivered: fc.nat(8),
      allocation: fc.constantFrom('fifo', 'pro-rata') as fc.Arbitrary<'fifo' | 'pro-rata'>,
    }),
  ),
  afterSale: fc.boolean(),
});

let h: PayHarness;
let leader: { token: string; userId: string };
let run = 0;
/** reservations that were taken, over all runs: the property must have exercised them */
let reservations = 0;
const COMMUNITY = 'm_ledger';

beforeAll(async () => {
  h = await payHarness({ instantRefunds: true });
  leader = await h.login('ledger-leader', '团长');
  // The campaigns are in a community whose members may spend points: 10 fen each, up to ¥20 or half an entry.
  await createCommunity(
    h.db,
    { id: COMMUNITY, ownerId: leader.userId, name: '账本', description: '', joinRule: 'open', public: false, cover: null, createdAt: T0 },
    { nickname: '团长' },
  );
  await putPointsRules(
    h.db,
    COMMUNITY,
    {
      earn: { joinSucceeded: 0, paidOnTime: 0, pickedUp: 0, reviewed: 0, referral: 0 },
      spend: { enabled: true, fenPerPoint: 10, maxFenPerEntry: 2000, maxPercentOfEntry: 50 },
      titles: [],
    },
    leader.userId,
  );
});
afterAll(async () => h?.close());

describe('ledger invariant (property)', () => {
  it('Σ paid − Σ refunded = Σ final amounts after any history of joins, payments, changes, cancels, settlement, shortage, after-sale and call-off', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 3, maxLength: 12 }),
        fc.integer({ min: 1, max: 4 }),
        aftermathArb,
        async (steps, minParticipants, aftermath) => {
          run++;
          h.clock.set(T0);
          // Each run is its own campaign; the fake keeps every run's orders and refunds.
          const ordersBefore = new Set(h.fake.orders.keys());
          const refundsBefore = new Set(h.fake.refunds.keys());
          const c = await h.createCampaign(leader.token, {
            minParticipants,
            communityId: COMMUNITY,
            paymentMode: 'wechatpay',
            closesAt: '2026-12-01T02:00:00.000Z',
            items: [
              {
                name: '阳光玫瑰',
                unitPrice: 3990,
                stock: 8,
                tiers: [
                  { threshold: 4, unitPrice: 3590 },
                  { threshold: 7, unitPrice: 3290 },
                ],
              },
            ],
          });
          const members = await Promise.all(Array.from({ length: 6 }, (_, i) => h.login(`ledger-${run}-${i}`, `成员${i}`)));
          const seed = members.map((m) => ({
            userId: m.userId,
            ref: `seed:${m.userId}`,
            points: 120,
            reason: 'reviewed' as const,
            campaignId: c.id,
            entryId: 'e1_seed',
          }));
          await earnPoints(h.db, COMMUNITY, seed, T0);
          const entryOf = new Map<number, string>();
          for (const step of steps) {
            if (step.kind === 'wait') {
              h.clock.advance(step.minutes * 60_000);
              await h.sweep();
              continue;
            }
            // A points step spends on one of the entries taken so far, so every run that has one exercises a reservation.
            const joined = [...entryOf.keys()];
            const who = step.kind === 'points' && joined.length > 0 ? joined[step.member % joined.length]! : step.member;
            const m = members[who]!;
            if (step.kind === 'join') {
              const res = await h.call('POST', `/campaigns/${c.id}/entries`, {
                token: m.token,
                body: { items: [{ itemId: 'i1', qty: step.qty }] },
              });
              if (res.status !== 201) continue; // sold out, already joined, closed: covered elsewhere
              entryOf.set(step.member, res.body.id);
              const order = res.body.payment?.outTradeNo;
              if (!order || step.pay === 'never') continue;
              const sent = await h.fake.pay(order, { notify: step.pay !== 'lost' });
              if (step.pay === 'twice') {
                const last = h.fake.notifications.at(-1)!;
                expect(
                  (
                    await h.app.request('/payments/wechat/notify', {
                      method: 'POST',
                      headers: h.fake.signNotification(last.body),
                      body: last.body,
                    })
                  ).status,
                ).toBe(204);
              }
              expect(sent.tradeState).toBe('SUCCESS');
            } else {
              const entryId = entryOf.get(who);
              if (!entryId) continue;
              if (step.kind === 'points') {
                const path = `/campaigns/${c.id}/entries/${entryId}/points`;
                // Over the limit, the balance or on a cancelled entry: refused, and nothing changes (covered in points.test.ts).
                const res = await (step.points === 0
                  ? h.call('DELETE', path, { token: m.token })
                  : h.call('POST', path, { token: m.token, body: { points: step.points } }));
                if (res.status === 200 && res.body.points > 0) reservations++;
              } else if (step.kind === 'cancel') {
                await h.call('DELETE', `/campaigns/${c.id}/entries/${entryId}`, { token: m.token });
              } else {
                const res = await h.call('PATCH', `/campaigns/${c.id}/entries/${entryId}`, {
                  token: m.token,
                  body: { items: [{ itemId: 'i1', qty: step.qty }] },
                });
                if (res.status === 200 && res.body.payment?.state === 'created' && step.payTopUp)
                  await h.fake.pay(res.body.payment.outTradeNo);
              }
            }
          }
          const callOff = () => h.call('POST', `/campaigns/${c.id}/call-off`, { token: leader.token, body: { reason: '取消' } });
          const drain = async () => {
            for (let i = 0; i < 3; i++) {
              await h.fake.idle();
              h.clock.advance(10 * 60_000);
              await h.sweep();
            }
            await h.fake.idle();
          };
          if (aftermath.callOff === 'before') expect((await callOff()).status).toBe(200);
          // Deadline: lost notifications are found by the hold sweep, the campaign settles, refunds run.
          h.clock.set('2026-12-01T02:00:00.000Z');
          await h.sweep();
          await drain();

          const settled = await h.call('GET', `/campaigns/${c.id}/settlement`, { token: leader.token });
          if (aftermath.callOff === 'before') expect(settled.status).toBe(404);
          else expect(['settled', 'failed']).toContain(settled.body.status);
          if (settled.body?.status === 'settled') {
            if (aftermath.shortage) {
              const sold = settled.body.items[0].quantity as number;
              const res = await h.call('POST', `/campaigns/${c.id}/shortage`, {
                token: leader.token,
                body: {
                  items: [{ itemId: 'i1', delivered: Math.min(sold, aftermath.shortage.delivered) }],
                  allocation: aftermath.shortage.allocation,
                },
              });
              expect(res.status).toBe(200);
            }
            if (aftermath.afterSale) {
              // The first member who got a unit picks it up and asks for one unit back; the leader approves.
              const now = (await h.call('GET', `/campaigns/${c.id}/settlement`, { token: leader.token })).body;
              const line = now.entries.find((e: any) => e.items[0].qty > 0);
              if (line) {
                await h.call('POST', `/campaigns/${c.id}/entries/${line.entryId}/pickup`, { token: leader.token });
                const owner = members[[...entryOf].find(([, id]) => id === line.entryId)![0]]!;
                const asked = await h.call('POST', `/campaigns/${c.id}/entries/${line.entryId}/after-sale`, {
                  token: owner.token,
                  body: { items: [{ itemId: 'i1', qty: 1 }], reason: '坏了' },
                });
                expect(asked.status).toBe(201);
                const approved = await h.call('POST', `/campaigns/${c.id}/after-sales/${asked.body.requestId}/decision`, {
                  token: leader.token,
                  body: { approve: true, note: '' },
                });
                expect(approved.status).toBe(200);
              }
            }
          }
          if (aftermath.callOff === 'after') expect((await callOff()).status).toBe(200);
          await drain();

          // What each entry finally costs: nothing once called off; else its bill (after the shortage) less its after-sale.
          const finals = new Map<string, number>();
          const summary = (await h.call('GET', `/campaigns/${c.id}/settlement`, { token: leader.token })).body;
          if (aftermath.callOff === 'none') {
            const payments = await allPayments(h.db, c.id);
            // Points reserved on an entry come off as their own line (pointsDiscount), before the after-sale.
            for await (const bill of settlementEntries(h.db, summary))
              finals.set(bill.entryId, Math.max(0, entryDue(bill) - (payments.get(bill.entryId)?.discount ?? 0)));
          }
          // Points: every member's totals match their ledger, never negative; what stays spent is what the discounts used.
          let used = 0;
          if (aftermath.callOff === 'none' && summary?.status === 'settled')
            for await (const bill of settlementEntries(h.db, summary)) used += bill.pointsUsed;
          let spent = 0;
          for (const m of members) {
            const b = await getPointsBalance(h.db, COMMUNITY, m.userId);
            expect(b!.balance).toBeGreaterThanOrEqual(0);
            expect(b!.balance).toBe(b!.earned - b!.spent - b!.reversed);
            spent += b!.spent;
          }
          expect(spent).toBe(used);
          await expectLedgerBalances(h, c.id, finals);
          // Every active entry was paid for (unpaid ones expired), so what is billed was collected.
          const view = (await h.call('GET', `/campaigns/${c.id}/payments?limit=100`, { token: leader.token })).body;
          for (const line of view.entries)
            if (line.entryStatus === 'active') expect(line.paid - line.refunded, `#${line.seq}`).toBeGreaterThanOrEqual(line.amountDue);
          // WeChat's side agrees: what it refunded is what our ledger says was refunded.
          const theirs = [...h.fake.refunds.values()]
            .filter((r) => !refundsBefore.has(r.outRefundNo) && r.status === 'SUCCESS')
            .reduce((s, r) => s + r.refundFen, 0);
          expect(theirs).toBe(view.totals.refunded);
          const paidAtWechat = [...h.fake.orders.values()]
            .filter((o) => !ordersBefore.has(o.outTradeNo) && o.tradeState !== 'NOTPAY' && o.tradeState !== 'CLOSED')
            .reduce((s, o) => s + o.amountFen, 0);
          expect(paidAtWechat).toBe(view.totals.paid);
        },
      ),
      { numRuns: 20, endOnFailure: true },
    );
    expect(reservations).toBeGreaterThan(0);
  });
});
