import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sweepAndWork } from '../../shared/jobs/index.js';
import { deliverEvent, type Messaging, SENDING_LEASE_MS, wechatSubscribeSender } from '../../shared/messages/index.js';
import { type FakeWechat, startFakeWechat } from '../../shared/wechat/fake/index.js';
import { WechatServerApi } from '../../shared/wechat/index.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';

const SUCCEEDED = 'tmpl-group-succeeded';
const FAILED = 'tmpl-group-failed';
const ARRIVED = 'tmpl-goods-arrived';

let fake: FakeWechat;
beforeAll(async () => {
  fake = await startFakeWechat();
  fake.defineTemplate(SUCCEEDED, ['thing1', 'amount2', 'number3', 'time4', 'phrase5']);
  fake.defineTemplate(FAILED, ['thing1', 'thing2']);
  fake.defineTemplate(ARRIVED, ['thing1', 'thing2', 'time3']);
});
afterAll(async () => {
  await fake?.close();
});
beforeEach(() => {
  fake.failNextSends(0, 'busy');
});

let messaging: Messaging;
async function messagingHarness(timeoutMs = 1000): Promise<Harness> {
  return harness({
    messaging: (db) =>
      (messaging = {
        templates: {
          'group-succeeded': {
            templateId: SUCCEEDED,
            page: 'pages/campaign/index?id={campaignId}',
            data: { thing1: 'title', amount2: 'amount', number3: 'units', time4: 'time', phrase5: 'status' },
          },
          'group-failed': { templateId: FAILED, data: { thing1: 'title', thing2: 'status' } },
          'goods-arrived': { templateId: ARRIVED, data: { thing1: 'title', thing2: 'pickupPoint', time3: 'time' } },
        },
        sender: wechatSubscribeSender(new WechatServerApi(db, { apiBase: fake.url, appId: fake.appId, secret: fake.secret, timeoutMs })),
      }),
  });
}

/** A campaign with `n` members (2 units each), their openids; `grant` says which ones report a grant. */
async function campaignWithMembers(h: Harness, n: number, grant: (i: number) => boolean, overrides: Record<string, unknown> = {}) {
  h.clock.set(T0);
  const leader = await h.login(`leader-${crypto.randomUUID()}`, '团长');
  const c = await h.createCampaign(leader.token, {
    title: '周六 阳光玫瑰葡萄 超长超长超长超长的团购标题 🍇',
    minParticipants: 2,
    ...overrides,
  });
  const members: Array<{ openid: string; token: string; userId: string }> = [];
  for (let i = 0; i < n; i++) {
    const openid = `o-${c.id}-${i}`;
    const m = await h.login(openid, `成员${i}`);
    const join = await h.call('POST', `/campaigns/${c.id}/entries`, {
      token: m.token,
      body: { items: [{ itemId: 'i1', qty: 2 }], pickupPointId: 'p1' },
    });
    expect(join.status).toBe(201);
    if (grant(i)) {
      const res = await h.call('POST', '/me/subscriptions', { token: m.token, body: { templateIds: [SUCCEEDED, ARRIVED] } });
      expect(res.status).toBe(200);
      fake.grantSubscribe(openid, SUCCEEDED);
      fake.grantSubscribe(openid, ARRIVED);
    }
    members.push({ openid, ...m });
  }
  return { c, leader, members };
}

