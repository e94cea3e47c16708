import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeStanding, createCommunity } from '../../shared/communities/index.js';
import { reviewStatsDelta, toReviewStats } from '../../shared/domain/index.js';
import { type FakeWechat, SEC_CHECK_MARKERS, startFakeWechat } from '../../shared/wechat/fake/index.js';
import { WechatServerApi } from '../../shared/wechat/index.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';
import { photoPng, uploadTo } from '../helpers/images.js';

let h: Harness;
let fake: FakeWechat;
let owner: { token: string; userId: string };
let k = 0;

const RULES = {
  earn: { joinSucceeded: 0, paidOnTime: 0, pickedUp: 0, reviewed: 2, referral: 0 },
  spend: { enabled: false, fenPerPoint: 1, maxFenPerEntry: 0, maxPercentOfEntry: 0 },
  titles: [{ minPoints: 2, title: '点评达人' }],
};

const ITEMS = [
  { name: '阳光玫瑰', spec: '2斤', unitPrice: 3990, stock: 500, perPersonLimit: 5, tiers: [] },
  { name: '麒麟瓜', spec: '1个', unitPrice: 2990, stock: 500, perPersonLimit: 5, tiers: [] },
];

beforeAll(async () => {
  fake = await startFakeWechat();
  h = await harness({
    contentCheck: (db) => ({
      api: new WechatServerApi(db, { apiBase: fake.url, appId: fake.appId, secret: fake.secret, timeoutMs: 3000 }),
    }),
  });
  owner = await h.login('rv-owner', '团长老王');
});

afterAll(async () => {
  await fake?.close();
});

async function community() {
  const id = `m_rv${k++}`;
  await createCommunity(
    h.db,
    { id, ownerId: owner.userId, name: '阳光花园', description: '', joinRule: 'open', public: true, cover: null, createdAt: T0 },
    { nickname: '团长老王' },
  );
  expect((await h.call('PUT', `/communities/${id}/points-rules`, { token: owner.token, body: RULES })).status).toBe(200);
  return id;
}

async function member(communityId: string, name: string) {
  const u = await h.login(`rv-m${k++}`, name);
  await changeStanding(h.db, communityId, u.userId, () => ({
    change: { status: 'active', role: 'member', following: false },
    result: null,
  }));
  return u;
}

/** A settled campaign of the community; each member joined with `lines`; returns their entries. */
async function settled(communityId: string, members: Array<{ token: string; userId: string }>, lines = [{ itemId: 'i1', qty: 1 }]) {
  h.clock.set(T0);
  const c = await h.createCampaign(owner.token, { minParticipants: 1, communityId, items: ITEMS });
  const entries = [];
  for (const m of members) {
    const res = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: lines } });
    expect(res.status).toBe(201);
    entries.push(res.body);
  }
  expect((await h.call('POST', `/campaigns/${c.id}/close`, { token: owner.token })).status).toBe(200);
  expect((await h.call('POST', `/campaigns/${c.id}/settle`, { token: owner.token })).status).toBe(200);
  h.clock.set('2026-12-05T09:00:00.000Z');
  return { c, entries };
}

const pickUp = async (campaignId: string, entryId: string) =>
  expect((await h.call('POST', `/campaigns/${campaignId}/entries/${entryId}/pickup`, { token: owner.token })).status).toBe(200);

