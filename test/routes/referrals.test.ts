import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeScene } from '../../shared/domain/index.js';
import { referrerCandidate } from '../../shared/referrals/index.js';
import { keys } from '../../shared/table/index.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';
import { recordRequests } from '../helpers/requests.js';

/**
 * Attribution: a member's referrer token and share scene (GET /me/referral), joins that carry it
 * (`ref`), and the leader's and helpers' view of who brought what (GET /campaigns/{id}/referrals).
 */
let h: Harness;
let leader: { token: string; userId: string };
let k = 0;

beforeAll(async () => {
  h = await harness();
  leader = await h.login('ref-leader', '团长');
});

const user = (nickname: string) => h.login(`ref-${k++}`, nickname);

/** One item at ¥10.00, ¥8.00 from 20 units on: amounts follow the price reached. */
const campaign = (overrides: Record<string, unknown> = {}) =>
  h.createCampaign(leader.token, {
    minParticipants: 1,
    items: [{ name: '苹果', unitPrice: 1000, stock: 1000, tiers: [{ threshold: 20, unitPrice: 800 }] }],
    ...overrides,
  });

const join = (campaignId: string, token: string, qty: number, ref?: string) =>
  h.call('POST', `/campaigns/${campaignId}/entries`, {
    token,
    body: { items: [{ itemId: 'i1', qty }], ...(ref !== undefined ? { ref } : {}) },
  });

async function referralOf(u: { token: string }, campaignId?: string) {
  const res = await h.call('GET', `/me/referral${campaignId ? `?campaignId=${campaignId}` : ''}`, { token: u.token });
  expect(res.status, res.text).toBe(200);
  return res.body as { token: string; scene?: string; path?: string; campaignId?: string };
}

async function referrals(campaignId: string, token = leader.token) {
  const res = await h.call('GET', `/campaigns/${campaignId}/referrals`, { token });
  expect(res.status, res.text).toBe(200);
  return res.body.referrals as Array<{ referrerId: string; nickname: string | null; joins: number; units: number; amount: number }>;
}

describe('GET /me/referral', () => {
  it('gives a stable token and, for a campaign, a scene of at most 32 characters naming it and the caller', async () => {
    h.clock.set(T0);
    const c = await campaign();
    const alice = await user('阿丽');
    const first = await referralOf(alice);
    expect(first).toEqual({ token: expect.stringMatching(/^[0-9a-z]{10}$/) });
    const again = await referralOf(alice, c.id);
    expect(again.token).toBe(first.token);
    expect(again.campaignId).toBe(c.id);
    expect(again.scene!.length).toBeLessThanOrEqual(32);
    expect(decodeScene(again.scene!)).toEqual({ shareCode: c.shareCode, referrer: first.token });
    expect(again.path).toBe(`pages/campaign/index?scene=${encodeURIComponent(again.scene!)}`);
    expect((await referralOf(await user('别人'))).token).not.toBe(first.token);
  });

  it('moves on to the next candidate token when the first one already names another user', async () => {
    h.clock.set(T0);
    const carol = await user('卡罗');
    // Another user's item on Carol's first candidate: a 50-bit collision, made by hand.
    await h.db.doc.send(
      new PutCommand({
        TableName: h.tableName,
        Item: { ...keys.referrer(referrerCandidate(carol.userId, 0)), type: 'referrer', userId: 'u_someone_else', createdAt: T0 },
      }),
    );
    const { token } = await referralOf(carol);
    expect(token).toBe(referrerCandidate(carol.userId, 1));
    expect((await referralOf(carol)).token).toBe(token);
    // A join with that token is Carol's, not the other user's.
    const c = await campaign();
    expect((await join(c.id, (await user('新人')).token, 1, token)).status).toBe(201);
    expect((await referrals(c.id)).map((r) => r.referrerId)).toEqual([carol.userId]);
  });

  it('is 404 for an unknown campaign and for a draft the caller may not see, 401 without a token', async () => {
    h.clock.set(T0);
    const stranger = await user('路人');
    expect((await h.call('GET', '/me/referral?campaignId=c_nothing', { token: stranger.token })).status).toBe(404);
    const draft = await campaign({ draft: true });
    expect((await h.call('GET', `/me/referral?campaignId=${draft.id}`, { token: stranger.token })).status).toBe(404);
    expect((await h.call('GET', `/me/referral?campaignId=${draft.id}`, { token: leader.token })).status).toBe(200);
    expect((await h.call('GET', '/me/referral')).status).toBe(401);
  });
});

