import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeWechat, SEC_CHECK_MARKERS, startFakeWechat } from '../../shared/wechat/fake/index.js';
import { WechatServerApi } from '../../shared/wechat/index.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';

/** POST /campaigns/{id}/clone: a past campaign as a new draft, with its items, tiers, limits and pickup points. */
let h: Harness;
let fake: FakeWechat;
let leader: { token: string; userId: string };
let k = 0;

beforeAll(async () => {
  fake = await startFakeWechat();
  // Content security on, so a new title is judged like a create's.
  h = await harness({
    contentCheck: (db) => ({
      api: new WechatServerApi(db, { apiBase: fake.url, appId: fake.appId, secret: fake.secret, timeoutMs: 1000 }),
    }),
  });
  leader = await h.login('clone-leader', '团长');
});
afterAll(async () => {
  await fake?.close();
});

const NEXT_WEEK = '2026-12-08T12:00:00.000Z';
const source = {
  title: '周六 阳光玫瑰葡萄 团购',
  description: '产地直发',
  minParticipants: 2,
  tierBasis: 'quantity',
  items: [
    { name: '阳光玫瑰', spec: '2斤', unitPrice: 3990, stock: 50, perPersonLimit: 3, tiers: [{ threshold: 10, unitPrice: 3590 }] },
    { name: '鸡蛋', unitPrice: 1500 },
  ],
  pickupPoints: [{ name: '3号楼门卫室', address: '幸福小区3号楼' }, { name: '南门超市' }],
};
const clone = (id: string, token: string | undefined, body: Record<string, unknown>) =>
  h.call('POST', `/campaigns/${id}/clone`, { ...(token ? { token } : {}), body });

describe('POST /campaigns/{id}/clone', () => {
  it('copies a settled campaign into a fresh draft: same items, tiers, limits, stock and points, new id, share code and times, no entries', async () => {
    h.clock.set(T0);
    const c = await h.createCampaign(leader.token, source);
    for (let i = 0; i < 2; i++) {
      const m = await h.login(`clone-m-${k++}`, `成员${i}`);
      expect(
        (await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 2 }] } })).status,
      ).toBe(201);
    }
    expect((await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token })).status).toBe(200);
    expect((await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token })).status).toBe(200);

    h.clock.advance(3 * 86_400_000);
    const res = await clone(c.id, leader.token, { closesAt: NEXT_WEEK });
    expect(res.status, res.text).toBe(201);
    const copy = res.body;
    expect(copy.id).not.toBe(c.id);
    expect(copy.shareCode).not.toBe(c.shareCode);
    expect(copy.status).toBe('draft');
    expect(copy).toMatchObject({
      title: source.title,
      description: source.description,
      minParticipants: 2,
      tierBasis: 'quantity',
      closesAt: NEXT_WEEK,
      opensAt: h.clock.now().toISOString(),
      participantCount: 0,
    });
    const definition = (items: Array<Record<string, unknown>>) =>
      items.map(({ id, name, spec, unitPrice, stock, perPersonLimit, tiers }) => ({
        id,
        name,
        spec,
        unitPrice,
        stock,
        perPersonLimit,
        tiers,
      }));
    expect(definition(copy.items)).toEqual(definition(c.items));
    expect(copy.items[0]).toMatchObject({ name: '阳光玫瑰', stock: 50, perPersonLimit: 3, tiers: [{ threshold: 10, unitPrice: 3590 }] });
    expect(copy.pickupPoints).toEqual(c.pickupPoints);
    expect((await h.call('GET', `/campaigns/${copy.id}/entries`, { token: leader.token })).body.entries).toEqual([]);
    // Invisible until published, then joinable like any campaign.
    const stranger = await h.login(`clone-s-${k++}`, '路人');
    expect((await h.call('GET', `/campaigns/${copy.id}`, { token: stranger.token })).status).toBe(404);
    expect((await h.call('POST', `/campaigns/${copy.id}/publish`, { token: leader.token })).status).toBe(200);
    const join = await h.call('POST', `/campaigns/${copy.id}/entries`, {
      token: stranger.token,
      body: { items: [{ itemId: 'i1', qty: 3 }] },
    });
    expect(join.status, join.text).toBe(201);
    expect(join.body.seq).toBe(1);
    // The per-person limit came along.
    const over = await h.login(`clone-o-${k++}`, '多买');
    expect(
      (await h.call('POST', `/campaigns/${copy.id}/entries`, { token: over.token, body: { items: [{ itemId: 'i1', qty: 4 }] } })).status,
    ).toBe(409);
  });

  it('takes a new title (content-checked like a create) and the stock the leader last set', async () => {
    h.clock.set(T0);
    const c = await h.createCampaign(leader.token, source);
    expect(
      (await h.call('PATCH', `/campaigns/${c.id}`, { token: leader.token, body: { stock: [{ itemId: 'i1', stock: 80 }] } })).status,
    ).toBe(200);
    const copy = await clone(c.id, leader.token, { title: '下周 阳光玫瑰 第二团', closesAt: NEXT_WEEK });
    expect(copy.status, copy.text).toBe(201);
    expect(copy.body.title).toBe('下周 阳光玫瑰 第二团');
    expect(copy.body.items[0].stock).toBe(80);
    const risky = await clone(c.id, leader.token, { title: `第二团 ${SEC_CHECK_MARKERS.risky}`, closesAt: NEXT_WEEK });
    expect(risky.status).toBe(422);
    expect(risky.body.error).toMatchObject({ code: 'CONTENT_REJECTED', details: { field: 'body.title' } });
  });

  it('is the leader’s alone; bad times are 400 and write nothing', async () => {
    h.clock.set(T0);
    const c = await h.createCampaign(leader.token, source);
    const helper = await h.login(`clone-h-${k++}`, '助手');
    expect((await h.call('POST', `/campaigns/${c.id}/helpers`, { token: leader.token, body: { userId: helper.userId } })).status).toBe(201);
    expect((await clone(c.id, helper.token, { closesAt: NEXT_WEEK })).status).toBe(403);
    expect((await clone(c.id, (await h.login(`clone-x-${k++}`, '路人')).token, { closesAt: NEXT_WEEK })).status).toBe(403);
    expect((await clone(c.id, undefined, { closesAt: NEXT_WEEK })).status).toBe(401);
    expect((await clone('c_nothing', leader.token, { closesAt: NEXT_WEEK })).status).toBe(404);
    const draft = await h.createCampaign(leader.token, { ...source, draft: true });
    expect((await clone(draft.id, (await h.login(`clone-y-${k++}`, '路人')).token, { closesAt: NEXT_WEEK })).status).toBe(404);

    const mine = async () => (await h.call('GET', '/me/campaigns', { token: leader.token })).body.campaigns.length;
    const before = await mine();
    const past = await clone(c.id, leader.token, { closesAt: '2026-11-30T00:00:00.000Z' });
    expect(past.status).toBe(400);
    expect(past.body.error.details.fields[0]).toEqual({ path: 'body.closesAt', message: 'must be in the future' });
    expect((await clone(c.id, leader.token, { opensAt: NEXT_WEEK, closesAt: '2026-12-05T00:00:00.000Z' })).status).toBe(400);
    expect((await clone(c.id, leader.token, { title: '', closesAt: NEXT_WEEK })).status).toBe(400);
    expect(await mine()).toBe(before);
  });
});