describe('reviews (评价)', () => {
  it('only the entry’s member, only after pickup; one review per entry, a second write edits it; points earned once', async () => {
    const cid = await community();
    const m = await member(cid, '张三丰');
    const other = await member(cid, '李四');
    const { c, entries } = await settled(cid, [m, other]);
    const e = entries[0]!;
    const path = `/campaigns/${c.id}/entries/${e.id}/review`;
    const body = { rating: 5, text: '很甜，下次还买' };

    const early = await h.call('PUT', path, { token: m.token, body });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('INVALID_STATE');
    await pickUp(c.id, e.id);

    expect((await h.call('PUT', path, { body })).status).toBe(401);
    expect((await h.call('PUT', path, { token: other.token, body })).status).toBe(403);
    expect((await h.call('PUT', path, { token: owner.token, body })).status).toBe(403);
    expect((await h.call('PUT', `/campaigns/${c.id}/entries/e999_nope/review`, { token: m.token, body })).status).toBe(404);
    for (const bad of [
      { rating: 0 },
      { rating: 6 },
      { rating: 4.5 },
      { rating: 3, text: 'x'.repeat(501) },
      { rating: 3, photos: ['u_x', 'u_y', 'u_z', 'u_w'] },
    ]) {
      const res = await h.call('PUT', path, { token: m.token, body: bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    // Photos need the photo store, which this server does not have: 503, nothing written.
    const noStore = await h.call('PUT', path, { token: m.token, body: { rating: 3, photos: [`u_${'a'.repeat(25)}`] } });
    expect(noStore.status).toBe(503);
    expect((await h.call('GET', `/campaigns/${c.id}/reviews`)).body.stats.count).toBe(0);

    const first = await h.call('PUT', path, { token: m.token, body });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      created: true,
      pointsEarned: 1,
      review: { rating: 5, text: '很甜，下次还买', nickname: '张三丰', isMine: true },
    });
    h.clock.advance(60_000);
    const edit = await h.call('PUT', path, { token: m.token, body: { rating: 3, text: '有几颗坏了' } });
    expect(edit.status).toBe(200);
    expect(edit.body).toMatchObject({ created: false, pointsEarned: 0, review: { rating: 3, text: '有几颗坏了' } });
    expect(edit.body.review.createdAt).toBe(first.body.review.createdAt);

    const points = (await h.call('GET', `/communities/${cid}/points/me`, { token: m.token })).body;
    expect(points).toMatchObject({ earned: 2, balance: 2, title: '点评达人' });
    expect(points.events).toEqual([
      expect.objectContaining({ reason: 'reviewed', points: 2, entryId: e.id, ref: `review:${c.id}:${e.id}` }),
    ]);

    const list = await h.call('GET', `/campaigns/${c.id}/reviews`);
    expect(list.status).toBe(200);
    expect(list.body.stats).toEqual({
      count: 1,
      ratingSum: 3,
      average: 3,
      histogram: [0, 0, 1, 0, 0],
      items: [{ itemId: 'i1', count: 1, ratingSum: 3, average: 3 }],
    });
    expect(list.body.reviews).toEqual([
      expect.objectContaining({
        entryId: e.id,
        nickname: '张*',
        title: '点评达人',
        rating: 3,
        isMine: false,
        erased: false,
        reply: null,
        photoCount: 0,
      }),
    ]);
    expect(list.body.reviews[0].photoLinks).toBeUndefined();
    // The staff see the full name.
    expect((await h.call('GET', `/campaigns/${c.id}/reviews`, { token: owner.token })).body.reviews[0].nickname).toBe('张三丰');
  });

  it('the member deletes their review: the score loses it, the points go back once; reviewing again earns nothing more', async () => {
    const cid = await community();
    const m = await member(cid, '钱七');
    const other = await member(cid, '孙八');
    const { c, entries } = await settled(cid, [m, other]);
    for (const e of entries) await pickUp(c.id, e.id);
    const path = (i: number) => `/campaigns/${c.id}/entries/${entries[i]!.id}/review`;
    await h.call('PUT', path(0), { token: m.token, body: { rating: 2, text: '一般' } });
    await h.call('PUT', path(1), { token: other.token, body: { rating: 5, text: '好' } });
    const mine = async () => (await h.call('GET', `/communities/${cid}/points/me`, { token: m.token })).body;
    expect((await mine()).balance).toBe(2);

    expect((await h.call('DELETE', path(0), { token: other.token })).status).toBe(403);
    expect((await h.call('DELETE', path(0), { token: owner.token })).status).toBe(403);
    expect((await h.call('DELETE', path(0))).status).toBe(401);
    const del = await h.call('DELETE', path(0), { token: m.token });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ deleted: true, pointsReversed: 1 });
    expect(await mine()).toMatchObject({ earned: 2, reversed: 2, balance: 0, title: null });
    const list = (await h.call('GET', `/campaigns/${c.id}/reviews`)).body;
    expect(list.stats).toEqual({
      count: 1,
      ratingSum: 5,
      average: 5,
      histogram: [0, 0, 0, 0, 1],
      items: [{ itemId: 'i1', count: 1, ratingSum: 5, average: 5 }],
    });
    expect(list.reviews.map((r: any) => r.entryId)).toEqual([entries[1]!.id]);
    expect((await h.call('DELETE', path(0), { token: m.token })).body).toEqual({ deleted: false, pointsReversed: 0 });

    const again = await h.call('PUT', path(0), { token: m.token, body: { rating: 4, text: '再评' } });
    expect(again.body).toMatchObject({ created: true, pointsEarned: 0 });
    expect((await mine()).balance).toBe(0);
    expect((await h.call('GET', `/campaigns/${c.id}/reviews`)).body.stats).toMatchObject({ count: 2, ratingSum: 9 });
    // The campaign's and the community's numbers moved with every write, withdrawal and rewrite.
    const campaignNumbers = (await h.call('GET', `/campaigns/${c.id}/numbers`, { token: owner.token })).body;
    expect(campaignNumbers.totals).toMatchObject({ reviewsCount: 2, ratingSum: 9 });
    const communityNumbers = (await h.call('GET', `/communities/${cid}/numbers?days=7`, { token: owner.token })).body;
    expect(communityNumbers.totals).toMatchObject({ reviewsCount: 2, ratingSum: 9 });
    expect(communityNumbers.days.find((d: { day: string }) => d.day === '2026-12-05')).toMatchObject({ reviewsCount: 2, ratingSum: 9 });
  });

  it('a risky text is 422 CONTENT_REJECTED and writes nothing; a [review] verdict is kept and flagged', async () => {
    const cid = await community();
    const m = await member(cid, '王五');
    const { c, entries } = await settled(cid, [m]);
    await pickUp(c.id, entries[0]!.id);
    const path = `/campaigns/${c.id}/entries/${entries[0]!.id}/review`;
    const risky = await h.call('PUT', path, { token: m.token, body: { rating: 1, text: `骗子 ${SEC_CHECK_MARKERS.risky}` } });
    expect(risky.status).toBe(422);
    expect(risky.body.error).toMatchObject({ code: 'CONTENT_REJECTED', details: { field: 'body.text' } });
    expect((await h.call('GET', `/campaigns/${c.id}/reviews`)).body).toMatchObject({ stats: { count: 0 }, reviews: [] });
    expect((await h.call('GET', `/communities/${cid}/points/me`, { token: m.token })).body.earned).toBe(0);

    fake.secCheckDown = true;
    try {
      expect((await h.call('PUT', path, { token: m.token, body: { rating: 4, text: '还行' } })).status).toBe(503);
    } finally {
      fake.secCheckDown = false;
    }
    expect((await h.call('PUT', path, { token: m.token, body: { rating: 4, text: `还行 ${SEC_CHECK_MARKERS.review}` } })).status).toBe(200);
    expect((await h.call('GET', `/campaigns/${c.id}/reviews`)).body.stats.count).toBe(1);
    // The flag is for the staff.
    expect((await h.call('GET', `/campaigns/${c.id}/reviews`, { token: owner.token })).body.reviews[0].contentReview).toEqual(['text']);
    expect((await h.call('GET', `/campaigns/${c.id}/reviews`)).body.reviews[0].contentReview).toBeUndefined();
  });

  it('the staff reply (replacing), others may not; replies are checked; per-item filter and newest-first paging', async () => {
    const cid = await community();
    const ms = [await member(cid, '甲'), await member(cid, '乙'), await member(cid, '丙')];
    h.clock.set(T0);
    const c = await h.createCampaign(owner.token, { minParticipants: 1, communityId: cid, items: ITEMS });
    const helper = await h.login(`rv-helper-${k++}`, '助手');
    expect((await h.call('POST', `/campaigns/${c.id}/helpers`, { token: owner.token, body: { userId: helper.userId } })).status).toBe(201);
    const lines = [
      [{ itemId: 'i1', qty: 1 }],
      [{ itemId: 'i2', qty: 1 }],
      [
        { itemId: 'i1', qty: 1 },
        { itemId: 'i2', qty: 2 },
      ],
    ];
    const entries: any[] = [];
    for (const [i, m] of ms.entries())
      entries.push((await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: lines[i] } })).body);
    await h.call('POST', `/campaigns/${c.id}/close`, { token: owner.token });
    await h.call('POST', `/campaigns/${c.id}/settle`, { token: owner.token });
    h.clock.set('2026-12-05T09:00:00.000Z');
    for (const [i, e] of entries.entries()) {
      await pickUp(c.id, e.id);
      h.clock.advance(1000);
      const res = await h.call('PUT', `/campaigns/${c.id}/entries/${e.id}/review`, {
        token: ms[i]!.token,
        body: { rating: i + 3, text: `评价${i}` },
      });
      expect(res.status).toBe(200);
    }
    const all = (await h.call('GET', `/campaigns/${c.id}/reviews`)).body;
    expect(all.reviews.map((r: any) => r.text)).toEqual(['评价2', '评价1', '评价0']);
    expect(all.stats).toMatchObject({ count: 3, ratingSum: 12, average: 4, histogram: [0, 0, 1, 1, 1] });
    expect(all.stats.items).toEqual([
      { itemId: 'i1', count: 2, ratingSum: 8, average: 4 },
      { itemId: 'i2', count: 2, ratingSum: 9, average: 4.5 },
    ]);
    const i2 = (await h.call('GET', `/campaigns/${c.id}/reviews?itemId=i2`)).body;
    expect(i2.reviews.map((r: any) => r.text)).toEqual(['评价2', '评价1']);
    // Paging: two pages of two and one, then the end.
    const p1 = (await h.call('GET', `/campaigns/${c.id}/reviews?limit=2`)).body;
    expect(p1.reviews).toHaveLength(2);
    const p2 = (await h.call('GET', `/campaigns/${c.id}/reviews?limit=2&cursor=${p1.nextCursor}`)).body;
    expect(p2.reviews.map((r: any) => r.text)).toEqual(['评价0']);
    expect((await h.call('GET', `/campaigns/${c.id}/reviews?cursor=garbage`)).status).toBe(400);

    const replyPath = `/campaigns/${c.id}/reviews/${entries[0].id}/reply`;
    expect((await h.call('PUT', replyPath, { token: ms[1]!.token, body: { text: '谢谢' } })).status).toBe(403);
    expect((await h.call('PUT', replyPath, { body: { text: '谢谢' } })).status).toBe(401);
    const reply = await h.call('PUT', replyPath, { token: helper.token, body: { text: '谢谢支持' } });
    expect(reply.status).toBe(200);
    expect(reply.body.reply.text).toBe('谢谢支持');
    expect((await h.call('PUT', replyPath, { token: owner.token, body: { text: '下次再来' } })).body.reply.text).toBe('下次再来');
    const risky = await h.call('PUT', replyPath, { token: owner.token, body: { text: SEC_CHECK_MARKERS.risky } });
    expect(risky.status).toBe(422);
    const shown = (await h.call('GET', `/campaigns/${c.id}/reviews`)).body.reviews.find((r: any) => r.entryId === entries[0].id);
    expect(shown.reply.text).toBe('下次再来');
    expect((await h.call('PUT', `/campaigns/${c.id}/reviews/e999_none/reply`, { token: owner.token, body: { text: '好' } })).status).toBe(
      404,
    );
    expect((await h.call('GET', `/campaigns/c_missing/reviews`)).status).toBe(404);
  });

  it('50 members reviewing at once (and editing at once): the counters equal a recount of the reviews', async () => {
    const cid = await community();
    const ms: Array<{ token: string; userId: string }> = [];
    for (let i = 0; i < 50; i++) ms.push(await member(cid, `团友${i}`));
    const { c, entries } = await settled(cid, ms, [{ itemId: 'i1', qty: 1 }]);
    for (const e of entries) await pickUp(c.id, e.id);
    const ratingOf = (i: number, round: number) => ((i * 7 + round * 3) % 5) + 1;
    const write = (i: number, round: number) =>
      h.call('PUT', `/campaigns/${c.id}/entries/${entries[i].id}/review`, {
        token: ms[i]!.token,
        body: { rating: ratingOf(i, round), text: `r${round}` },
      });
    const firsts = await Promise.all(ms.map((_, i) => write(i, 0)));
    expect(firsts.filter((r) => r.status !== 200).map((r) => r.text)).toEqual([]);
    // Every tenth member writes twice at once more: each pair ends in one of the two ratings.
    const again = await Promise.all(ms.flatMap((_, i) => (i % 10 === 0 ? [write(i, 1), write(i, 2)] : [])));
    expect(again.map((r) => r.status)).toEqual(again.map(() => 200));

    const reviews = [];
    let cursor: string | null = null;
    do {
      const page: any = (await h.call('GET', `/campaigns/${c.id}/reviews?limit=20${cursor ? `&cursor=${cursor}` : ''}`)).body;
      reviews.push(...page.reviews);
      cursor = page.nextCursor;
    } while (cursor);
    expect(reviews).toHaveLength(50);
    // The naive recomputation: fold every review as if it were written once.
    const delta: Record<string, number> = {};
    for (const r of reviews) for (const [n, v] of Object.entries(reviewStatsDelta(null, r))) delta[n] = (delta[n] ?? 0) + v;
    const stats = (await h.call('GET', `/campaigns/${c.id}/reviews`)).body.stats;
    expect(stats).toEqual(toReviewStats(delta, ['i1', 'i2']));
    expect(stats.count).toBe(50);
    expect(stats.histogram.reduce((a: number, b: number) => a + b, 0)).toBe(50);
    const numbers = (await h.call('GET', `/campaigns/${c.id}/numbers`, { token: owner.token })).body;
    expect(numbers.totals).toMatchObject({ reviewsCount: 50, ratingSum: stats.ratingSum });
    // Points: once per entry, whatever the edits.
    const points = (await h.call('GET', `/communities/${cid}/points/me`, { token: ms[0]!.token })).body;
    expect(points.earned).toBe(2);
  }, 120_000);

  it('export lists my reviews; erasure keeps the rating in the score and shows an erased member without text', async () => {
    const cid = await community();
    const m = await member(cid, '赵六');
    const { c, entries } = await settled(cid, [m]);
    await pickUp(c.id, entries[0]!.id);
    await h.call('PUT', `/campaigns/${c.id}/entries/${entries[0]!.id}/review`, { token: m.token, body: { rating: 2, text: '送晚了' } });
    await h.call('PUT', `/campaigns/${c.id}/reviews/${entries[0]!.id}/reply`, { token: owner.token, body: { text: '抱歉' } });
    const exported = (await h.call('GET', '/me/export', { token: m.token })).body;
    expect(exported.reviews).toEqual([
      expect.objectContaining({ campaignId: c.id, entryId: entries[0]!.id, rating: 2, text: '送晚了', reply: '抱歉' }),
    ]);

    expect((await h.call('DELETE', '/me', { token: m.token })).status).toBe(200);
    const list = (await h.call('GET', `/campaigns/${c.id}/reviews`, { token: owner.token })).body;
    expect(list.stats).toMatchObject({ count: 1, ratingSum: 2 });
    expect(list.reviews[0]).toMatchObject({ nickname: '已注销用户', text: '', photoCount: 0, erased: true, title: null, rating: 2 });
  });

  it('photos (a campaign outside any community: no points): checked uploads, private links for the author and staff only', async () => {
    const hp = await harness({ images: {} });
    const leader = await hp.login('rvp-leader', '团长');
    const m = await hp.login('rvp-m', '拍照的人');
    const other = await hp.login('rvp-o', '路人');
    hp.clock.set(T0);
    const c = await hp.createCampaign(leader.token, { minParticipants: 1 });
    const e = (await hp.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } })).body;
    await hp.call('POST', `/campaigns/${c.id}/close`, { token: leader.token });
    await hp.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token });
    hp.clock.set('2026-12-05T09:00:00.000Z');
    expect((await hp.call('POST', `/campaigns/${c.id}/entries/${e.id}/pickup`, { token: leader.token })).status).toBe(200);
    const photo = async (list: Buffer) => {
      const g = await hp.call('POST', `/campaigns/${c.id}/entries/${e.id}/after-sale/uploads`, {
        token: m.token,
        body: { contentType: 'image/png' },
      });
      expect(g.status).toBe(201);
      expect((await uploadTo(g.body.forms.list, list)).status).toBe(204);
      expect((await uploadTo(g.body.forms.detail, photoPng(800, 600))).status).toBe(204);
      return g.body.uploadId as string;
    };
    const path = `/campaigns/${c.id}/entries/${e.id}/review`;
    const bad = await hp.call('PUT', path, { token: m.token, body: { rating: 5, photos: [await photo(Buffer.from('not an image'))] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('UPLOAD_INVALID');
    expect((await hp.call('GET', `/campaigns/${c.id}/reviews`)).body.stats.count).toBe(0);
    const ids = [await photo(photoPng(200, 150)), await photo(photoPng(200, 150))];
    const ok = await hp.call('PUT', path, { token: m.token, body: { rating: 5, text: '实拍', photos: ids } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ created: true, pointsEarned: 0, review: { photoCount: 2 } });
    const asLeader = (await hp.call('GET', `/campaigns/${c.id}/reviews`, { token: leader.token })).body.reviews[0];
    expect(asLeader.photoLinks.map((p: any) => p.id)).toEqual(ids);
    expect((await fetch(asLeader.photoLinks[0].list)).status).toBe(200);
    const asOther = (await hp.call('GET', `/campaigns/${c.id}/reviews`, { token: other.token })).body.reviews[0];
    expect(asOther).toMatchObject({ photoCount: 2, nickname: '拍*' });
    expect(asOther.photoLinks).toBeUndefined();
  });
});

