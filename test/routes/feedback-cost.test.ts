import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { changeStanding, createCommunity } from '../../shared/communities/index.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';

/**
 * What feedback costs, as DynamoDB Local reports it (README "Feedback: reviews and surveys"): every
 * request of a route is sent with ReturnConsumedCapacity=INDEXES (SDK middleware on the real
 * client) and its units are summed, gsi1's included. Printed per route: requests, read and write
 * requests, RCU, WCU and each request with its units.
 */
interface Cost {
  requests: number;
  readRequests: number;
  writeRequests: number;
  rcu: number;
  wcu: number;
  commands: string[];
}

const READS = new Set(['GetCommand', 'QueryCommand', 'BatchGetCommand', 'GetItemCommand', 'BatchGetItemCommand']);

async function measure<T>(doc: DynamoDBDocumentClient, fn: () => Promise<T>): Promise<{ result: T; cost: Cost }> {
  const cost: Cost = { requests: 0, readRequests: 0, writeRequests: 0, rcu: 0, wcu: 0, commands: [] };
  const name = `capacity-${Math.random().toString(36).slice(2)}`;
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName as string;
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'INDEXES';
      const out = await next(args);
      const raw = (out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const list = (Array.isArray(raw) ? raw : raw ? [raw] : []) as Array<{
        CapacityUnits?: number;
        ReadCapacityUnits?: number;
        WriteCapacityUnits?: number;
      }>;
      cost.requests++;
      const gsi = list.reduce(
        (s, c) =>
          s + ((c as { GlobalSecondaryIndexes?: { gsi1?: { CapacityUnits?: number } } }).GlobalSecondaryIndexes?.gsi1?.CapacityUnits ?? 0),
        0,
      );
      cost.commands.push(
        `${command.replace(/Command$/, '')} ${list.reduce((s, c) => s + (c.CapacityUnits ?? 0), 0)}${gsi ? ` (gsi1 ${gsi})` : ''}`,
      );
      const units = list.reduce((s, c) => s + (c.CapacityUnits ?? 0), 0);
      if (READS.has(command)) {
        cost.readRequests++;
        cost.rcu += units;
      } else {
        cost.writeRequests++;
        cost.wcu += units;
      }
      return out;
    },
    { step: 'initialize', name },
  );
  try {
    return { result: await fn(), cost };
  } finally {
    doc.middlewareStack.remove(name);
  }
}

let h: Harness;
let owner: { token: string; userId: string };

beforeAll(async () => {
  h = await harness();
  owner = await h.login('fc-owner', '团长老王');
});

describe('feedback costs', () => {
  it('a review (first, edit), the reviews list, a survey answer and the results read', async () => {
    const cid = 'm_fcost';
    await createCommunity(
      h.db,
      { id: cid, ownerId: owner.userId, name: '阳光花园', description: '', joinRule: 'open', public: true, cover: null, createdAt: T0 },
      { nickname: '团长老王' },
    );
    await h.call('PUT', `/communities/${cid}/points-rules`, {
      token: owner.token,
      body: {
        earn: { joinSucceeded: 0, paidOnTime: 0, pickedUp: 0, reviewed: 2, referral: 0 },
        spend: { enabled: false, fenPerPoint: 1, maxFenPerEntry: 0, maxPercentOfEntry: 0 },
        titles: [],
      },
    });
    const ms: Array<{ token: string; userId: string }> = [];
    for (let i = 0; i < 21; i++) {
      const u = await h.login(`fc-m${i}`, `团友${i}`);
      await changeStanding(h.db, cid, u.userId, () => ({ change: { status: 'active', role: 'member', following: false }, result: null }));
      ms.push(u);
    }
    h.clock.set(T0);
    const c = await h.createCampaign(owner.token, { minParticipants: 1, communityId: cid });
    const entries: Array<{ id: string }> = [];
    for (const m of ms)
      entries.push(
        (await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } })).body,
      );
    await h.call('POST', `/campaigns/${c.id}/close`, { token: owner.token });
    await h.call('POST', `/campaigns/${c.id}/settle`, { token: owner.token });
    h.clock.set('2026-12-05T09:00:00.000Z');
    for (const e of entries) await h.call('POST', `/campaigns/${c.id}/entries/${e.id}/pickup`, { token: owner.token });
    const text = '葡萄很甜，颗粒饱满，包装也好，下次还会再买。'.repeat(4);
    for (let i = 1; i < ms.length; i++) {
      await h.call('PUT', `/campaigns/${c.id}/entries/${entries[i]!.id}/review`, { token: ms[i]!.token, body: { rating: 4, text } });
    }
    const review = (rating: number) => () =>
      h.call('PUT', `/campaigns/${c.id}/entries/${entries[0]!.id}/review`, { token: ms[0]!.token, body: { rating, text } });
    const first = await measure(h.db.doc, review(5));
    expect(first.result.body.created).toBe(true);
    const edit = await measure(h.db.doc, review(3));
    expect(edit.result.body.created).toBe(false);
    const list = await measure(h.db.doc, () => h.call('GET', `/campaigns/${c.id}/reviews?limit=20`));
    expect(list.result.body.reviews).toHaveLength(20);

    const survey = (
      await h.call('POST', `/communities/${cid}/surveys`, {
        token: owner.token,
        body: {
          title: '下期团购调查',
          audience: 'members',
          questions: [
            { kind: 'choice', prompt: '下次想团什么？', options: ['水果', '蔬菜', '海鲜', '肉禽'], multiple: true },
            { kind: 'choice', prompt: '自提还是送货？', options: ['自提', '送货'] },
            { kind: 'rating', prompt: '这次满意吗？' },
            { kind: 'text', prompt: '还有什么建议？' },
          ],
        },
      })
    ).body;
    const answer = (i: number) => () =>
      h.call('POST', `/surveys/${survey.id}/answers`, {
        token: ms[i]!.token,
        body: { answers: [{ options: [0, 2] }, { options: [1] }, { rating: 4 }, { text: '希望多团点水果，送货再快一点' }] },
      });
    for (let i = 1; i < ms.length; i++) await answer(i)();
    const answered = await measure(h.db.doc, answer(0));
    expect(answered.result.status).toBe(201);
    const results = await measure(h.db.doc, () => h.call('GET', `/surveys/${survey.id}/results?limit=20`, { token: owner.token }));
    expect(results.result.body.respondents).toBe(21);

    console.log(
      JSON.stringify({
        firstReview: first.cost,
        editReview: edit.cost,
        reviewsPage20: list.cost,
        surveyAnswer: answered.cost,
        surveyResults20Texts: results.cost,
      }),
    );
    const transactions = (c: Cost) => c.commands.filter((x) => x.startsWith('TransactWriteItems')).length;
    // The first review: the review's ONE transaction (review, entry check, counters) and the points
    // event's; an edit: the review's transaction only (the points event exists: a read says so).
    expect(transactions(first.cost)).toBe(2);
    expect(transactions(edit.cost)).toBe(1);
    expect(first.cost.writeRequests).toBe(2);
    // The list: the campaign, the counters (one GetItem, never a scan), one gsi1 page, the titles.
    expect(list.cost.readRequests).toBe(4);
    // An answer is one transaction; the results are the survey, its community, the counters and one page of texts.
    expect(answered.cost.writeRequests).toBe(1);
    expect(results.cost.readRequests).toBe(4);
  });
});
