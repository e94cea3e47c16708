import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { doWork, sweepAndWork } from '../../shared/jobs/index.js';
import { createLogger } from '../../shared/logger.js';
import { foldCampaign, recordRefund } from '../../shared/numbers/index.js';
import { getPointsBalance } from '../../shared/points/index.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';

const logger = createLogger('silent');
type User = { token: string; userId: string };

let h: Harness;
let owner: User;
let m1: User;
let m2: User;
let m3: User;

const items = [
  { name: '阳光玫瑰', unitPrice: 3990, stock: 100 },
  { name: '苹果', unitPrice: 1000, stock: 100 },
];
const pickupPoints = [{ name: '门卫室' }, { name: '北门' }];

beforeAll(async () => {
  h = await harness();
  owner = await h.login('nb-owner', '团长老王');
  m1 = await h.login('nb-m1', '张阿姨');
  m2 = await h.login('nb-m2', '李叔');
  m3 = await h.login('nb-m3', '小周');
});

async function ok(method: string, path: string, token: string | undefined, status: number, body?: unknown) {
  const res = await h.call(method, path, { ...(token ? { token } : {}), ...(body !== undefined ? { body } : {}) });
  expect(res.status, `${method} ${path}: ${res.text.slice(0, 300)}`).toBe(status);
  return res;
}

const join = async (campaignId: string, who: User, itemId: string, qty: number, pickupPointId: string) =>
  (await ok('POST', `/campaigns/${campaignId}/entries`, who.token, 201, { items: [{ itemId, qty }], pickupPointId })).body;

async function settle(campaignId: string) {
  await ok('POST', `/campaigns/${campaignId}/close`, owner.token, 200);
  await ok('POST', `/campaigns/${campaignId}/settle`, owner.token, 200);
}

