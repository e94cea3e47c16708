import { beforeAll, describe, expect, it } from 'vitest';
import { changeStanding, createCommunity } from '../../shared/communities/index.js';
import { settlementEarnings } from '../../shared/domain/index.js';
import { earnPoints, getPointsBalance, getPointsRules, reverseEntryPoints } from '../../shared/points/index.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';
import { recordRequests } from '../helpers/requests.js';

let h: Harness;
let owner: { token: string; userId: string };
let k = 0;

const RULES = {
  earn: { joinSucceeded: 10, paidOnTime: 5, pickedUp: 3, reviewed: 2, referral: 7 },
  spend: { enabled: true, fenPerPoint: 10, maxFenPerEntry: 500, maxPercentOfEntry: 20 },
  titles: [
    { minPoints: 3, title: '团友' },
    { minPoints: 100, title: '铁杆团友' },
  ],
};

beforeAll(async () => {
  h = await harness();
  owner = await h.login('pt-owner', '团长老王');
});

async function community(opts: { public?: boolean } = {}) {
  const id = `m_pt${k++}`;
  await createCommunity(
    h.db,
    {
      id,
      ownerId: owner.userId,
      name: '阳光花园',
      description: '',
      joinRule: 'open',
      public: opts.public ?? false,
      cover: null,
      createdAt: T0,
    },
    { nickname: '团长老王' },
  );
  return id;
}

async function member(communityId: string, name = '团友') {
  const u = await h.login(`pt-m${k++}`, name);
  await changeStanding(h.db, communityId, u.userId, () => ({
    change: { status: 'active', role: 'member', following: false },
    result: null,
  }));
  return u;
}