describe('grants', () => {
  it('a member reports grants; unknown template ids are 422 UNKNOWN_TEMPLATE and nothing is written', async () => {
    const h = await messagingHarness();
    const m = await h.login('grant-member');
    const bad = await h.call('POST', '/me/subscriptions', { token: m.token, body: { templateIds: [SUCCEEDED, 'nope'] } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('UNKNOWN_TEMPLATE');
    expect(bad.body.error.details.templateIds).toEqual(['nope']);
    expect((await h.call('GET', '/me/subscriptions', { token: m.token })).body.grants).toEqual([]);
    await h.call('POST', '/me/subscriptions', { token: m.token, body: { templateIds: [SUCCEEDED] } });
    const twice = await h.call('POST', '/me/subscriptions', { token: m.token, body: { templateIds: [SUCCEEDED, FAILED] } });
    expect(twice.status).toBe(200);
    expect(twice.body.grants).toEqual(
      expect.arrayContaining([
        { templateId: SUCCEEDED, scope: '*', count: 2 },
        { templateId: FAILED, scope: '*', count: 1 },
      ]),
    );
    const noCampaign = await h.call('POST', '/me/subscriptions', {
      token: m.token,
      body: { templateIds: [SUCCEEDED], campaignId: 'c_nope' },
    });
    expect(noCampaign.status).toBe(404);
    expect((await h.call('POST', '/me/subscriptions', { body: { templateIds: [SUCCEEDED] } })).status).toBe(401);
    const tooMany = await h.call('POST', '/me/subscriptions', { token: m.token, body: { templateIds: ['a', 'b', 'c', 'd', 'e', 'f'] } });
    expect(tooMany.status).toBe(400);
  });

  it('without templates configured every id is unknown', async () => {
    const h = await harness();
    const m = await h.login('no-templates');
    const res = await h.call('POST', '/me/subscriptions', { token: m.token, body: { templateIds: [SUCCEEDED] } });
    expect(res.status).toBe(422);
  });
});

describe('the group succeeded', () => {
  it('the settle sweep tells every member with a grant once, with fields WeChat accepts; a repeat sends nothing', async () => {
    const h = await messagingHarness();
    const { c, leader, members } = await campaignWithMembers(h, 4, (i) => i !== 3);
    const before = fake.subscribeSent.length;
    h.clock.set('2026-12-03T12:00:01.000Z');
    const report = await sweepAndWork(h.db, h.deps.logger, h.deps.money, 100, messaging);
    expect(report.settled).toEqual([c.id]);
    expect(report.messages).toEqual({ delivered: 1, retrying: 0, failures: 0 });
    const sent = fake.subscribeSent.slice(before);
    expect(sent.map((m) => m.touser).sort()).toEqual(
      members
        .slice(0, 3)
        .map((m) => m.openid)
        .sort(),
    );
    for (const m of sent) {
      expect(m.template_id).toBe(SUCCEEDED);
      expect(m.page).toBe(`pages/campaign/index?id=${c.id}`);
      expect([...m.data.thing1!.value].length).toBeLessThanOrEqual(20);
      expect(m.data.amount2!.value).toBe('¥79.80'); // 2 × ¥39.90: 8 units, below the 20-unit tier
      expect(m.data.number3!.value).toBe('2');
      expect(m.data.time4!.value).toBe('2026-12-03 20:00');
      expect(m.data.phrase5!.value).toBe('拼团成功');
    }
    // the member without a grant got nothing and is recorded as such; grants were used once each
    const view = await h.call('GET', `/campaigns/${c.id}/messages`, { token: leader.token });
    expect(view.status).toBe(200);
    expect(view.body.events).toEqual([
      expect.objectContaining({ eventId: 'settled', event: 'group-succeeded', counts: { sent: 3, 'no-grant': 1 } }),
    ]);
    expect(view.body.messages.filter((m: { status: string }) => m.status === 'sent')).toHaveLength(3);
    const grants = await h.call('GET', '/me/subscriptions', { token: members[0]!.token });
    expect(grants.body.grants).toContainEqual({ templateId: SUCCEEDED, scope: '*', count: 0 });
    // Settled again (route, sweep, and the delivery itself run twice): nothing more is sent.
    expect((await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token })).status).toBe(200);
    await sweepAndWork(h.db, h.deps.logger, h.deps.money, 100, messaging);
    await deliverEvent({ db: h.db, logger: h.deps.logger, messaging }, c.id, 'settled');
    expect(fake.subscribeSent.length - before).toBe(3);
    // members and strangers may not see what was sent
    expect((await h.call('GET', `/campaigns/${c.id}/messages`, { token: members[0]!.token })).status).toBe(403);
    expect((await h.call('GET', `/campaigns/${c.id}/messages`)).status).toBe(401);
  });

  it('concurrent deliveries of one event use each grant exactly once', async () => {
    const h = await messagingHarness();
    const { c, members } = await campaignWithMembers(h, 6, () => true);
    h.clock.set('2026-12-03T12:00:01.000Z');
    const before = fake.subscribeSent.length;
    // settle without delivering: run the settle unit only, then 20 deliveries of the event at once
    const { settleCampaign } = await import('../../shared/settlement/index.js');
    await settleCampaign(h.db, c.id);
    const ctx = { db: h.db, logger: h.deps.logger, messaging };
    await Promise.all(Array.from({ length: 20 }, () => deliverEvent(ctx, c.id, 'settled')));
    // a twin may have left a claim for another round: finish them (past the lease none is busy)
    h.clock.set(new Date(Date.parse('2026-12-03T12:00:01.000Z') + SENDING_LEASE_MS + 1000).toISOString());
    await deliverEvent(ctx, c.id, 'settled');
    const sent = fake.subscribeSent.slice(before);
    expect(sent.map((m) => m.touser).sort()).toEqual(members.map((m) => m.openid).sort());
    for (const m of members) expect(fake.grantsLeft(m.openid, SUCCEEDED)).toBe(0);
  });

  it('43101 (WeChat holds no grant) consumes nothing and is not retried', async () => {
    const h = await messagingHarness();
    const { c, leader, members } = await campaignWithMembers(h, 2, () => true);
    // member 0 unsubscribed in WeChat: the fake has no grant for them, our table has one
    while (fake.grantsLeft(members[0]!.openid, SUCCEEDED) > 0) {
      fake.grantSubscribe(members[0]!.openid, SUCCEEDED, -1);
    }
    h.clock.set('2026-12-03T12:00:01.000Z');
    const before = fake.count('/cgi-bin/message/subscribe/send');
    await sweepAndWork(h.db, h.deps.logger, h.deps.money, 100, messaging);
    await sweepAndWork(h.db, h.deps.logger, h.deps.money, 100, messaging);
    expect(fake.count('/cgi-bin/message/subscribe/send') - before).toBe(2); // one each, no retry
    const view = await h.call('GET', `/campaigns/${c.id}/messages`, { token: leader.token });
    const refused = view.body.messages.find((m: { userId: string }) => m.userId === members[0]!.userId);
    expect(refused).toMatchObject({ status: 'refused', lastError: 'errcode 43101' });
    const grants = await h.call('GET', '/me/subscriptions', { token: members[0]!.token });
    expect(grants.body.grants).toContainEqual({ templateId: SUCCEEDED, scope: '*', count: 1 });
  });

  it('WeChat busy: the round is retried with backoff and the grant is used once when it goes through', async () => {
    const h = await messagingHarness();
    const { c, members } = await campaignWithMembers(h, 1, () => true, { minParticipants: 1 });
    h.clock.set('2026-12-03T12:00:01.000Z');
    const { settleCampaign } = await import('../../shared/settlement/index.js');
    await settleCampaign(h.db, c.id);
    const ctx = { db: h.db, logger: h.deps.logger, messaging };
    fake.failNextSends(2, 'busy');
    const first = await deliverEvent(ctx, c.id, 'settled');
    expect(first).toMatchObject({ done: false, counts: { retry: 1 } });
    expect(first.done === false && first.retryAfterMs).toBe(15_000);
    const second = await deliverEvent(ctx, c.id, 'settled');
    expect(second.done === false && second.retryAfterMs).toBe(30_000);
    const third = await deliverEvent(ctx, c.id, 'settled');
    expect(third).toEqual({ done: true, counts: { sent: 1 } });
    expect(fake.grantsLeft(members[0]!.openid, SUCCEEDED)).toBe(0);
    const grants = await h.call('GET', '/me/subscriptions', { token: members[0]!.token });
    expect(grants.body.grants).toContainEqual({ templateId: SUCCEEDED, scope: '*', count: 0 });
  });

  it('no answer in time: the message is uncertain and never sent again', async () => {
    const h = await messagingHarness(200);
    const { c, leader } = await campaignWithMembers(h, 1, () => true, { minParticipants: 1 });
    h.clock.set('2026-12-03T12:00:01.000Z');
    fake.failNextSends(1, 'hang');
    const before = fake.count('/cgi-bin/message/subscribe/send');
    await sweepAndWork(h.db, h.deps.logger, h.deps.money, 100, messaging);
    await deliverEvent({ db: h.db, logger: h.deps.logger, messaging }, c.id, 'settled');
    expect(fake.count('/cgi-bin/message/subscribe/send') - before).toBe(1);
    const view = await h.call('GET', `/campaigns/${c.id}/messages`, { token: leader.token });
    expect(view.body.messages[0]).toMatchObject({ status: 'uncertain' });
  });

  it('a crash between the settlement and the send: the outbox delivers it on a later sweep', async () => {
    const h = await messagingHarness();
    const { c, members } = await campaignWithMembers(h, 2, () => true);
    h.clock.set('2026-12-03T12:00:01.000Z');
    const { settleCampaign } = await import('../../shared/settlement/index.js');
    await settleCampaign(h.db, c.id); // the process "dies" here: nothing sent
    const before = fake.subscribeSent.length;
    h.clock.set('2026-12-03T12:05:00.000Z');
    const report = await sweepAndWork(h.db, h.deps.logger, h.deps.money, 100, messaging);
    expect(report.messages?.delivered).toBe(1);
    expect(
      fake.subscribeSent
        .slice(before)
        .map((m) => m.touser)
        .sort(),
    ).toEqual(members.map((m) => m.openid).sort());
  });

  it('a campaign-tied grant is used before an any-campaign one', async () => {
    const h = await messagingHarness();
    const { c, members } = await campaignWithMembers(h, 2, () => false);
    const m = members[0]!;
    await h.call('POST', '/me/subscriptions', { token: m.token, body: { templateIds: [SUCCEEDED], campaignId: c.id } });
    await h.call('POST', '/me/subscriptions', { token: m.token, body: { templateIds: [SUCCEEDED] } });
    fake.grantSubscribe(m.openid, SUCCEEDED, 2);
    h.clock.set('2026-12-03T12:00:01.000Z');
    await sweepAndWork(h.db, h.deps.logger, h.deps.money, 100, messaging);
    const grants = (await h.call('GET', '/me/subscriptions', { token: m.token })).body.grants;
    expect(grants).toContainEqual({ templateId: SUCCEEDED, scope: c.id, count: 0 });
    expect(grants).toContainEqual({ templateId: SUCCEEDED, scope: '*', count: 1 });
  });
});

