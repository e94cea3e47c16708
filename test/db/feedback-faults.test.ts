import { beforeAll, describe, expect, it } from 'vitest';
import { changeStanding, createCommunity } from '../../shared/communities/index.js';
import { FaultInjector } from '../helpers/faults.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';

/**
 * Feedback under DynamoDB failures (helpers/faults.ts, below the SDK's retries): a lost answer to
 * the review's or the survey answer's transaction counts once; a review whose points step failed is
 * repaired by writing it again, and the points are still earned once.
 */
const faults = new FaultInjector();
let h: Harness;
let owner: { token: string; userId: string };
let k = 0;

const touches = (marker: string) => (input: Record<string, unknown>) => JSON.stringify(input).includes(marker);

beforeAll(async () => {
  h = await harness({ faults });
  owner = await h.login('ff-owner', '团长');
});

async function pickedUpEntry() {
  const cid = `m_ff${k++}`;
  await createCommunity(
    h.db,
    { id: cid, ownerId: owner.userId, name: '社群', description: '', joinRule: 'open', public: true, cover: null, createdAt: T0 },
    { nickname: '团长' },
  );
  await h.call('PUT', `/communities/${cid}/points-rules`, {
    token: owner.token,
    body: {
      earn: { joinSucceeded: 0, paidOnTime: 0, pickedUp: 0, reviewed: 5, referral: 0 },
      spend: { enabled: false, fenPerPoint: 1, maxFenPerEntry: 0, maxPercentOfEntry: 0 },
      titles: [],
    },
  });
  const m = await h.login(`ff-m${k++}`, '团友');
  await changeStanding(h.db, cid, m.userId, () => ({ change: { status: 'active', role: 'member', following: false }, result: null }));
  h.clock.set(T0);
  const c = await h.createCampaign(owner.token, { minParticipants: 1, communityId: cid });
  const e = (await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } })).body;
  await h.call('POST', `/campaigns/${c.id}/close`, { token: owner.token });
  await h.call('POST', `/campaigns/${c.id}/settle`, { token: owner.token });
  h.clock.set('2026-12-05T09:00:00.000Z');
  expect((await h.call('POST', `/campaigns/${c.id}/entries/${e.id}/pickup`, { token: owner.token })).status).toBe(200);
  return { cid, c, e, m };
}

describe('feedback under faults', () => {
  it('the review transaction applied but its answer lost: counted once', async () => {
    const { c, e, m } = await pickedUpEntry();
    faults.add('TransactWriteItemsCommand', 'lost', 1, touches('REVIEWSTATS'));
    const res = await h.call('PUT', `/campaigns/${c.id}/entries/${e.id}/review`, { token: m.token, body: { rating: 4, text: '好' } });
    expect(res.status).toBe(200);
    expect(faults.injected.at(-1)).toEqual({ command: 'TransactWriteItemsCommand', kind: 'lost' });
    const list = (await h.call('GET', `/campaigns/${c.id}/reviews`)).body;
    expect(list.stats).toMatchObject({ count: 1, ratingSum: 4, histogram: [0, 0, 0, 1, 0] });
    expect(list.reviews).toHaveLength(1);
  });

  it('the points step failing after the review: 503, and writing the review again earns them, once', async () => {
    const { cid, c, e, m } = await pickedUpEntry();
    // More failures than the SDK's attempts: the request fails after the review's transaction committed.
    faults.add('TransactWriteItemsCommand', 'error', 5, touches('POINTS#'));
    const failed = await h.call('PUT', `/campaigns/${c.id}/entries/${e.id}/review`, { token: m.token, body: { rating: 5, text: '好' } });
    expect(failed.status).toBe(503);
    faults.clear();
    expect((await h.call('GET', `/communities/${cid}/points/me`, { token: m.token })).body.earned).toBe(0);
    const again = await h.call('PUT', `/campaigns/${c.id}/entries/${e.id}/review`, { token: m.token, body: { rating: 5, text: '好' } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, pointsEarned: 1 });
    const third = await h.call('PUT', `/campaigns/${c.id}/entries/${e.id}/review`, { token: m.token, body: { rating: 5, text: '很好' } });
    expect(third.body.pointsEarned).toBe(0);
    expect((await h.call('GET', `/communities/${cid}/points/me`, { token: m.token })).body.earned).toBe(5);
    expect((await h.call('GET', `/campaigns/${c.id}/reviews`)).body.stats).toMatchObject({ count: 1, ratingSum: 5 });
  });

  it('a survey answer applied but its answer lost: one respondent', async () => {
    const { cid, m } = await pickedUpEntry();
    const s = (
      await h.call('POST', `/communities/${cid}/surveys`, {
        token: owner.token,
        body: { title: '调查', audience: 'members', questions: [{ kind: 'rating', prompt: '满意吗？' }] },
      })
    ).body;
    faults.add('TransactWriteItemsCommand', 'lost', 1, touches('RESULTS'));
    const res = await h.call('POST', `/surveys/${s.id}/answers`, { token: m.token, body: { answers: [{ rating: 3 }] } });
    expect(res.status).toBe(201);
    expect(faults.injected.at(-1)).toEqual({ command: 'TransactWriteItemsCommand', kind: 'lost' });
    const results = (await h.call('GET', `/surveys/${s.id}/results`, { token: owner.token })).body;
    expect(results.respondents).toBe(1);
    expect(results.questions[0]).toMatchObject({ answered: 1, ratingSum: 3 });
  });
});