/** A settled campaign of the community with one entry of `who`. */
async function settledWith(communityId: string, who: { token: string }) {
  h.clock.set(T0);
  const c = await h.createCampaign(owner.token, { minParticipants: 1, communityId });
  const joined = await h.call('POST', `/campaigns/${c.id}/entries`, { token: who.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
  expect(joined.status).toBe(201);
  expect((await h.call('POST', `/campaigns/${c.id}/close`, { token: owner.token })).status).toBe(200);
  expect((await h.call('POST', `/campaigns/${c.id}/settle`, { token: owner.token })).status).toBe(200);
  return { c, entry: joined.body };
}

describe('points rules', () => {
  it('default off; the owner sets them; members and the team read them; others cannot', async () => {
    const cid = await community();
    const m = await member(cid);
    const stranger = await h.login(`pt-s${k++}`, '路人');
    const initial = await h.call('GET', `/communities/${cid}/points-rules`, { token: m.token });
    expect(initial.status).toBe(200);
    expect(initial.body).toMatchObject({ version: 0, spend: { enabled: false }, titles: [], earn: { joinSucceeded: 0, pickedUp: 0 } });
    expect((await h.call('GET', `/communities/${cid}/points-rules`, { token: stranger.token })).status).toBe(404);
    expect((await h.call('GET', `/communities/${cid}/points-rules`)).status).toBe(401);
    expect((await h.call('PUT', `/communities/${cid}/points-rules`, { token: m.token, body: RULES })).status).toBe(403);
    const put = await h.call('PUT', `/communities/${cid}/points-rules`, { token: owner.token, body: RULES });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ ...RULES, version: 1, communityId: cid });
    expect((await h.call('GET', `/communities/${cid}/points-rules`, { token: m.token })).body).toMatchObject({ ...RULES, version: 1 });
    expect((await h.call('PUT', `/communities/nope/points-rules`, { token: owner.token, body: RULES })).status).toBe(404);
  });

  it('refuses out-of-range values, titles out of order, too many or too long', async () => {
    const cid = await community();
    const bad = [
      { ...RULES, earn: { ...RULES.earn, joinSucceeded: 1001 } },
      { ...RULES, spend: { ...RULES.spend, fenPerPoint: 0 } },
      { ...RULES, spend: { ...RULES.spend, fenPerPoint: 101 } },
      { ...RULES, spend: { ...RULES.spend, maxPercentOfEntry: 101 } },
      { ...RULES, spend: { ...RULES.spend, maxFenPerEntry: 1.5 } },
      { ...RULES, titles: [RULES.titles[1], RULES.titles[0]] },
      { ...RULES, titles: [{ minPoints: 1, title: '一二三四五六七八九' }] },
      { ...RULES, titles: Array.from({ length: 11 }, (_, i) => ({ minPoints: i, title: `t${i}` })) },
    ];
    for (const body of bad) {
      const res = await h.call('PUT', `/communities/${cid}/points-rules`, { token: owner.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await getPointsRules(h.db, cid)).version).toBe(0);
  });
});

describe('earning by pickups, and titles on the public list', () => {
  it('a pickup earns once (marking again, scanning twice); its undo takes the points back; a new mark earns again', async () => {
    const cid = await community({ public: true });
    await h.call('PUT', `/communities/${cid}/points-rules`, { token: owner.token, body: RULES });
    const m = await member(cid, '张三丰');
    const { c, entry } = await settledWith(cid, m);
    const mine = async () => (await h.call('GET', `/communities/${cid}/points/me`, { token: m.token })).body;
    expect((await mine()).balance).toBe(0);

    expect((await h.call('POST', `/campaigns/${c.id}/entries/${entry.id}/pickup`, { token: owner.token })).status).toBe(200);
    expect((await h.call('POST', `/campaigns/${c.id}/entries/${entry.id}/pickup`, { token: owner.token })).status).toBe(200);
    let points = await mine();
    expect(points).toMatchObject({ earned: 3, balance: 3, title: '团友' });
    expect(points.events).toHaveLength(1);
    expect(points.events[0]).toMatchObject({ kind: 'earn', reason: 'pickedUp', points: 3, campaignId: c.id, entryId: entry.id });

    // The public list (signed out) shows the title next to the masked name, reading one titles item.
    const { result: list, sent } = await recordRequests(h.db.doc, () => h.call('GET', `/campaigns/${c.id}/entries`));
    expect(list.status).toBe(200);
    expect(list.body.entries[0]).toMatchObject({ nickname: '张*', title: '团友' });
    const titleReads = sent.filter((s) => s.input.Key?.sk === 'PTSTITLES');
    expect(titleReads).toHaveLength(1);

    h.clock.advance(60_000);
    const undo = await h.call('DELETE', `/campaigns/${c.id}/entries/${entry.id}/pickup`, { token: owner.token });
    expect(undo.status).toBe(200);
    expect(undo.body.pickedUp).toBe(false);
    points = await mine();
    expect(points).toMatchObject({ earned: 3, reversed: 3, balance: 0, title: null });
    expect(points.events.map((e: any) => e.kind).sort()).toEqual(['earn', 'reverse']);
    const after = await h.call('GET', `/campaigns/${c.id}/entries`);
    expect(after.body.entries[0].title).toBeUndefined();
    // Undoing again changes nothing.
    expect((await h.call('DELETE', `/campaigns/${c.id}/entries/${entry.id}/pickup`, { token: owner.token })).status).toBe(200);
    expect((await mine()).balance).toBe(0);

    h.clock.advance(60_000);
    expect((await h.call('POST', `/campaigns/${c.id}/entries/${entry.id}/pickup`, { token: owner.token })).status).toBe(200);
    expect(await mine()).toMatchObject({ earned: 6, reversed: 3, balance: 3, title: '团友' });
  });

  it('a campaign outside any community, or rules at 0, earns nothing and its list reads no titles', async () => {
    h.clock.set(T0);
    const m = await h.login(`pt-x${k++}`, '李四');
    const c = await h.createCampaign(owner.token, { minParticipants: 1 });
    const joined = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    await h.call('POST', `/campaigns/${c.id}/close`, { token: owner.token });
    await h.call('POST', `/campaigns/${c.id}/settle`, { token: owner.token });
    expect((await h.call('POST', `/campaigns/${c.id}/entries/${joined.body.id}/pickup`, { token: owner.token })).status).toBe(200);
    const { sent } = await recordRequests(h.db.doc, () => h.call('GET', `/campaigns/${c.id}/entries`));
    expect(sent.filter((s) => s.input.Key?.sk === 'PTSTITLES')).toHaveLength(0);

    const cid = await community();
    const m2 = await member(cid);
    const { c: c2, entry } = await settledWith(cid, m2);
    expect((await h.call('POST', `/campaigns/${c2.id}/entries/${entry.id}/pickup`, { token: owner.token })).status).toBe(200);
    expect(await getPointsBalance(h.db, cid, m2.userId)).toBeNull();
  });
});

describe('settlement earnings (what the fold calls) and reversals', () => {
  it('join, paid on time and the referrer earn once by ref; a reversal takes them back, never below zero', async () => {
    const cid = await community();
    await h.call('PUT', `/communities/${cid}/points-rules`, { token: owner.token, body: RULES });
    const rules = await getPointsRules(h.db, cid);
    const entry = { id: 'e1_abc', campaignId: 'c_x', userId: 'u_member', referredBy: 'u_referrer' };
    const earnings = settlementEarnings(rules, entry, { succeeded: true, paidOnTime: true, referrerId: entry.referredBy });
    expect(earnings.map((e) => [e.userId, e.ref, e.points])).toEqual([
      ['u_member', 'join:c_x:e1_abc', 10],
      ['u_member', 'paid:c_x:e1_abc', 5],
      ['u_referrer', 'referral:c_x:e1_abc', 7],
    ]);
    expect(await earnPoints(h.db, cid, earnings, T0)).toBe(3);
    expect(await earnPoints(h.db, cid, earnings, T0)).toBe(0);
    expect(await getPointsBalance(h.db, cid, 'u_member')).toMatchObject({ earned: 15, balance: 15 });
    expect(await getPointsBalance(h.db, cid, 'u_referrer')).toMatchObject({ earned: 7, balance: 7 });
    expect(settlementEarnings(rules, entry, { succeeded: false, paidOnTime: true, referrerId: 'u_referrer' })).toEqual([]);

    expect(await reverseEntryPoints(h.db, cid, entry)).toBe(3);
    expect(await reverseEntryPoints(h.db, cid, entry)).toBe(0);
    expect(await getPointsBalance(h.db, cid, 'u_member')).toMatchObject({ earned: 15, reversed: 15, balance: 0 });
    expect(await getPointsBalance(h.db, cid, 'u_referrer')).toMatchObject({ reversed: 7, balance: 0 });
  });
});

describe('points routes × community roles', () => {
  it('owner, admin, helper, member, other, anonymous', async () => {
    const cid = await community();
    const roles: Record<string, { token: string; userId: string } | null> = { owner, anonymous: null };
    for (const role of ['admin', 'helper'] as const) {
      const u = await h.login(`pt-r${k++}`, role);
      await changeStanding(h.db, cid, u.userId, () => ({ change: { status: 'active', role, following: false }, result: null }));
      roles[role] = u;
    }
    roles.member = await member(cid);
    roles.other = await h.login(`pt-r${k++}`, 'other');
    const expected: Record<string, Record<string, number>> = {
      'GET /communities/{id}/points-rules': { owner: 200, admin: 200, helper: 200, member: 200, other: 404, anonymous: 401 },
      'PUT /communities/{id}/points-rules': { owner: 200, admin: 403, helper: 403, member: 403, other: 404, anonymous: 401 },
      'GET /communities/{id}/points/me': { owner: 200, admin: 200, helper: 200, member: 200, other: 404, anonymous: 401 },
    };
    for (const [route, byRole] of Object.entries(expected)) {
      const [method, template] = route.split(' ') as [string, string];
      for (const [role, status] of Object.entries(byRole)) {
        const user = roles[role];
        const res = await h.call(method, template.replace('{id}', cid), {
          ...(user ? { token: user.token } : {}),
          ...(method === 'PUT' ? { body: RULES } : {}),
        });
        expect(res.status, `${route} as ${role}`).toBe(status);
      }
    }
  });
});

describe('spending points at settlement', () => {
  const SPEND = { ...RULES, spend: { enabled: true, fenPerPoint: 10, maxFenPerEntry: 500, maxPercentOfEntry: 20 } };

  async function setup(minParticipants = 1) {
    const cid = await community();
    await h.call('PUT', `/communities/${cid}/points-rules`, { token: owner.token, body: SPEND });
    const m = await member(cid, '王五');
    await earnPoints(
      h.db,
      cid,
      [{ userId: m.userId, ref: `seed:${m.userId}`, points: 100, reason: 'reviewed', campaignId: 'c_seed', entryId: 'e1_seed' }],
      T0,
    );
    h.clock.set(T0);
    const c = await h.createCampaign(owner.token, { minParticipants, communityId: cid });
    const joined = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    expect(joined.status).toBe(201);
    const path = `/campaigns/${c.id}/entries/${joined.body.id}/points`;
    return { cid, m, c, entryId: joined.body.id as string, path };
  }

  it('reserve within the limits, replace, release; at settlement the discount is its own line and the unused points go back', async () => {
    const { cid, m, c, entryId, path } = await setup();
    // 3990 fen: 20 % is 798, the per-entry cap 500 → at most 50 points of 10 fen.
    expect((await h.call('POST', path, { token: m.token, body: { points: 51 } })).status).toBe(400);
    expect((await h.call('POST', path, { token: owner.token, body: { points: 10 } })).status).toBe(403);
    let res = await h.call('POST', path, { token: m.token, body: { points: 30 } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ entryId, points: 30, estimatedDiscount: 300, balance: 70 });
    res = await h.call('POST', path, { token: m.token, body: { points: 45 } });
    expect(res.body).toMatchObject({ points: 45, balance: 55 });
    res = await h.call('DELETE', path, { token: m.token });
    expect(res.body).toMatchObject({ points: 0, estimatedDiscount: 0, balance: 100 });
    expect((await h.call('DELETE', path, { token: m.token })).body).toMatchObject({ points: 0, balance: 100 });
    expect((await h.call('POST', path, { token: m.token, body: { points: 50 } })).body).toMatchObject({ points: 50, balance: 50 });
    expect(await getPointsBalance(h.db, cid, m.userId)).toMatchObject({ earned: 100, spent: 50, balance: 50 });

    expect((await h.call('POST', `/campaigns/${c.id}/close`, { token: owner.token })).status).toBe(200);
    // Closed, not settled: still replaceable.
    expect((await h.call('POST', path, { token: m.token, body: { points: 40 } })).body).toMatchObject({ points: 40, balance: 60 });
    const settled = await h.call('POST', `/campaigns/${c.id}/settle`, { token: owner.token });
    expect(settled.status).toBe(200);
    expect(settled.body.entries[0]).toMatchObject({ amount: 3990, pointsDiscount: 400, pointsUsed: 40 });
    const payments = await h.call('GET', `/campaigns/${c.id}/payments`, { token: owner.token });
    expect(payments.body.entries[0]).toMatchObject({ amountDue: 3590, pointsDiscount: 400 });
    expect((await h.call('POST', path, { token: m.token, body: { points: 10 } })).status).toBe(409);
    expect((await h.call('DELETE', path, { token: m.token })).status).toBe(409);
    expect(await getPointsBalance(h.db, cid, m.userId)).toMatchObject({ earned: 100, spent: 40, balance: 60 });
    // Settling again changes nothing.
    expect((await h.call('POST', `/campaigns/${c.id}/settle`, { token: owner.token })).status).toBe(200);
    expect(await getPointsBalance(h.db, cid, m.userId)).toMatchObject({ spent: 40, balance: 60 });
  });

  it('a failed group gives every reserved point back; so does a call-off after settling', async () => {
    const failed = await setup(3);
    expect((await h.call('POST', failed.path, { token: failed.m.token, body: { points: 20 } })).status).toBe(200);
    await h.call('POST', `/campaigns/${failed.c.id}/close`, { token: owner.token });
    const res = await h.call('POST', `/campaigns/${failed.c.id}/settle`, { token: owner.token });
    expect(res.body.status).toBe('failed');
    expect(await getPointsBalance(h.db, failed.cid, failed.m.userId)).toMatchObject({ spent: 0, balance: 100 });

    const called = await setup(1);
    expect((await h.call('POST', called.path, { token: called.m.token, body: { points: 20 } })).status).toBe(200);
    await h.call('POST', `/campaigns/${called.c.id}/close`, { token: owner.token });
    await h.call('POST', `/campaigns/${called.c.id}/settle`, { token: owner.token });
    expect(await getPointsBalance(h.db, called.cid, called.m.userId)).toMatchObject({ spent: 20, balance: 80 });
    expect(
      (await h.call('POST', `/campaigns/${called.c.id}/call-off`, { token: owner.token, body: { reason: '供货商断货' } })).status,
    ).toBe(200);
    expect(await getPointsBalance(h.db, called.cid, called.m.userId)).toMatchObject({ spent: 0, balance: 100 });
  });

  it('concurrent reservations on one entry leave one hold, and hold + balance = what was earned', async () => {
    const { cid, m, path } = await setup();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => h.call('POST', path, { token: m.token, body: { points: 10 + i * 2 } })),
    );
    for (const r of results) expect([200, 409]).toContain(r.status);
    const b = await getPointsBalance(h.db, cid, m.userId);
    const hold = (await h.call('POST', path, { token: m.token, body: { points: 1 } })).body;
    expect(hold.balance).toBe(99);
    expect(b!.balance + b!.spent).toBe(100);
    expect(b!.balance).toBeGreaterThanOrEqual(0);
  });
});