describe('member book and numbers', () => {
  let communityId: string;
  let a: { id: string; shareCode: string };
  let b: { id: string };
  const entries = {} as Record<'a1' | 'a2' | 'a3' | 'b1' | 'b2', { id: string }>;

  it('a leader builds a community from its first campaign; its settlement is folded by the deadline work', async () => {
    h.clock.set(T0);
    a = await h.createCampaign(owner.token, { title: '第一团', minParticipants: 1, items, pickupPoints, tierBasis: 'quantity' });
    communityId = (await ok('POST', '/communities', owner.token, 201, { name: '阳光花园', fromCampaignId: a.id })).body.id;
    await ok('PUT', `/communities/${communityId}/points-rules`, owner.token, 200, {
      earn: { joinSucceeded: 10, paidOnTime: 0, pickedUp: 0, reviewed: 0, referral: 0 },
      spend: { enabled: false, fenPerPoint: 1, maxFenPerEntry: 0, maxPercentOfEntry: 0 },
      titles: [],
    });
    await ok('POST', `/communities/${communityId}/members`, m1.token, 200, {});
    // Three share-page views of the published campaign (browser requests).
    for (let i = 0; i < 3; i++) {
      const page = await h.call('GET', `/s/${a.shareCode}`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
    }
    entries.a1 = await join(a.id, m1, 'i1', 2, 'p1');
    entries.a2 = await join(a.id, m2, 'i2', 1, 'p2');
    entries.a3 = await join(a.id, m3, 'i1', 1, 'p1');
    // Before the fold: views counted, nothing else.
    const before = await ok('GET', `/campaigns/${a.id}/numbers`, owner.token, 200);
    expect(before.body).toMatchObject({ foldedAt: null, totals: { views: 3, entries: 0 } });
    await settle(a.id);
    // A pickup between settling and the fold: the fold reads the mark.
    await ok('POST', `/campaigns/${a.id}/entries/${entries.a1.id}/pickup`, owner.token, 200);
    const report = await sweepAndWork(h.db, logger, h.deps.money);
    expect(report.folded).toEqual([a.id]);
    // Folded once: the due marker is gone, a second run finds every member folded.
    expect((await sweepAndWork(h.db, logger, h.deps.money)).folded).toBeUndefined();
    expect(await foldCampaign(h.db, a.id)).toEqual({ folded: 0, already: 3, totals: false });
    expect(await doWork({ db: h.db, money: h.deps.money, logger }, { kind: 'fold', campaignId: a.id })).toEqual({
      done: true,
      result: 'folded',
    });

    const book = await ok('GET', `/communities/${communityId}/members/${m1.userId}`, owner.token, 200);
    expect(book.body).toMatchObject({
      status: 'active',
      book: { campaigns: 1, units: 2, amount: 7980, refunded: 0, pickups: 1, noShows: 0, firstJoinAt: T0, lastJoinAt: T0 },
    });
    // m2 bought without joining the community: a customer row of the member book.
    const m2Book = await ok('GET', `/communities/${communityId}/members/${m2.userId}`, owner.token, 200);
    expect(m2Book.body).toMatchObject({ status: 'customer', nickname: '李叔', book: { campaigns: 1, units: 1, amount: 1000 } });
    expect((await getPointsBalance(h.db, communityId, m1.userId))?.earned).toBe(10);
  });

  it('closing the pickup counts each entry not picked up once as a no-show; a late pickup takes it back', async () => {
    const closed = await ok('POST', `/campaigns/${a.id}/pickups/close`, owner.token, 200);
    expect(closed.body).toMatchObject({ noShows: 2, pickedUp: 1, waiting: 2 });
    expect((await ok('POST', `/campaigns/${a.id}/pickups/close`, owner.token, 200)).body).toMatchObject({ noShows: 0 });
    await ok('POST', `/campaigns/${a.id}/entries/${entries.a3.id}/pickup`, owner.token, 200);
    expect((await ok('POST', `/campaigns/${a.id}/pickups/close`, owner.token, 200)).body).toMatchObject({ noShows: 0, pickedUp: 2 });
    const numbers = await ok('GET', `/campaigns/${a.id}/numbers`, owner.token, 200);
    expect(numbers.body).toMatchObject({
      status: 'settled',
      totals: {
        entries: 3,
        purchases: 3,
        newMembers: 3,
        returning: 0,
        units: 4,
        revenue: 2 * 3990 + 1000 + 3990,
        pickups: 2,
        noShows: 1,
        views: 3,
      },
      derived: { conversion: 1, averageOrder: Math.round((2 * 3990 + 1000 + 3990) / 3) },
    });
    expect(numbers.body.topItemsByUnits[0]).toMatchObject({ key: 'i1', name: '阳光玫瑰', units: 3, amount: 3 * 3990 });
    expect(numbers.body.pickupPoints).toEqual(
      expect.arrayContaining([
        { key: 'p1', name: '门卫室', entries: 2, units: 3, amount: 3 * 3990, pickups: 2, noShows: 0 },
        { key: 'p2', name: '北门', entries: 1, units: 1, amount: 1000, pickups: 0, noShows: 1 },
      ]),
    );
    const m3Book = await ok('GET', `/communities/${communityId}/members/${m3.userId}`, owner.token, 200);
    expect(m3Book.body.book).toMatchObject({ pickups: 1, noShows: 0 });
  });

  it('members buying again within 30 days are returning and repeat purchases; a refund counts once and a full one takes the points back', async () => {
    h.clock.set('2026-12-10T02:00:00.000Z');
    b = await h.createCampaign(owner.token, {
      title: '第二团',
      minParticipants: 1,
      items,
      pickupPoints,
      communityId,
      opensAt: '2026-12-10T02:00:00.000Z',
      closesAt: '2026-12-12T12:00:00.000Z',
    });
    entries.b1 = await join(b.id, m1, 'i2', 3, 'p1');
    entries.b2 = await join(b.id, m2, 'i2', 1, 'p2');
    await settle(b.id);
    expect((await sweepAndWork(h.db, logger, h.deps.money)).folded).toEqual([b.id]);
    expect((await getPointsBalance(h.db, communityId, m2.userId))?.balance).toBe(20);
    expect(await recordRefund(h.db, b.id, entries.b2.id, 1000, 'refund-1')).toBe(true);
    expect(await recordRefund(h.db, b.id, entries.b2.id, 1000, 'refund-1')).toBe(false);
    expect((await getPointsBalance(h.db, communityId, m2.userId))?.balance).toBe(10);

    const m2Book = await ok('GET', `/communities/${communityId}/members/${m2.userId}`, owner.token, 200);
    expect(m2Book.body.book).toMatchObject({
      campaigns: 2,
      units: 2,
      amount: 2000,
      refunded: 1000,
      noShows: 1,
      lastJoinAt: '2026-12-10T02:00:00.000Z',
    });
    const list = await ok('GET', `/communities/${communityId}/members?limit=50`, owner.token, 200);
    const byId = new Map(list.body.members.map((m: { userId: string }) => [m.userId, m]));
    expect(byId.get(m1.userId)).toMatchObject({ book: { campaigns: 2, units: 5, amount: 7980 + 3000 } });
    expect(list.body.members.filter((m: { status: string }) => m.status === 'customer')).toHaveLength(2);

    const numbers = await ok('GET', `/communities/${communityId}/numbers?days=30`, owner.token, 200);
    expect(numbers.body.totals).toMatchObject({
      purchases: 5,
      newMembers: 3,
      returning: 2,
      repeat30: 2,
      repeat90: 2,
      entries: 5,
      campaigns: 2,
      revenue: 2 * 3990 + 1000 + 3990 + 3000 + 1000,
      refunded: 1000,
      pickups: 2,
      noShows: 1,
      views: 3,
    });
    expect(numbers.body.derived).toMatchObject({ repeatRate30: 0.4, repeatRate90: 0.4, conversion: Math.round((5 / 3) * 10_000) / 10_000 });
    expect(numbers.body.days).toHaveLength(30);
    expect(numbers.body.days.at(-1)).toMatchObject({ day: '2026-12-10', purchases: 2, returning: 2, refunded: 1000 });
    expect(numbers.body.days.find((d: { day: string }) => d.day === '2026-12-01')).toMatchObject({ purchases: 3, newMembers: 3, views: 3 });
    expect(numbers.body.topItemsByUnits.map((i: { name: string; units: number }) => [i.name, i.units])).toEqual([
      ['苹果', 5],
      ['阳光玫瑰', 3],
    ]);
    expect(numbers.body.topItemsByAmount[0]).toMatchObject({ name: '阳光玫瑰', amount: 3 * 3990 });
    // 45 days on, the first campaign's purchases are outside the 30-day window but within 90.
    h.clock.set('2027-01-15T02:00:00.000Z');
    const later = await ok('GET', `/communities/${communityId}/numbers?days=7`, owner.token, 200);
    expect(later.body.days).toHaveLength(7);
    expect(later.body.derived).toMatchObject({ repeatRate30: null, repeatRate90: 0.4 });
    expect((await h.call('GET', `/communities/${communityId}/numbers?days=0`, { token: owner.token })).status).toBe(400);
  });

  it('a campaign called off after its fold takes back the points its entries earned; one called off before is never folded', async () => {
    h.clock.set('2026-12-20T02:00:00.000Z');
    const campaign = () =>
      h.createCampaign(owner.token, {
        minParticipants: 1,
        items,
        pickupPoints,
        communityId,
        opensAt: '2026-12-20T02:00:00.000Z',
        closesAt: '2026-12-22T12:00:00.000Z',
      });
    const c = await campaign();
    await join(c.id, m3, 'i2', 1, 'p1');
    await settle(c.id);
    await sweepAndWork(h.db, logger, h.deps.money);
    const before = (await getPointsBalance(h.db, communityId, m3.userId))!;
    expect(before.earned).toBe(20);
    await ok('POST', `/campaigns/${c.id}/call-off`, owner.token, 200, { reason: '供货商断货' });
    expect(await getPointsBalance(h.db, communityId, m3.userId)).toMatchObject({ balance: before.balance - 10, reversed: 10 });
    // Before the fold: the fold finds it called off and counts nothing.
    const d = await campaign();
    await join(d.id, m3, 'i2', 1, 'p1');
    await settle(d.id);
    await ok('POST', `/campaigns/${d.id}/call-off`, owner.token, 200, { reason: '供货商断货' });
    expect(await foldCampaign(h.db, d.id)).toEqual({ folded: 0, already: 0, totals: false });
    expect((await sweepAndWork(h.db, logger, h.deps.money)).folded).toBeUndefined();
    const book = await ok('GET', `/communities/${communityId}/members/${m3.userId}`, owner.token, 200);
    expect(book.body.book.campaigns).toBe(2);
  });

  it('the member book exports as csv and xlsx', async () => {
    const csv = await ok('GET', `/communities/${communityId}/members/export?format=csv`, owner.token, 200);
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toContain('参团次数');
    const m1Line = lines.find((l) => l.startsWith(m1.userId))!;
    expect(m1Line).toContain('张阿姨');
    expect(m1Line.split(',').slice(6, 12)).toEqual(['2', '5', '109.80', '0.00', '1', '0']);
    const xlsx = await h.app.request(`/communities/${communityId}/members/export`, { headers: { authorization: `Bearer ${owner.token}` } });
    expect(xlsx.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await xlsx.arrayBuffer());
    expect(wb.worksheets[0]!.rowCount).toBe(1 + 4);
  });

  it('a customer who joins the community keeps their member book; the counts by standing count them once', async () => {
    const before = (await ok('GET', `/communities/${communityId}`, owner.token, 200)).body.staff.counts;
    expect((await ok('GET', `/communities/${communityId}/members?status=customer`, owner.token, 200)).body.members).toHaveLength(2);
    await ok('POST', `/communities/${communityId}/members`, m3.token, 200, {});
    const m3Book = await ok('GET', `/communities/${communityId}/members/${m3.userId}`, m3.token, 200);
    expect(m3Book.body).toMatchObject({ status: 'active', joinedAt: T0, book: { campaigns: 2, pickups: 1 } });
    const after = (await ok('GET', `/communities/${communityId}`, owner.token, 200)).body.staff.counts;
    expect(after.active).toBe(before.active + 1);
  });

  it('an erased member stays counted but anonymous', async () => {
    await ok('PATCH', `/communities/${communityId}/members/${m2.userId}`, owner.token, 200, { note: '爱吃苹果', tags: ['熟客'] });
    await ok('DELETE', '/me', m2.token, 200);
    const m2Book = await ok('GET', `/communities/${communityId}/members/${m2.userId}`, owner.token, 200);
    expect(m2Book.body).toMatchObject({
      nickname: '已注销用户',
      note: null,
      tags: [],
      book: { campaigns: 2, amount: 2000, refunded: 1000 },
    });
    const numbers = await ok('GET', `/communities/${communityId}/numbers`, owner.token, 200);
    // Five purchases, and the one of the campaign called off after its fold (it stays counted, README).
    expect(numbers.body.totals).toMatchObject({ purchases: 6, revenue: 2 * 3990 + 1000 + 3990 + 3000 + 1000 + 1000 });
  });
});
