import { beforeAll, describe, expect, it } from 'vitest';
import { getMembership } from '../../shared/communities/index.js';
import { communityNumbers, foldCampaign, foldedEntries, recordRefund } from '../../shared/numbers/index.js';
import { getPointsBalance } from '../../shared/points/index.js';
import { FaultInjector } from '../helpers/faults.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';

/**
 * The fold and the events after it count every entry once whatever runs twice: two folds at once,
 * a fold whose transaction was applied but whose answer was lost (the SDK sends it again), a fold
 * that died half-way and is run again, a pickup landing between the fold's read and its write,
 * the same refund reported twice at once.
 */
let h: Harness;
const faults = new FaultInjector();
let owner: { token: string; userId: string };
let k = 0;

beforeAll(async () => {
  h = await harness({ faults });
  owner = await h.login('nc-owner', '团长');
});

async function ok(method: string, path: string, token: string, status: number, body?: unknown) {
  const res = await h.call(method, path, { token, ...(body !== undefined ? { body } : {}) });
  expect(res.status, `${method} ${path}: ${res.text.slice(0, 200)}`).toBe(status);
  return res;
}

/** A settled campaign of a new community with `n` members' entries (1 unit of 10.00 each); not folded yet. */
async function settledCampaign(n: number, communityId?: string) {
  h.clock.set(T0);
  const cid = communityId ?? (await ok('POST', '/communities', owner.token, 201, { name: `社群${k++}` })).body.id;
  const c = await h.createCampaign(owner.token, {
    communityId: cid,
    minParticipants: 1,
    items: [{ name: '苹果', unitPrice: 1000, stock: 1000 }],
    pickupPoints: [{ name: '门卫室' }],
  });
  const members = await Promise.all(Array.from({ length: n }, (_, i) => h.login(`nc${k++}-${i}`, `团友${i}`)));
  const entries: string[] = [];
  for (const m of members)
    entries.push(
      (await ok('POST', `/campaigns/${c.id}/entries`, m.token, 201, { items: [{ itemId: 'i1', qty: 1 }], pickupPointId: 'p1' })).body.id,
    );
  await ok('POST', `/campaigns/${c.id}/close`, owner.token, 200);
  await ok('POST', `/campaigns/${c.id}/settle`, owner.token, 200);
  return { communityId: cid as string, campaignId: c.id as string, members, entries };
}

async function expectCountedOnce(communityId: string, members: Array<{ userId: string }>, campaigns = 1) {
  for (const m of members)
    expect((await getMembership(h.db, communityId, m.userId))?.book).toMatchObject({
      campaigns,
      units: campaigns,
      amount: 1000 * campaigns,
    });
  const numbers = await communityNumbers(h.db, communityId, 30, h.clock.now());
  expect(numbers.totals).toMatchObject({
    purchases: members.length * campaigns,
    entries: members.length * campaigns,
    revenue: 1000 * members.length * campaigns,
  });
}