describe('goods arrived', () => {
  it('staff mark a pickup point arrived once; its members are told once; members cannot', async () => {
    const h = await messagingHarness();
    const { c, leader, members } = await campaignWithMembers(h, 3, () => true);
    const early = await h.call('POST', `/campaigns/${c.id}/pickup-points/p1/arrived`, { token: leader.token });
    expect(early.status).toBe(409);
    h.clock.set('2026-12-03T12:00:01.000Z');
    await sweepAndWork(h.db, h.deps.logger, h.deps.money, 100, messaging);
    expect((await h.call('POST', `/campaigns/${c.id}/pickup-points/p1/arrived`, { token: members[0]!.token })).status).toBe(403);
    expect((await h.call('POST', `/campaigns/${c.id}/pickup-points/nope/arrived`, { token: leader.token })).status).toBe(404);
    const before = fake.subscribeSent.length;
    const first = await h.call('POST', `/campaigns/${c.id}/pickup-points/p1/arrived`, { token: leader.token });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ pickupPointId: 'p1', repeated: false, by: leader.userId });
    const again = await h.call('POST', `/campaigns/${c.id}/pickup-points/p1/arrived`, { token: leader.token });
    expect(again.body).toMatchObject({ repeated: true, arrivedAt: first.body.arrivedAt });
    await sweepAndWork(h.db, h.deps.logger, h.deps.money, 100, messaging);
    await sweepAndWork(h.db, h.deps.logger, h.deps.money, 100, messaging);
    const sent = fake.subscribeSent.slice(before);
    expect(sent).toHaveLength(3);
    for (const m of sent) {
      expect(m.template_id).toBe(ARRIVED);
      expect(m.data.thing2!.value).toBe('3号楼门卫室');
    }
  });
});

