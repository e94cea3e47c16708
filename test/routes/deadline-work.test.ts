import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doWork, findDueWork, InProcessWorkQueue, SETTLE_HOLD_GRACE_MS, sweepDueWork, type WorkContext } from '../../shared/jobs/index.js';
import { createLogger } from '../../shared/logger.js';
import { T0 } from '../helpers/harness.js';
import { type PayHarness, payHarness } from '../helpers/wechatpay-harness.js';

const logger = createLogger('silent');
let h: PayHarness;
let leader: { token: string; userId: string };
let ctx: WorkContext;
let k = 0;

beforeAll(async () => {
  h = await payHarness();
  leader = await h.login('dw-leader', '团长');
  ctx = { db: h.db, money: h.deps.money, logger };
});
afterAll(async () => h?.close());

const CLOSES = '2026-12-01T01:00:00.000Z';
const member = () => h.login(`dw-m-${k++}`, `成员${k}`);

async function campaign(paymentMode: 'offline' | 'wechatpay') {
  h.clock.set(T0);
  return h.createCampaign(leader.token, {
    closesAt: CLOSES,
    minParticipants: 1,
    paymentMode,
    items: [{ name: '阳光玫瑰', unitPrice: 3990, stock: 50 }],
  });
}

async function join(c: { id: string }) {
  const m = await member();
  const res = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
  expect(res.status).toBe(201);
  return res.body;
}

const settlementOf = async (c: { id: string }) => (await h.call('GET', `/campaigns/${c.id}/settlement`, { token: leader.token })).body;

describe('deadline work against DynamoDB Local and the fake WeChat Pay', () => {
  it('the same settle unit twice at the same moment (an at-least-once queue) settles once, with one result', async () => {
    const c = await campaign('offline');
    for (let i = 0; i < 3; i++) await join(c);
    h.clock.set('2026-12-01T01:00:05.000Z');
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => doWork(ctx, { kind: 'settle', campaignId: c.id })));
    expect(outcomes.every((o) => o.done)).toBe(true);
    expect(outcomes.filter((o) => o.done && o.result === 'settled').length).toBeGreaterThanOrEqual(1);
    const settlement = await settlementOf(c);
    expect(settlement).toMatchObject({ status: 'settled', entryCount: 3, total: 3 * 3990 });
    expect(await doWork(ctx, { kind: 'settle', campaignId: c.id })).toEqual({ done: true, result: 'already-settled' });
    const due = await findDueWork(h.db, h.clock.now(), { money: true, limitPerKind: 100 });
    expect(due.settle.map((u) => u.campaignId)).not.toContain(c.id);
  });

  it('a prepaid settlement waits (briefly) for its holds found ending with it, then settles; past the grace it settles anyway', async () => {
    const waiting = await campaign('wechatpay');
    const held = await join(waiting);
    const late = await campaign('wechatpay');
    const heldLate = await join(late);
    h.clock.set('2026-12-01T01:00:02.000Z');
    const due = await findDueWork(h.db, h.clock.now(), { money: true, limitPerKind: 1000 });
    const unit = due.settle.find((u) => u.campaignId === waiting.id)!;
    expect(unit.holds).toEqual([held.id]);
    expect(due.hold.map((u) => u.kind === 'hold' && u.entryId)).toContain(held.id);

    // The hold has not ended yet: put back (5 s at first), nothing written.
    expect(await doWork(ctx, unit)).toEqual({ done: false, retryAfterMs: 5000, reason: '1 hold(s) of this campaign still ending' });
    expect((await h.call('GET', `/campaigns/${waiting.id}/settlement`, { token: leader.token })).status).toBe(404);
    // The hold ends (not paid: the order is closed, the entry expires); the settlement goes through.
    expect(await doWork(ctx, { kind: 'hold', campaignId: waiting.id, entryId: held.id })).toEqual({ done: true, result: 'expired' });
    expect(await doWork(ctx, unit)).toEqual({ done: true, result: 'failed-group' });
    expect(await settlementOf(waiting)).toMatchObject({ status: 'failed', entryCount: 0 });

    // WeChat Pay down: the hold never ends, and after the grace the campaign settles without it.
    const lateUnit = { kind: 'settle' as const, campaignId: late.id, holds: [heldLate.id] };
    expect((await doWork(ctx, lateUnit)).done).toBe(false);
    h.clock.set(new Date(Date.parse(CLOSES) + SETTLE_HOLD_GRACE_MS + 1000).toISOString());
    expect(await doWork(ctx, lateUnit)).toEqual({ done: true, result: 'failed-group' });
  });

  it('with WeChat Pay answering slowly, offline campaigns settle while the holds are still waiting on it', async () => {
    const offline = await Promise.all(Array.from({ length: 6 }, () => campaign('offline')));
    for (const c of offline) await join(c);
    const prepaid = await campaign('wechatpay');
    for (let i = 0; i < 8; i++) await join(prepaid);
    h.clock.set('2026-12-01T01:00:03.000Z');
    h.fake.setLatency(400);
    try {
      const queue = new InProcessWorkQueue((unit) => doWork(ctx, unit), {
        limits: { settle: 4, hold: 2, 'refund-plan': 1, refund: 1, erasure: 1, message: 1, fold: 1 },
        logger,
      });
      const found = await sweepDueWork(h.db, h.deps.money, queue);
      expect(found.hold).toBeGreaterThanOrEqual(8);
      // Wait for the offline settlements only.
      for (let i = 0; i < 400; i++) {
        const settled = new Set(
          queue.done.filter((d) => d.unit.kind === 'settle').map((d) => (d.unit.kind === 'settle' ? d.unit.campaignId : '')),
        );
        if (offline.every((c) => settled.has(c.id))) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      const holdsDone = queue.done.filter((d) => d.unit.kind === 'hold').length;
      // Every offline campaign is settled, and most holds (2 at a time, ≥ 800 ms each) are still under way.
      for (const c of offline) expect(await settlementOf(c)).toMatchObject({ status: 'settled', entryCount: 1 });
      expect(holdsDone).toBeLessThan(8);
      queue.stop();
    } finally {
      h.fake.setLatency(0);
    }
  });
});