describe('reviews: the staff remove one (DELETE /campaigns/{id}/reviews/{entryId})', () => {
  const numbersOf = async (campaignId: string, communityId: string) => ({
    campaign: (await h.call('GET', `/campaigns/${campaignId}/numbers`, { token: owner.token })).body.totals,
    community: (await h.call('GET', `/communities/${communityId}/numbers?days=7`, { token: owner.token })).body.totals,
  });

  it('the staff or the community’s team remove with a reason: list, score and numbers lose it; the author keeps a removed record and cannot review again', async () => {
    const cid = await community();
    const m = await member(cid, '周九');
    const other = await member(cid, '吴十');
    const admin = await member(cid, '管理员小郑');
    await changeStanding(h.db, cid, admin.userId, () => ({ change: { status: 'active', role: 'admin', following: false }, result: null }));
    const outsider = await h.login(`rv-out${k++}`, '路人');
    const { c, entries } = await settled(cid, [m, other]);
    for (const e of entries) await pickUp(c.id, e.id);
    const own = (i: number) => `/campaigns/${c.id}/entries/${entries[i]!.id}/review`;
    expect((await h.call('PUT', own(0), { token: m.token, body: { rating: 1, text: '加微信买更便宜 vx123' } })).status).toBe(200);
    expect((await h.call('PUT', own(1), { token: other.token, body: { rating: 5, text: '好' } })).status).toBe(200);
    const path = `/campaigns/${c.id}/reviews/${entries[0]!.id}`;
    const reason = '广告';

    // Who may not: the author, another member, someone outside the community, nobody signed in.
    for (const u of [m, other, outsider]) expect((await h.call('DELETE', path, { token: u.token, body: { reason } })).status).toBe(403);
    expect((await h.call('DELETE', path, { body: { reason } })).status).toBe(401);
    // A reason is required, 1–200 characters; an entry without a review is 404.
    for (const body of [{}, { reason: '' }, { reason: '   ' }, { reason: 'x'.repeat(201) }]) {
      const res = await h.call('DELETE', path, { token: owner.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await h.call('DELETE', `/campaigns/${c.id}/reviews/e999_nope`, { token: owner.token, body: { reason } })).status).toBe(404);
    expect((await h.call('GET', `/campaigns/${c.id}/reviews`)).body.stats.count).toBe(2);

    h.clock.advance(60_000);
    const removedAt = h.clock.now().toISOString();
    const removal = await h.call('DELETE', path, { token: admin.token, body: { reason } });
    expect(removal.status).toBe(200);
    expect(removal.body).toEqual({
      campaignId: c.id,
      entryId: entries[0]!.id,
      removedAt,
      removedBy: admin.userId,
      reason,
      removedNow: true,
    });

    const list = (await h.call('GET', `/campaigns/${c.id}/reviews`, { token: owner.token })).body;
    expect(list.reviews.map((r: { entryId: string }) => r.entryId)).toEqual([entries[1]!.id]);
    expect(list.stats).toEqual({
      count: 1,
      ratingSum: 5,
      average: 5,
      histogram: [0, 0, 0, 0, 1],
      items: [{ itemId: 'i1', count: 1, ratingSum: 5, average: 5 }],
    });
    const numbers = await numbersOf(c.id, cid);
    expect(numbers.campaign).toMatchObject({ reviewsCount: 1, ratingSum: 5 });
    expect(numbers.community).toMatchObject({ reviewsCount: 1, ratingSum: 5 });

    // A repeat (by another of the staff) changes nothing and answers the first removal.
    h.clock.advance(60_000);
    const again = await h.call('DELETE', path, { token: owner.token, body: { reason: '重复' } });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...removal.body, removedNow: false });
    expect((await h.call('GET', `/campaigns/${c.id}/reviews`)).body.stats).toMatchObject({ count: 1, ratingSum: 5 });
    expect(await numbersOf(c.id, cid)).toEqual(numbers);

    // The author cannot write it again nor delete it; nobody replies under it.
    const rewrite = await h.call('PUT', own(0), { token: m.token, body: { rating: 5, text: '改好评' } });
    expect(rewrite.status).toBe(409);
    expect(rewrite.body.error.code).toBe('INVALID_STATE');
    const withdraw = await h.call('DELETE', own(0), { token: m.token });
    expect(withdraw.status).toBe(409);
    expect(withdraw.body.error.code).toBe('INVALID_STATE');
    expect((await h.call('PUT', `${path}/reply`, { token: owner.token, body: { text: '已处理' } })).status).toBe(404);
    expect((await h.call('GET', `/campaigns/${c.id}/reviews`)).body.stats).toMatchObject({ count: 1, ratingSum: 5 });

    // The `reviewed` points stay (the member did review); their export shows the removed record.
    expect((await h.call('GET', `/communities/${cid}/points/me`, { token: m.token })).body).toMatchObject({ earned: 2, balance: 2 });
    const exported = (await h.call('GET', '/me/export', { token: m.token })).body;
    expect(exported.reviews).toEqual([
      expect.objectContaining({ entryId: entries[0]!.id, rating: 1, removed: { removedAt, removedBy: admin.userId, reason } }),
    ]);
    // The staff audit trail records both successful requests.
    const actions = (await h.call('GET', `/campaigns/${c.id}/staff-actions`, { token: owner.token })).body.actions;
    const removals = actions.filter((a: { operation: string }) => a.operation === 'DELETE /campaigns/{id}/reviews/{entryId}');
    expect(removals.map((a: { actorId: string; entryId: string }) => [a.actorId, a.entryId])).toEqual([
      [owner.userId, entries[0]!.id],
      [admin.userId, entries[0]!.id],
    ]);
  });

  it('removals racing the authors’ edits and deletes: the counters and numbers equal a recount of what is listed', async () => {
    const cid = await community();
    const ms: Array<{ token: string; userId: string }> = [];
    for (let i = 0; i < 24; i++) ms.push(await member(cid, `团友${i}`));
    const { c, entries } = await settled(cid, ms, [{ itemId: 'i1', qty: 1 }]);
    for (const e of entries) await pickUp(c.id, e.id);
    const review = (i: number) => `/campaigns/${c.id}/entries/${entries[i].id}/review`;
    const firsts = await Promise.all(
      ms.map((m, i) => h.call('PUT', review(i), { token: m.token, body: { rating: (i % 5) + 1, text: 'r0' } })),
    );
    expect(firsts.map((r) => r.status)).toEqual(ms.map(() => 200));

    // Two of every three are removed while their authors edit them (and every sixth deletes too), all at once.
    const remove = (i: number) =>
      h.call('DELETE', `/campaigns/${c.id}/reviews/${entries[i].id}`, { token: owner.token, body: { reason: '违规' } });
    const racing = await Promise.all(
      ms.map((m, i) =>
        Promise.all([
          h.call('PUT', review(i), { token: m.token, body: { rating: ((i + 2) % 5) + 1, text: 'r1' } }),
          i % 3 !== 0 ? remove(i) : null,
          i % 6 === 1 ? h.call('DELETE', review(i), { token: m.token }) : null,
        ]),
      ),
    );
    const removedIds = new Set<string>();
    for (const [i, calls] of racing.entries()) {
      for (const r of calls) {
        if (!r) continue;
        expect([200, 404, 409], r.text.slice(0, 200)).toContain(r.status);
        if (r.status === 409) expect(r.body.error.code).toBe('INVALID_STATE');
      }
      const removal = calls[1];
      // 404 only when the author's delete came first (and their edit may then have written it anew).
      if (removal && removal.status !== 200) expect([removal.status, i % 6]).toEqual([404, 1]);
      if (removal?.status === 200) removedIds.add(entries[i].id);
    }

    const listed = (await h.call('GET', `/campaigns/${c.id}/reviews?limit=50`)).body.reviews;
    const listedIds = listed.map((r: { entryId: string }) => r.entryId);
    for (const [i, e] of entries.entries()) {
      if (i % 3 === 0) expect(listedIds).toContain(e.id);
      if (removedIds.has(e.id)) expect(listedIds).not.toContain(e.id);
    }
    const delta: Record<string, number> = {};
    for (const r of listed) for (const [n, v] of Object.entries(reviewStatsDelta(null, r))) delta[n] = (delta[n] ?? 0) + v;
    const stats = (await h.call('GET', `/campaigns/${c.id}/reviews`)).body.stats;
    expect(stats).toEqual(toReviewStats(delta, ['i1', 'i2']));
    const numbers = await numbersOf(c.id, cid);
    expect(numbers.campaign).toMatchObject({ reviewsCount: listed.length, ratingSum: stats.ratingSum });
    expect(numbers.community).toMatchObject({ reviewsCount: listed.length, ratingSum: stats.ratingSum });
  }, 120_000);
});
