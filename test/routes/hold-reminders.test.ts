import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sweepAndWork, sweepDueWork, type WorkUnit } from '../../shared/jobs/index.js';
import { deliverEvent, type Messaging, messageSchedule, wechatSubscribeSender, writeScheduledEvents } from '../../shared/messages/index.js';
import { type FakeWechat, startFakeWechat } from '../../shared/wechat/fake/index.js';
import { WechatServerApi } from '../../shared/wechat/index.js';
import { T0 } from '../helpers/harness.js';
import { recordRequests } from '../helpers/requests.js';
import { type PayHarness, payHarness } from '../helpers/wechatpay-harness.js';

/** The library template "支付提醒": 商品名称 thing1, 待付金额 amount2, 截止时间 time3, 状态 phrase4. */
const HOLD = 'tmpl-hold-expiring';
const MIN = 60_000;

let fake: FakeWechat;
let h: PayHarness;
let messaging: Messaging;
let leader: { token: string; userId: string };
let k = 0;

beforeAll(async () => {
  fake = await startFakeWechat();
  fake.defineTemplate(HOLD, ['thing1', 'amount2', 'time3', 'phrase4']);
  h = await payHarness({
    messaging: (db) =>
      (messaging = {
        templates: {
          'hold-expiring': {
            templateId: HOLD,
            page: 'pages/campaign/index?id={campaignId}',
            data: { thing1: 'title', amount2: 'amount', time3: 'deadline', phrase4: 'status' },
          },
        },
        sender: wechatSubscribeSender(
          new WechatServerApi(db, { apiBase: fake.url, appId: fake.appId, secret: fake.secret, timeoutMs: 1000 }),
        ),
      }),
  });
  leader = await h.login('hr-leader', '团长');
});
afterAll(async () => {
  await h?.close();
  await fake?.close();
});
beforeEach(() => {
  fake.failNextSends(0, 'busy');
});

const sweep = () => sweepAndWork(h.db, h.deps.logger, h.deps.money, 100, messaging);
const at = (minutes: number) => h.clock.set(new Date(Date.parse(T0) + minutes * MIN).toISOString());

/** A prepaid campaign (15-minute holds unless given) and one member's held join at T0; `grant`: the member accepted the template. */
async function heldJoin(opts: { holdMinutes?: number; grant?: 'both' | 'ours-only' | 'none' } = {}) {
  at(0);
  const c = await h.createCampaign(leader.token, {
    minParticipants: 1,
    paymentMode: 'wechatpay',
    paymentHoldMinutes: opts.holdMinutes ?? 15,
    items: [{ name: '阳光玫瑰 2斤装', unitPrice: 3990, stock: 50 }],
  });
  const openid = `o-hr-${k++}`;
  const m = await h.login(openid, '成员');
  const grant = opts.grant ?? 'both';
  if (grant !== 'none') {
    expect((await h.call('POST', '/me/subscriptions', { token: m.token, body: { templateIds: [HOLD] } })).status).toBe(200);
    if (grant === 'both') fake.grantSubscribe(openid, HOLD);
  }
  const join = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 2 }] } });
  expect(join.status, join.text).toBe(201);
  expect(join.body.status).toBe('pending_payment');
  return { c, m, openid, entry: join.body };
}

const sentTo = (openid: string) => fake.subscribeSent.filter((s) => s.touser === openid);
const events = async (campaignId: string) => (await h.call('GET', `/campaigns/${campaignId}/messages`, { token: leader.token })).body;