describe('joins with a ref', () => {
  it('records the referrer from a bare token or a whole scene; a bad, unknown, foreign or own ref joins unattributed', async () => {
    h.clock.set(T0);
    const c = await campaign();
    const other = await campaign();
    const alice = await user('阿丽');
    const aliceRef = await referralOf(alice, c.id);
    const bob = await user('阿博');
    const bobScene = (await referralOf(bob, c.id)).scene!;
    const bobForeignScene = (await referralOf(bob, other.id)).scene!;

    const joins = await Promise.all([
      join(c.id, (await user('甲')).token, 1, aliceRef.token),
      join(c.id, (await user('乙')).token, 2, bobScene),
      join(c.id, (await user('丙')).token, 3, encodeURIComponent(bobScene)),
      join(c.id, (await user('丁')).token, 1, 'zzzzzzzzzz'), // well-formed, names nobody
      join(c.id, (await user('戊')).token, 1, '<not a ref>'),
      join(c.id, (await user('己')).token, 1, bobForeignScene), // a scene made for another campaign
      join(c.id, (await user('庚')).token, 1, `s=${c.shareCode}&r=${aliceRef.token}${'x'.repeat(500)}`), // far too long
      h.call('POST', `/campaigns/${c.id}/entries`, {
        token: (await user('辛')).token,
        body: { items: [{ itemId: 'i1', qty: 1 }], ref: 42 },
      }),
      join(c.id, alice.token, 1, aliceRef.scene!), // her own code
    ]);
    expect(joins.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201, 201, 201, 201]);
    // The member's own view of the entry does not carry referredBy (nothing in the contract for it).
    expect(joins[0]!.body).not.toHaveProperty('referredBy');

    expect(await referrals(c.id)).toEqual([
      { referrerId: bob.userId, nickname: '阿博', joins: 2, units: 5, amount: 5000 },
      { referrerId: alice.userId, nickname: '阿丽', joins: 1, units: 1, amount: 1000 },
    ]);
    expect(await referrals(other.id)).toEqual([]);
  });

  it('costs no DynamoDB request without a ref, and exactly one small read (of REF#<token>) with one', async () => {
    h.clock.set(T0);
    const c = await campaign();
    const alice = await user('阿丽');
    const { token } = await referralOf(alice, c.id);
    await join(c.id, (await user('热身')).token, 1); // warms the campaign cache, as on a busy campaign
    const [plainUser, refUser] = [await user('无'), await user('有')];
    const plain = await recordRequests(h.db.doc, () => join(c.id, plainUser.token, 1));
    const withRef = await recordRequests(h.db.doc, () => join(c.id, refUser.token, 1, token));
    expect(plain.result.status).toBe(201);
    expect(withRef.result.status).toBe(201);
    const refReads = (sent: typeof plain.sent) => sent.filter((s) => String(s.input.Key?.pk ?? '').startsWith('REF#'));
    expect(refReads(plain.sent)).toEqual([]);
    expect(refReads(withRef.sent).map((s) => [s.command, s.input.ConsistentRead])).toEqual([['GetItemCommand', false]]);
    expect(withRef.sent.map((s) => s.command).sort()).toEqual([...plain.sent.map((s) => s.command), 'GetItemCommand'].sort());
  });
});

describe('GET /campaigns/{id}/referrals', () => {
  it('stays exact under 50 concurrent joins with refs, and cancels take their joins back out', async () => {
    h.clock.set(T0);
    const c = await campaign();
    const referrers = [await user('推荐甲'), await user('推荐乙'), await user('推荐丙')];
    // A helper shares too: helpers are referrers like anyone.
    expect(
      (await h.call('POST', `/campaigns/${c.id}/helpers`, { token: leader.token, body: { userId: referrers[2]!.userId } })).status,
    ).toBe(201);
    const refs = await Promise.all(referrers.map((r) => referralOf(r, c.id)));
    const members = await Promise.all(Array.from({ length: 50 }, (_, i) => h.login(`ref-rush-${k}-${i}`, `会员${i}`)));
    k++;
    // Member i comes through referrer i % 3 (by scene or token alternately), buying 1 or 2 units.
    const qty = (i: number) => (i % 2) + 1;
    const results = await Promise.all(
      members.map((m, i) => join(c.id, m.token, qty(i), i % 4 < 2 ? refs[i % 3]!.scene! : refs[i % 3]!.token)),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);

    // Cancel every fifth join, half by the member, half by the leader, concurrently.
    const cancelled = new Set(members.map((_, i) => i).filter((i) => i % 5 === 0));
    const cancels = await Promise.all(
      [...cancelled].map((i) =>
        h.call('DELETE', `/campaigns/${c.id}/entries/${results[i]!.body.id}`, { token: i % 2 ? members[i]!.token : leader.token }),
      ),
    );
    expect(cancels.every((r) => r.status === 200)).toBe(true);

    const units = members.reduce((sum, _, i) => sum + (cancelled.has(i) ? 0 : qty(i)), 0);
    const price = units >= 20 ? 800 : 1000;
    const names = ['推荐甲', '推荐乙', '推荐丙'];
    const expected = referrers.map((r, j) => {
      const mine = members.map((_, i) => i).filter((i) => i % 3 === j && !cancelled.has(i));
      const u = mine.reduce((sum, i) => sum + qty(i), 0);
      return { referrerId: r.userId, nickname: names[j], joins: mine.length, units: u, amount: u * price };
    });
    const got = await referrals(c.id, referrers[2]!.token); // as the helper
    const byId = (rows: Array<{ referrerId: string }>) => [...rows].sort((a, b) => a.referrerId.localeCompare(b.referrerId));
    expect(byId(got)).toEqual(byId(expected));
    // Largest amount first.
    expect(got.map((g) => g.amount)).toEqual(got.map((g) => g.amount).sort((a, b) => b - a));
    expect(got.reduce((s, g) => s + g.joins, 0)).toBe(50 - cancelled.size);
    expect(got.reduce((s, g) => s + g.units, 0)).toBe(units);
  });

  it('is for the leader and helpers only', async () => {
    h.clock.set(T0);
    const c = await campaign();
    const member = await user('会员');
    expect((await join(c.id, member.token, 1)).status).toBe(201);
    expect((await h.call('GET', `/campaigns/${c.id}/referrals`, { token: member.token })).status).toBe(403);
    expect((await h.call('GET', `/campaigns/${c.id}/referrals`)).status).toBe(401);
  });
});