describe('the group failed', () => {
  it('members with a failed-group grant hear it; others are recorded as no-grant', async () => {
    const h = await messagingHarness();
    const { c, leader, members } = await campaignWithMembers(h, 1, () => false, { minParticipants: 3 });
    await h.call('POST', '/me/subscriptions', { token: members[0]!.token, body: { templateIds: [FAILED] } });
    fake.grantSubscribe(members[0]!.openid, FAILED);
    h.clock.set('2026-12-03T12:00:01.000Z');
    const before = fake.subscribeSent.length;
    await sweepAndWork(h.db, h.deps.logger, h.deps.money, 100, messaging);
    const sent = fake.subscribeSent.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ template_id: FAILED, data: { thing2: { value: '未成团，已取消' } } });
    const view = await h.call('GET', `/campaigns/${c.id}/messages`, { token: leader.token });
    expect(view.body.events[0]).toMatchObject({ event: 'group-failed', counts: { sent: 1 } });
  });
});

describe('new campaigns in a community', () => {
  it('its followers with a grant hear of a campaign published into it, once; those who stopped following or were never in it do not', async () => {
    const NEW = 'tmpl-new-campaign';
    fake.defineTemplate(NEW, ['thing1', 'time2']);
    let mine: Messaging | undefined;
    const h = await harness({
      messaging: (db) =>
        (mine = {
          templates: {
            'new-campaign': { templateId: NEW, page: 'pages/campaign/index?id={campaignId}', data: { thing1: 'title', time2: 'deadline' } },
          },
          sender: wechatSubscribeSender(
            new WechatServerApi(db, { apiBase: fake.url, appId: fake.appId, secret: fake.secret, timeoutMs: 1000 }),
          ),
        }),
    });
    h.clock.set(T0);
    const leader = await h.login(`nc-leader-${crypto.randomUUID()}`, '团长');
    const g = (await h.call('POST', '/communities', { token: leader.token, body: { name: '邻里团', public: true } })).body;
    const people = [];
    for (let i = 0; i < 4; i++) {
      const openid = `nc-${g.id}-${i}`;
      const p = await h.login(openid, `邻居${i}`);
      expect((await h.call('POST', '/me/subscriptions', { token: p.token, body: { templateIds: [NEW] } })).status).toBe(200);
      fake.grantSubscribe(openid, NEW);
      people.push({ openid, ...p });
    }
    // 0 joins (follows by joining), 1 follows without joining, 2 joins then stops following, 3 stays outside.
    expect((await h.call('POST', `/communities/${g.id}/members`, { token: people[0]!.token, body: {} })).status).toBe(200);
    expect(
      (await h.call('PUT', `/communities/${g.id}/following`, { token: people[1]!.token, body: { following: true } })).body.status,
    ).toBe('follower');
    expect((await h.call('POST', `/communities/${g.id}/members`, { token: people[2]!.token, body: {} })).status).toBe(200);
    expect(
      (await h.call('PUT', `/communities/${g.id}/following`, { token: people[2]!.token, body: { following: false } })).body.following,
    ).toBe(false);
    const before = fake.subscribeSent.length;
    const draft = await h.createCampaign(leader.token, { title: '周末 草莓 团购', communityId: g.id, draft: true });
    // A draft tells nobody; publishing it does, once, however often the sweep runs.
    await sweepAndWork(h.db, h.deps.logger, h.deps.money, 100, mine);
    expect(fake.subscribeSent.length - before).toBe(0);
    expect((await h.call('POST', `/campaigns/${draft.id}/publish`, { token: leader.token })).status).toBe(200);
    const ctx = { db: h.db, logger: h.deps.logger, messaging: mine! };
    await Promise.all([deliverEvent(ctx, draft.id, 'new-campaign'), deliverEvent(ctx, draft.id, 'new-campaign')]);
    await sweepAndWork(h.db, h.deps.logger, h.deps.money, 100, mine);
    const sent = fake.subscribeSent.slice(before);
    expect(sent.map((m) => m.touser).sort()).toEqual([people[0]!.openid, people[1]!.openid].sort());
    expect(sent[0]!.page).toBe(`pages/campaign/index?id=${draft.id}`);
  });
});