describe('hold-expiring: a reminder before a payment hold ends', () => {
  it('is sent once, the lead before holdUntil, with fields WeChat accepts; later sweeps send nothing more', async () => {
    const { c, openid, entry } = await heldJoin();
    expect(entry.holdUntil).toBe(new Date(Date.parse(T0) + 15 * MIN).toISOString());
    at(5);
    await sweep();
    expect(sentTo(openid)).toHaveLength(0); // ends in 10 minutes: outside the 5-minute lead
    at(10.5);
    const report = await sweep();
    expect(report.scheduled).toEqual({ holdReminders: 1, digests: 0 });
    const sent = sentTo(openid);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      template_id: HOLD,
      page: `pages/campaign/index?id=${c.id}`,
      data: {
        amount2: { value: '¥79.80' },
        time3: { value: '2026-12-01 08:15' }, // holdUntil in China time
        phrase4: { value: '请尽快支付' },
      },
    });
    for (const minute of [11, 12, 14]) {
      at(minute);
      await sweep();
    }
    expect(sentTo(openid)).toHaveLength(1);
    const view = await events(c.id);
    expect(view.events).toEqual([expect.objectContaining({ eventId: `hold-${entry.id}`, event: 'hold-expiring', counts: { sent: 1 } })]);
    expect(fake.grantsLeft(openid, HOLD)).toBe(0);
  });

  it('a hold paid before the lead gets no reminder event at all', async () => {
    const { c, openid, entry } = await heldJoin();
    at(3);
    await h.fake.pay(entry.payment.outTradeNo);
    at(10.5);
    await sweep();
    expect(sentTo(openid)).toHaveLength(0);
    expect((await events(c.id)).events).toEqual([]);
  });

  it('paid or cancelled after the event was written but before delivery: nothing is sent and no grant is used', async () => {
    for (const how of ['paid', 'cancelled'] as const) {
      const { c, m, openid, entry } = await heldJoin();
      at(10.5);
      const written = await writeScheduledEvents(h.db, h.clock.now(), messageSchedule(messaging.templates), 100);
      expect(written.holdReminders).toBe(1);
      if (how === 'paid') await h.fake.pay(entry.payment.outTradeNo);
      else expect((await h.call('DELETE', `/campaigns/${c.id}/entries/${entry.id}`, { token: m.token })).body.status).toBe('cancelled');
      await sweep();
      expect(sentTo(openid), how).toHaveLength(0);
      expect((await events(c.id)).events, how).toEqual([
        expect.objectContaining({ eventId: `hold-${entry.id}`, counts: { 'not-held': 1 }, deliveredAt: expect.any(String) }),
      ]);
      expect(fake.grantsLeft(openid, HOLD)).toBe(1);
      const grants = await h.call('GET', '/me/subscriptions', { token: m.token });
      expect(grants.body.grants).toContainEqual({ templateId: HOLD, scope: '*', count: 1 });
    }
  });

  it('a hold shorter than twice the lead, and a member without a grant, are not reminded', async () => {
    const short = await heldJoin({ holdMinutes: 8 });
    at(4);
    await sweep();
    expect(sentTo(short.openid)).toHaveLength(0);
    expect((await events(short.c.id)).events).toEqual([]);

    const none = await heldJoin({ grant: 'none' });
    at(10.5);
    await sweep();
    expect(sentTo(none.openid)).toHaveLength(0);
    expect((await events(none.c.id)).events).toEqual([expect.objectContaining({ counts: { 'no-grant': 1 } })]);
  });

  it('43101 (WeChat holds no grant) consumes nothing and is not retried', async () => {
    const { c, m, openid } = await heldJoin({ grant: 'ours-only' });
    at(10.5);
    const before = fake.count('/cgi-bin/message/subscribe/send');
    await sweep();
    at(11);
    await sweep();
    expect(fake.count('/cgi-bin/message/subscribe/send') - before).toBe(1);
    const view = await events(c.id);
    expect(view.messages).toEqual([expect.objectContaining({ status: 'refused', lastError: 'errcode 43101' })]);
    const grants = await h.call('GET', '/me/subscriptions', { token: m.token });
    expect(grants.body.grants).toContainEqual({ templateId: HOLD, scope: '*', count: 1 });
    expect(sentTo(openid)).toHaveLength(0);
  });

  it('10 sweeps at once write one outbox event and send one message', async () => {
    const { c, openid, entry } = await heldJoin();
    at(10.5);
    const schedule = messageSchedule(messaging.templates);
    const runs = await Promise.all(Array.from({ length: 10 }, () => writeScheduledEvents(h.db, h.clock.now(), schedule, 100)));
    expect(runs.reduce((sum, r) => sum + r.holdReminders, 0)).toBe(1);
    const ctx = { db: h.db, logger: h.deps.logger, messaging };
    await Promise.all(Array.from({ length: 10 }, () => deliverEvent(ctx, c.id, `hold-${entry.id}`)));
    await Promise.all(Array.from({ length: 10 }, () => sweep()));
    expect(sentTo(openid)).toHaveLength(1);
    expect((await events(c.id)).events).toHaveLength(1);
  });

  it('the deployed sweep writes the reminder after queueing the due work; the next one queues its message; a hold seen again costs a read, not a write', async () => {
    const { c, entry } = await heldJoin();
    const queued: WorkUnit[] = [];
    const queue = { enqueue: async (units: readonly WorkUnit[]) => queued.push(...units) };
    const schedule = messageSchedule(messaging.templates);
    const reminderPuts = (sent: Array<{ command: string; input: unknown }>) =>
      sent.filter((r) => r.command === 'PutItemCommand' && JSON.stringify(r.input).includes(`OUTBOX#hold-${entry.id}`));
    at(10.5);
    const first = await recordRequests(h.db.doc, () => sweepDueWork(h.db, h.deps.money, queue, 100, schedule));
    expect(reminderPuts(first.sent)).toHaveLength(1);
    expect(queued.filter((u) => u.kind === 'message')).toEqual([]);
    at(11.5);
    const { sent } = await recordRequests(h.db.doc, () => sweepDueWork(h.db, h.deps.money, queue, 100, schedule));
    expect(queued).toContainEqual({ kind: 'message', campaignId: c.id, eventId: `hold-${entry.id}` });
    expect(reminderPuts(sent)).toEqual([]);
    expect(sent.filter((r) => r.command === 'BatchGetItemCommand')).toHaveLength(1);
  });

  it('delivered after the hold ended (a late queue): nothing is sent', async () => {
    const { c, openid } = await heldJoin();
    at(10.5);
    await writeScheduledEvents(h.db, h.clock.now(), messageSchedule(messaging.templates), 100);
    at(16); // the sweep expires the hold first, then finds the reminder: not held any more
    await sweep();
    expect(sentTo(openid)).toHaveLength(0);
    expect((await events(c.id)).events).toEqual([expect.objectContaining({ counts: { 'not-held': 1 } })]);
  });
});