describe('the fold counts once', () => {
  it('two folds of one campaign at once (and the deadline work as a third)', async () => {
    const s = await settledCampaign(6);
    const reports = await Promise.all([
      foldCampaign(h.db, s.campaignId),
      foldCampaign(h.db, s.campaignId),
      foldCampaign(h.db, s.campaignId),
    ]);
    expect(reports.reduce((sum, r) => sum + r.folded, 0)).toBe(6);
    expect(reports.filter((r) => r.totals)).toHaveLength(1);
    await expectCountedOnce(s.communityId, s.members);
    expect(await foldedEntries(h.db, s.campaignId)).toHaveLength(6);
  });

  it('two campaigns of one community with the same members, folded at once: each member book counts both', async () => {
    const first = await settledCampaign(4);
    h.clock.set(T0);
    const c = await h.createCampaign(owner.token, {
      communityId: first.communityId,
      minParticipants: 1,
      items: [{ name: '苹果', unitPrice: 1000, stock: 1000 }],
      pickupPoints: [{ name: '门卫室' }],
    });
    for (const m of first.members)
      await ok('POST', `/campaigns/${c.id}/entries`, m.token, 201, { items: [{ itemId: 'i1', qty: 1 }], pickupPointId: 'p1' });
    await ok('POST', `/campaigns/${c.id}/close`, owner.token, 200);
    await ok('POST', `/campaigns/${c.id}/settle`, owner.token, 200);
    await Promise.all([foldCampaign(h.db, first.campaignId), foldCampaign(h.db, c.id), foldCampaign(h.db, c.id)]);
    await expectCountedOnce(first.communityId, first.members, 2);
    const numbers = await communityNumbers(h.db, first.communityId, 30, h.clock.now());
    // One of the two purchases of each member came first: the other is returning (and a repeat).
    expect(numbers.totals).toMatchObject({ newMembers: 4, returning: 4, repeat30: 4, campaigns: 2 });
  });

  it('a member transaction applied whose answer was lost is sent again and finds itself done', async () => {
    const s = await settledCampaign(3);
    faults.add('TransactWriteItemsCommand', 'lost', 2, (input) => JSON.stringify(input).includes('FOLDED#'));
    await foldCampaign(h.db, s.campaignId);
    expect(faults.injected.filter((f) => f.kind === 'lost').length).toBeGreaterThanOrEqual(2);
    faults.clear();
    await expectCountedOnce(s.communityId, s.members);
  });

  it('a fold that died before the campaign totals is run again: members are not counted twice, the totals once', async () => {
    const s = await settledCampaign(3);
    // The totals transaction (the one that writes campaign NUMBERS) fails every time within this run.
    faults.add('TransactWriteItemsCommand', 'error', 10, (input) => JSON.stringify(input).includes('"NUMBERS"'));
    await expect(foldCampaign(h.db, s.campaignId)).rejects.toThrow();
    faults.clear();
    const half = await communityNumbers(h.db, s.communityId, 30, h.clock.now());
    expect(half.totals.purchases).toBe(0);
    expect(await foldCampaign(h.db, s.campaignId)).toMatchObject({ folded: 0, already: 3, totals: true });
    await expectCountedOnce(s.communityId, s.members);
  });

  it('a pickup between the fold reading an entry and its write: the fold reads again, the pickup counts once', async () => {
    const s = await settledCampaign(1);
    faults.before(
      'TransactWriteItemsCommand',
      (input) => JSON.stringify(input).includes('FOLDED#'),
      async () => {
        await ok('POST', `/campaigns/${s.campaignId}/entries/${s.entries[0]}/pickup`, owner.token, 200);
      },
    );
    await foldCampaign(h.db, s.campaignId);
    expect((await getMembership(h.db, s.communityId, s.members[0]!.userId))?.book?.pickups).toBe(1);
    expect((await communityNumbers(h.db, s.communityId, 30, h.clock.now())).totals.pickups).toBe(1);
  });

  it("a fold that died before a referrer's points: run again, the referrer earns once, the member is not folded twice", async () => {
    h.clock.set(T0);
    const cid = (await ok('POST', '/communities', owner.token, 201, { name: `社群${k++}` })).body.id;
    await ok('PUT', `/communities/${cid}/points-rules`, owner.token, 200, {
      earn: { joinSucceeded: 10, paidOnTime: 0, pickedUp: 0, reviewed: 0, referral: 7 },
      spend: { enabled: false, fenPerPoint: 1, maxFenPerEntry: 0, maxPercentOfEntry: 0 },
      titles: [],
    });
    const c = await h.createCampaign(owner.token, {
      communityId: cid,
      minParticipants: 1,
      items: [{ name: '苹果', unitPrice: 1000, stock: 100 }],
    });
    const referrer = await h.login(`nc${k++}-ref`, '推荐人');
    const ref = (await ok('GET', `/me/referral?campaignId=${c.id}`, referrer.token, 200)).body.token;
    const buyer = await h.login(`nc${k++}-buyer`, '买家');
    await ok('POST', `/campaigns/${c.id}/entries`, buyer.token, 201, { items: [{ itemId: 'i1', qty: 1 }], ref });
    await ok('POST', `/campaigns/${c.id}/close`, owner.token, 200);
    await ok('POST', `/campaigns/${c.id}/settle`, owner.token, 200);
    faults.add('TransactWriteItemsCommand', 'error', 50, (input) => JSON.stringify(input).includes('referral:'));
    await expect(foldCampaign(h.db, c.id)).rejects.toThrow();
    faults.clear();
    expect((await getPointsBalance(h.db, cid, referrer.userId))?.earned ?? 0).toBe(0);
    await foldCampaign(h.db, c.id);
    await foldCampaign(h.db, c.id);
    expect((await getPointsBalance(h.db, cid, referrer.userId))?.earned).toBe(7);
    expect((await getPointsBalance(h.db, cid, buyer.userId))?.earned).toBe(10);
    expect((await getMembership(h.db, cid, buyer.userId))?.book?.campaigns).toBe(1);
  });

  it('the same refund reported twice at once counts once; a transaction conflict is retried', async () => {
    const s = await settledCampaign(1);
    await foldCampaign(h.db, s.campaignId);
    faults.add('TransactWriteItemsCommand', 'conflict', 1, (input) => JSON.stringify(input).includes('refundRefs'));
    const results = await Promise.all([
      recordRefund(h.db, s.campaignId, s.entries[0]!, 300, 'r-1'),
      recordRefund(h.db, s.campaignId, s.entries[0]!, 300, 'r-1'),
    ]);
    faults.clear();
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await getMembership(h.db, s.communityId, s.members[0]!.userId))?.book?.refunded).toBe(300);
    expect((await communityNumbers(h.db, s.communityId, 30, h.clock.now())).totals.refunded).toBe(300);
  });
});
