import { beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, T0 } from '../helpers/harness.js';

let h: Harness;
let leader: { token: string; userId: string };
let k = 0;

beforeAll(async () => {
  h = await harness();
  leader = await h.login('hp-leader', '团长老王');
});

async function settledCampaign(members: Array<{ name: string; point: string }>, opts: { minParticipants?: number } = {}) {
  h.clock.set(T0);
  const c = await h.createCampaign(leader.token, {
    minParticipants: opts.minParticipants ?? 1,
    pickupPoints: [{ name: '3号楼门卫室' }, { name: '南门超市' }],
  });
  const helper = await h.login(`hp-helper-${k++}`, '助手小李');
  expect((await h.call('POST', `/campaigns/${c.id}/helpers`, { token: leader.token, body: { userId: helper.userId } })).status).toBe(201);
  const entries = [];
  for (const m of members) {
    const u = await h.login(`hp-${k++}`, m.name);
    const res = await h.call('POST', `/campaigns/${c.id}/entries`, {
      token: u.token,
      body: { items: [{ itemId: 'i1', qty: 1 }], pickupPointId: m.point },
    });
    expect(res.status).toBe(201);
    entries.push({ ...res.body, token: u.token });
  }
  expect((await h.call('POST', `/campaigns/${c.id}/close`, { token: helper.token })).status).toBe(200);
  const settled = await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token });
  expect(settled.status).toBe(200);
  return { c, helper, entries };
}

describe('helpers', () => {
  it('the leader adds (idempotently), lists and removes helpers; a removed helper loses access', async () => {
    h.clock.set(T0);
    const c = await h.createCampaign(leader.token);
    const helper = await h.login('hp-h1', '助手甲');
    const first = await h.call('POST', `/campaigns/${c.id}/helpers`, { token: leader.token, body: { userId: helper.userId } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ userId: helper.userId, nickname: '助手甲', addedBy: leader.userId, addedAt: T0 });
    h.clock.advance(60_000);
    const again = await h.call('POST', `/campaigns/${c.id}/helpers`, { token: leader.token, body: { userId: helper.userId } });
    expect(again.body.addedAt).toBe(T0);
    const list = await h.call('GET', `/campaigns/${c.id}/helpers`, { token: helper.token });
    expect(list.body.helpers.map((x: any) => x.userId)).toEqual([helper.userId]);
    // The campaign read (META + STATE + SETTLEMENT query) is unaffected by helper items.
    expect((await h.call('GET', `/campaigns/${c.id}`)).status).toBe(200);

    expect((await h.call('DELETE', `/campaigns/${c.id}/helpers/${helper.userId}`, { token: leader.token })).status).toBe(204);
    expect((await h.call('DELETE', `/campaigns/${c.id}/helpers/${helper.userId}`, { token: leader.token })).status).toBe(204);
    expect((await h.call('GET', `/campaigns/${c.id}/helpers`, { token: helper.token })).status).toBe(403);
    expect((await h.call('POST', `/campaigns/${c.id}/close`, { token: helper.token })).status).toBe(403);
  });

  it('unknown users and the leader cannot be added', async () => {
    h.clock.set(T0);
    const c = await h.createCampaign(leader.token);
    expect((await h.call('POST', `/campaigns/${c.id}/helpers`, { token: leader.token, body: { userId: 'u_nobody' } })).status).toBe(404);
    expect((await h.call('POST', `/campaigns/${c.id}/helpers`, { token: leader.token, body: { userId: leader.userId } })).status).toBe(400);
    expect((await h.call('POST', `/campaigns/c_missing/helpers`, { token: leader.token, body: { userId: leader.userId } })).status).toBe(
      404,
    );
  });

  it('a helper sees full names and phones in the list, and may read the settlement but not settle', async () => {
    h.clock.set(T0);
    const c = await h.createCampaign(leader.token, { minParticipants: 1 });
    const helper = await h.login('hp-h2', '助手乙');
    await h.call('POST', `/campaigns/${c.id}/helpers`, { token: leader.token, body: { userId: helper.userId } });
    const m = await h.login('hp-m2', '王小明');
    await h.call('POST', `/campaigns/${c.id}/entries`, {
      token: m.token,
      body: { items: [{ itemId: 'i1', qty: 2 }], phone: '13800000009' },
    });
    const list = await h.call('GET', `/campaigns/${c.id}/entries`, { token: helper.token });
    expect(list.body.entries[0]).toMatchObject({ nickname: '王小明', phone: '13800000009', isMine: false });
    await h.call('POST', `/campaigns/${c.id}/close`, { token: helper.token });
    expect((await h.call('POST', `/campaigns/${c.id}/settle`, { token: helper.token })).status).toBe(403);
    expect((await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token })).status).toBe(200);
    expect((await h.call('GET', `/campaigns/${c.id}/settlement`, { token: helper.token })).body.total).toBeGreaterThan(0);
  });
});

