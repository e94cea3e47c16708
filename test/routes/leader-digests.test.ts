import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepAndWork } from '../../shared/jobs/index.js';
import { type Messaging, messageSchedule, wechatSubscribeSender, writeScheduledEvents } from '../../shared/messages/index.js';
import { keys } from '../../shared/table/keys.js';
import { type FakeWechat, startFakeWechat } from '../../shared/wechat/fake/index.js';
import { WechatServerApi } from '../../shared/wechat/index.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';
import { recordRequests } from '../helpers/requests.js';

/** The library template "接龙进度提醒": 活动名称 thing1, 新增人数 number2, 进度 thing3, 统计时间 time4. */
const DIGEST = 'tmpl-new-entries';
const MIN = 60_000;

let fake: FakeWechat;
let h: Harness;
let messaging: Messaging;
let k = 0;

beforeAll(async () => {
  fake = await startFakeWechat();
  fake.defineTemplate(DIGEST, ['thing1', 'number2', 'thing3', 'time4']);
  h = await harness({
    messaging: (db) =>
      (messaging = {
        templates: {
          'new-entries': { templateId: DIGEST, data: { thing1: 'title', number2: 'count', thing3: 'status', time4: 'time' } },
        },
        sender: wechatSubscribeSender(
          new WechatServerApi(db, { apiBase: fake.url, appId: fake.appId, secret: fake.secret, timeoutMs: 1000 }),
        ),
        schedule: messageSchedule({ 'new-entries': { templateId: DIGEST, data: { thing1: 'title' } } }, { digestIntervalMinutes: 60 }),
      }),
  });
});
afterAll(async () => {
  await fake?.close();
});

const sweep = () => sweepAndWork(h.db, h.deps.logger, h.deps.money, 100, messaging);
const at = (minutes: number) => h.clock.set(new Date(Date.parse(T0) + minutes * MIN).toISOString());

/** A campaign at T0 whose leader accepted `grants` digest messages (in our table and in WeChat). */
async function leaderCampaign(grants = 5) {
  at(0);
  const openid = `o-dg-leader-${k++}`;
  const leader = await h.login(openid, '团长');
  const c = await h.createCampaign(leader.token, { minParticipants: 1 });
  for (let i = 0; i < grants; i++) {
    await h.call('POST', '/me/subscriptions', { token: leader.token, body: { templateIds: [DIGEST], campaignId: c.id } });
  }
  fake.grantSubscribe(openid, DIGEST, grants);
  return { c, leader, openid };
}

async function joins(campaignId: string, n: number) {
  for (let i = 0; i < n; i++) {
    const m = await h.login(`o-dg-member-${k++}`, '成员');
    const res = await h.call('POST', `/campaigns/${campaignId}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    expect(res.status, res.text).toBe(201);
  }
}

const digestsTo = (openid: string) => fake.subscribeSent.filter((s) => s.touser === openid);
const digestEvents = async (campaignId: string, token: string) =>
  (await h.call('GET', `/campaigns/${campaignId}/messages`, { token })).body.events.filter(
    (e: { event: string }) => e.event === 'new-entries',
  );

describe('new-entries: the leader digest', () => {
  it('N joins make one digest of N; no joins make none; the next interval counts only the new ones', async () => {
    const { c, leader, openid } = await leaderCampaign();
    at(1);
    await joins(c.id, 3);
    at(2);
    await sweep();
    let sent = digestsTo(openid);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.data).toEqual({
      thing1: { value: '周六 阳光玫瑰葡萄 团购' },
      number2: { value: '3' },
      thing3: { value: '新接龙 3 份' },
      time4: { value: '2026-12-01 08:02' },
    });
    // within the interval: more joins wait; at the interval, no joins send nothing
    await joins(c.id, 1);
    at(30);
    await sweep();
    expect(digestsTo(openid)).toHaveLength(1);
    at(63);
    await sweep();
    expect(digestsTo(openid)).toHaveLength(2);
    expect(digestsTo(openid)[1]!.data.number2!.value).toBe('1');
    at(124);
    await sweep();
    expect(digestsTo(openid)).toHaveLength(2); // nothing new: no digest
    await joins(c.id, 2);
    at(150);
    await sweep();
    expect(digestsTo(openid)).toHaveLength(2); // due again at 184
    at(185);
    await sweep();
    sent = digestsTo(openid);
    expect(sent).toHaveLength(3);
    expect(sent[2]!.data.number2!.value).toBe('2');
    const events = await digestEvents(c.id, leader.token);
    expect(events.map((e: { eventId: string; counts: unknown }) => [e.eventId, e.counts])).toEqual([
      ['digest-3', { sent: 1 }],
      ['digest-4', { sent: 1 }],
      ['digest-6', { sent: 1 }],
    ]);
  });

  it('10 sweeps at once write one digest', async () => {
    const { c, leader, openid } = await leaderCampaign();
    at(1);
    await joins(c.id, 4);
    at(2);
    const schedule = messaging.schedule!;
    const runs = await Promise.all(Array.from({ length: 10 }, () => writeScheduledEvents(h.db, h.clock.now(), schedule, 100)));
    expect(runs.reduce((sum, r) => sum + r.digests, 0)).toBe(1);
    await Promise.all(Array.from({ length: 10 }, () => sweep()));
    expect(digestsTo(openid)).toHaveLength(1);
    expect(digestsTo(openid)[0]!.data.number2!.value).toBe('4');
    expect(await digestEvents(c.id, leader.token)).toHaveLength(1);
  });

  it('without a grant from the leader nothing is sent; after the deadline the last digest goes and the campaign leaves the index', async () => {
    const { c, leader, openid } = await leaderCampaign(0);
    at(1);
    await joins(c.id, 2);
    at(2);
    await sweep();
    expect(digestsTo(openid)).toHaveLength(0);
    expect(await digestEvents(c.id, leader.token)).toEqual([expect.objectContaining({ counts: { 'no-grant': 1 } })]);
    await joins(c.id, 1);
    at(2 * 24 * 60 + 13 * 60); // past closesAt (T0 + 2 d 12 h)
    await sweep();
    expect((await digestEvents(c.id, leader.token)).map((e: { eventId: string }) => e.eventId)).toEqual(['digest-2', 'digest-3']);
    const digest = await h.db.doc.send(new GetCommand({ TableName: h.tableName, Key: keys.digest(c.id), ConsistentRead: true }));
    expect(digest.Item).toMatchObject({ lastSeq: 3 });
    expect(digest.Item?.gsi2pk).toBeUndefined();
  });

  it('the join path writes nothing for digests', async () => {
    const { c } = await leaderCampaign();
    const m = await h.login(`o-dg-member-${k++}`, '成员');
    const { sent } = await recordRequests(h.db.doc, () =>
      h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } }),
    );
    const touched = JSON.stringify(sent);
    expect(touched).not.toContain('DIGEST');
    expect(touched).not.toContain('OUTBOX');
  });
});