describe('privacy', () => {
  it('GET /me/export lists my points ledger; DELETE /me keeps the numbers and takes my title off the list', async () => {
    const cid = await community({ public: true });
    await h.call('PUT', `/communities/${cid}/points-rules`, { token: owner.token, body: RULES });
    const m = await member(cid, '赵六');
    const { c, entry } = await settledWith(cid, m);
    await h.call('POST', `/campaigns/${c.id}/entries/${entry.id}/pickup`, { token: owner.token });
    const exported = await h.call('GET', '/me/export', { token: m.token });
    expect(exported.status).toBe(200);
    expect(exported.body.points).toEqual([
      expect.objectContaining({
        communityId: cid,
        earned: 3,
        balance: 3,
        events: [expect.objectContaining({ kind: 'earn', points: 3, reason: 'pickedUp' })],
      }),
    ]);
    expect((await h.call('GET', `/campaigns/${c.id}/entries`)).body.entries[0].title).toBe('团友');
    expect((await h.call('DELETE', '/me', { token: m.token })).status).toBe(200);
    const list = await h.call('GET', `/campaigns/${c.id}/entries`);
    expect(list.body.entries[0].title).toBeUndefined();
    expect(await getPointsBalance(h.db, cid, m.userId)).toMatchObject({ earned: 3, balance: 3 });
  });
});