describe('pickup check 核销', () => {
  it('before settlement it is INVALID_STATE', async () => {
    h.clock.set(T0);
    const c = await h.createCampaign(leader.token);
    const m = await h.login('hp-early', '早鸟');
    const e = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    const res = await h.call('POST', `/campaigns/${c.id}/entries/${e.body.id}/pickup`, { token: leader.token });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('INVALID_STATE');
    expect((await h.call('GET', `/campaigns/${c.id}/pickups`, { token: leader.token })).status).toBe(409);
  });

  it('a failed group has nothing to pick up', async () => {
    const { c, entries } = await settledCampaign([{ name: '甲', point: 'p1' }], { minParticipants: 5 });
    const res = await h.call('POST', `/campaigns/${c.id}/entries/${entries[0]!.id}/pickup`, { token: leader.token });
    expect(res.status).toBe(409);
  });

  it('mark (idempotent), counts by pickup point, undo within the window, not after', async () => {
    const { c, helper, entries } = await settledCampaign([
      { name: '王小明', point: 'p1' },
      { name: '李雷', point: 'p1' },
      { name: '韩梅梅', point: 'p2' },
    ]);
    const [a, b] = entries;
    h.clock.set('2026-12-04T09:00:00.000Z');
    const mark = await h.call('POST', `/campaigns/${c.id}/entries/${a!.id}/pickup`, { token: helper.token });
    expect(mark.status).toBe(200);
    expect(mark.body).toEqual({
      entryId: a!.id,
      seq: 1,
      pickedUp: true,
      pickedUpAt: '2026-12-04T09:00:00.000Z',
      pickedUpBy: helper.userId,
    });
    h.clock.advance(30_000);
    const twice = await h.call('POST', `/campaigns/${c.id}/entries/${a!.id}/pickup`, { token: leader.token });
    expect(twice.body).toEqual(mark.body);

    const all = await h.call('GET', `/campaigns/${c.id}/pickups`, { token: leader.token });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ pickedUp: 1, waiting: 2 });
    expect(all.body.pickupPoints.map((p: any) => [p.pickupPointId, p.name, p.pickedUp, p.waiting])).toEqual([
      ['p1', '3号楼门卫室', 1, 1],
      ['p2', '南门超市', 0, 1],
    ]);
    const p1 = await h.call('GET', `/campaigns/${c.id}/pickups?pickupPointId=p1`, { token: helper.token });
    expect(p1.body.pickupPoints).toHaveLength(1);
    expect(p1.body.pickupPoints[0].entries.map((e: any) => [e.seq, e.nickname, e.pickedUp])).toEqual([
      [1, '王小明', true],
      [2, '李雷', false],
    ]);
    expect((await h.call('GET', `/campaigns/${c.id}/pickups?pickupPointId=p9`, { token: helper.token })).status).toBe(404);

    // The public list and the member's own view never say who ticked them off.
    const pub = await h.call('GET', `/campaigns/${c.id}/entries`);
    expect(pub.body.entries[0]).not.toHaveProperty('pickedUpBy');
    const mine = await h.call('GET', '/me/entries', { token: a!.token });
    expect(mine.body.entries[0]).not.toHaveProperty('pickedUpBy');

    // Undo within 10 minutes; undoing an unmarked entry changes nothing.
    h.clock.advance(5 * 60_000);
    const undo = await h.call('DELETE', `/campaigns/${c.id}/entries/${a!.id}/pickup`, { token: leader.token });
    expect(undo.body).toMatchObject({ pickedUp: false, pickedUpAt: null, pickedUpBy: null });
    expect((await h.call('DELETE', `/campaigns/${c.id}/entries/${b!.id}/pickup`, { token: leader.token })).body.pickedUp).toBe(false);

    // After the window the mark stands.
    await h.call('POST', `/campaigns/${c.id}/entries/${b!.id}/pickup`, { token: helper.token });
    h.clock.advance(10 * 60_000 + 1);
    const late = await h.call('DELETE', `/campaigns/${c.id}/entries/${b!.id}/pickup`, { token: helper.token });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('INVALID_STATE');
  });

  it('unknown and cancelled entries', async () => {
    h.clock.set(T0);
    const c = await h.createCampaign(leader.token, { minParticipants: 1 });
    const [m1, m2] = [await h.login('hp-c1', '甲'), await h.login('hp-c2', '乙')];
    const e1 = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m1.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    const e2 = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m2.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    await h.call('DELETE', `/campaigns/${c.id}/entries/${e2.body.id}`, { token: m2.token });
    await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token });
    await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token });
    expect((await h.call('POST', `/campaigns/${c.id}/entries/e_nope/pickup`, { token: leader.token })).status).toBe(404);
    const cancelled = await h.call('POST', `/campaigns/${c.id}/entries/${e2.body.id}/pickup`, { token: leader.token });
    expect(cancelled.status).toBe(409);
    expect((await h.call('POST', `/campaigns/${c.id}/entries/${e1.body.id}/pickup`, { token: leader.token })).status).toBe(200);
    const list = await h.call('GET', `/campaigns/${c.id}/pickups`, { token: leader.token });
    expect(list.body).toMatchObject({ pickedUp: 1, waiting: 0 });
  });
});
