import { beforeAll, describe, expect, it } from 'vitest';
import { sweepAndWork } from '../../shared/jobs/index.js';
import { createLogger } from '../../shared/logger.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';
import { expectInvariants } from '../helpers/invariants.js';

let h: Harness;
let leader: { token: string; userId: string };

beforeAll(async () => {
  h = await harness();
  leader = await h.login('edit-leader', '团长');
});

async function campaign(overrides: Record<string, unknown> = {}) {
  h.clock.set(T0);
  return h.createCampaign(leader.token, { minParticipants: 1, items: [{ name: '苹果', unitPrice: 500, stock: 5 }], ...overrides });
}
const edit = (id: string, body: unknown, token = leader.token) => h.call('PATCH', `/campaigns/${id}`, { token, body });
const join = (id: string, token: string, qty: number, itemId = 'i1') =>
  h.call('POST', `/campaigns/${id}/entries`, { token, body: { items: [{ itemId, qty }] } });

describe('PATCH /campaigns/{id}', () => {
  it('edits wording and adds items and pickup points; members can join the new item at once', async () => {
    const c = await campaign();
    const m = await h.login('edit-m1');
    await join(c.id, m.token, 1); // warms this process's join cache with the old definition
    const res = await edit(c.id, {
      title: '周日 苹果团',
      description: '新到一批',
      addItems: [{ name: '梨', unitPrice: 300, stock: 10 }],
      addPickupPoints: [{ name: '东门' }],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      title: '周日 苹果团',
      description: '新到一批',
      items: [{ id: 'i1' }, { id: 'i2', name: '梨', stock: 10, remaining: 10, sold: 0 }],
      pickupPoints: [{ id: 'p1' }, { id: 'p2', name: '东门' }],
    });
    const m2 = await h.login('edit-m2');
    const joined = await h.call('POST', `/campaigns/${c.id}/entries`, {
      token: m2.token,
      body: { items: [{ itemId: 'i2', qty: 3 }], pickupPointId: 'p2' },
    });
    expect(joined.status).toBe(201);
    const { campaign: after } = await expectInvariants(h, c.id, leader.token);
    expect(after.items[1]).toMatchObject({ sold: 3, remaining: 7 });
  });

  it('raises stock (sold-out item sells again) and lowers it down to what is sold, never below', async () => {
    const c = await campaign();
    const [a, b] = await Promise.all([h.login('edit-s1'), h.login('edit-s2')]);
    await join(c.id, a.token, 5);
    expect((await join(c.id, b.token, 1)).body.error.code).toBe('SOLD_OUT');
    expect((await edit(c.id, { stock: [{ itemId: 'i1', stock: 8 }] })).body.items[0]).toMatchObject({ stock: 8, remaining: 3 });
    expect((await join(c.id, b.token, 2)).status).toBe(201);
    const below = await edit(c.id, { stock: [{ itemId: 'i1', stock: 6 }] });
    expect(below.status).toBe(409);
    expect(below.body.error).toMatchObject({ code: 'INVALID_STATE', details: { itemId: 'i1', sold: 7 } });
    expect((await edit(c.id, { stock: [{ itemId: 'i1', stock: 7 }] })).body.items[0]).toMatchObject({ stock: 7, remaining: 0 });
    await expectInvariants(h, c.id, leader.token);
  });

  it('lowering stock while members join never oversells', async () => {
    const c = await campaign({ items: [{ name: '荔枝', unitPrice: 990, stock: 40 }] });
    const members = await Promise.all(Array.from({ length: 30 }, (_, i) => h.login(`edit-race-${i}`)));
    const results = await Promise.all([
      ...members.map((m) => join(c.id, m.token, 1)),
      edit(c.id, { stock: [{ itemId: 'i1', stock: 20 }] }),
      edit(c.id, { stock: [{ itemId: 'i1', stock: 25 }] }),
    ]);
    expect(results.filter((r) => r.status >= 500)).toEqual([]);
    const { campaign: after } = await expectInvariants(h, c.id, leader.token);
    expect(after.items[0].sold).toBeLessThanOrEqual(after.items[0].stock);
  });

  it('extends and shortens the deadline; the sweep follows the new one', async () => {
    const c = await campaign();
    const later = await edit(c.id, { closesAt: '2026-12-10T00:00:00.000Z' });
    expect(later.body.closesAt).toBe('2026-12-10T00:00:00.000Z');
    h.clock.set('2026-12-05T00:00:00.000Z'); // past the old deadline, before the new one
    const m = await h.login('edit-d1');
    expect((await join(c.id, m.token, 1)).status).toBe(201);
    expect((await sweepAndWork(h.db, createLogger('silent'), h.deps.money)).settled).not.toContain(c.id);
    expect((await edit(c.id, { closesAt: '2026-12-05T01:00:00.000Z' })).status).toBe(200);
    h.clock.set('2026-12-05T01:00:00.000Z');
    expect((await sweepAndWork(h.db, createLogger('silent'), h.deps.money)).settled).toContain(c.id);
  });

  it('refuses a deadline in the past, unknown items, a closed campaign, and anyone but the leader', async () => {
    const c = await campaign();
    expect((await edit(c.id, { closesAt: '2026-11-30T00:00:00.000Z' })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await edit(c.id, { stock: [{ itemId: 'i9', stock: 3 }] })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await edit(c.id, { addItems: [{ name: 'x', unitPrice: 1.5 }] })).status).toBe(400);
    const other = await h.login('edit-other');
    expect((await edit(c.id, { title: 'x' }, other.token)).status).toBe(403);
    expect((await h.call('PATCH', `/campaigns/${c.id}`, { body: { title: 'x' } })).status).toBe(401);
    expect((await edit('c_nope', { title: 'x' })).status).toBe(404);
    await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token });
    expect((await edit(c.id, { title: 'x' })).body.error.code).toBe('INVALID_STATE');
  });
});
