import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidStateError } from '../../shared/errors.js';
import { closeSurvey, getSurvey, submitAnswers } from '../../shared/feedback/index.js';
import { keys } from '../../shared/table/index.js';
import { type FakeWechat, SEC_CHECK_MARKERS, startFakeWechat } from '../../shared/wechat/fake/index.js';
import { WechatServerApi } from '../../shared/wechat/index.js';
import { type CallResult, type Harness, harness, T0 } from '../helpers/harness.js';

let h: Harness;
let fake: FakeWechat;
let k = 0;
type User = { token: string; userId: string };

beforeAll(async () => {
  fake = await startFakeWechat();
  h = await harness({
    contentCheck: (db) => ({
      api: new WechatServerApi(db, { apiBase: fake.url, appId: fake.appId, secret: fake.secret, timeoutMs: 3000 }),
    }),
  });
});

afterAll(async () => {
  await fake?.close();
});

async function ok(res: Promise<CallResult>, status: number): Promise<CallResult> {
  const out = await res;
  expect(out.status, out.text.slice(0, 300)).toBe(status);
  return out;
}

/** A private community with an owner, an admin, a helper and `members` members. */
async function community(members = 2) {
  h.clock.set(T0);
  const n = k++;
  const [owner, admin, helper, other] = await Promise.all(
    ['owner', 'admin', 'helper', 'other'].map((r) => h.login(`sv${n}-${r}`, `问${r}`)),
  );
  const id = (await ok(h.call('POST', '/communities', { token: owner!.token, body: { name: '阳光花园邻里团' } }), 201)).body.id as string;
  for (const [user, role] of [
    [admin!, 'admin'],
    [helper!, 'helper'],
  ] as const) {
    const inv = await ok(h.call('POST', `/communities/${id}/invitations`, { token: owner!.token, body: { role } }), 201);
    await ok(h.call('POST', `${inv.body.path}/accept`, { token: user.token }), 200);
  }
  const ms: User[] = [];
  for (let i = 0; i < members; i++) {
    const m = await h.login(`sv${n}-m${i}`, `团友${i}`);
    await ok(h.call('POST', `/communities/${id}/members`, { token: m.token, body: {} }), 200);
    ms.push(m);
  }
  return { id, owner: owner!, admin: admin!, helper: helper!, other: other!, ms };
}

const QUESTIONS = [
  { kind: 'choice', prompt: '下次想团什么？', options: ['水果', '蔬菜', '海鲜'], multiple: true },
  { kind: 'choice', prompt: '自提还是送货？', options: ['自提', '送货'] },
  { kind: 'rating', prompt: '这次满意吗？' },
  { kind: 'text', prompt: '还有什么建议？', optional: true },
];

const survey = (over: Record<string, unknown> = {}) => ({ title: '下期团购调查', questions: QUESTIONS, audience: 'members', ...over });

describe('surveys (问卷): creating and listing', () => {
  it('the owner and admins create; helpers and members may not; what the schema cannot say is 400 with a field', async () => {
    const c = await community(1);
    const path = `/communities/${c.id}/surveys`;
    await ok(h.call('POST', path, { token: c.owner.token, body: survey() }), 201);
    const byAdmin = await ok(h.call('POST', path, { token: c.admin.token, body: survey({ closesAt: '2026-12-10T00:00:00.000Z' }) }), 201);
    expect(byAdmin.body).toMatchObject({
      audience: 'members',
      campaignId: null,
      closesAt: '2026-12-10T00:00:00.000Z',
      open: true,
      answered: false,
    });
    expect(byAdmin.body.questions[1]).toEqual({
      kind: 'choice',
      prompt: '自提还是送货？',
      options: ['自提', '送货'],
      multiple: false,
      optional: false,
    });
    await ok(h.call('POST', path, { token: c.helper.token, body: survey() }), 403);
    await ok(h.call('POST', path, { token: c.ms[0]!.token, body: survey() }), 403);
    await ok(h.call('POST', path, { token: c.other.token, body: survey() }), 404);
    await ok(h.call('POST', path, { body: survey() }), 401);

    const bad: Array<[Record<string, unknown>, string]> = [
      [{ questions: [] }, 'body.questions'],
      [{ questions: Array.from({ length: 11 }, () => QUESTIONS[2]) }, 'body.questions'],
      [{ questions: [{ kind: 'choice', prompt: '只有一个', options: ['一'] }] }, 'body.questions.0.options'],
      [{ questions: [{ kind: 'choice', prompt: '重复', options: ['一', '一'] }] }, 'body.questions[0].options'],
      [{ questions: [{ kind: 'slider', prompt: '?' }] }, 'body.questions.0.kind'],
      [{ audience: 'participants' }, 'body.campaignId'],
      [{ campaignId: 'c_any' }, 'body.campaignId'],
      [{ audience: 'participants', campaignId: 'c_missing' }, 'body.campaignId'],
      [{ closesAt: '2026-11-30T00:00:00.000Z' }, 'body.closesAt'],
    ];
    for (const [over, field] of bad) {
      const res = await ok(h.call('POST', path, { token: c.owner.token, body: survey(over) }), 400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.fields[0].path, JSON.stringify(over)).toBe(field);
    }
    const risky = await ok(h.call('POST', path, { token: c.owner.token, body: survey({ title: `调查 ${SEC_CHECK_MARKERS.risky}` }) }), 422);
    expect(risky.body.error).toMatchObject({ code: 'CONTENT_REJECTED', details: { field: 'body.title' } });
    // Nothing of the refused ones was written: the team sees the two it made.
    const list = await ok(h.call('GET', path, { token: c.owner.token }), 200);
    expect(list.body.surveys).toHaveLength(2);
  });

  it('the team lists every survey; a member the open ones they may answer, with `answered`; participants surveys by their campaign', async () => {
    const c = await community(2);
    const [m0, m1] = c.ms as [User, User];
    const campaign = await h.createCampaign(c.owner.token, { minParticipants: 1, communityId: c.id });
    await ok(h.call('POST', `/campaigns/${campaign.id}/entries`, { token: m0.token, body: { items: [{ itemId: 'i1', qty: 1 }] } }), 201);
    const path = `/communities/${c.id}/surveys`;
    const forMembers = (await ok(h.call('POST', path, { token: c.owner.token, body: survey({ title: '全员' }) }), 201)).body;
    h.clock.advance(1000);
    const closing = (
      await ok(
        h.call('POST', path, { token: c.owner.token, body: survey({ title: '很快截止', closesAt: '2026-12-01T01:00:00.000Z' }) }),
        201,
      )
    ).body;
    h.clock.advance(1000);
    const forBuyers = (
      await ok(
        h.call('POST', path, {
          token: c.owner.token,
          body: survey({ title: '买过的', audience: 'participants', campaignId: campaign.id }),
        }),
        201,
      )
    ).body;
    expect(forBuyers.campaignId).toBe(campaign.id);
    const titles = async (u: User) =>
      (await ok(h.call('GET', path, { token: u.token }), 200)).body.surveys.map((s: any) => [s.title, s.answered]);
    expect(await titles(c.owner)).toEqual([
      ['买过的', false],
      ['很快截止', false],
      ['全员', false],
    ]);
    expect(await titles(m0)).toEqual([
      ['买过的', false],
      ['很快截止', false],
      ['全员', false],
    ]);
    expect(await titles(m1)).toEqual([
      ['很快截止', false],
      ['全员', false],
    ]);
    await ok(
      h.call('POST', `/surveys/${forMembers.id}/answers`, {
        token: m1.token,
        body: { answers: [{ options: [0] }, { options: [1] }, { rating: 4 }, null] },
      }),
      201,
    );
    h.clock.set('2026-12-01T02:00:00.000Z');
    expect(await titles(m1)).toEqual([['全员', true]]);
    expect((await titles(c.admin)).map((t: any) => t[0])).toEqual(['买过的', '很快截止', '全员']);
    // Helpers are team: they see every survey too (the results stay with the owner and admins).
    expect((await titles(c.helper)).map((t: any) => t[0])).toEqual(['买过的', '很快截止', '全员']);
    await ok(h.call('GET', path, { token: c.other.token }), 404);

    // The questions: the audience and the team; another audience is 403, a stranger to the private community 404.
    expect((await ok(h.call('GET', `/surveys/${forMembers.id}`, { token: m1.token }), 200)).body).toMatchObject({
      title: '全员',
      answered: true,
    });
    await ok(h.call('GET', `/surveys/${forBuyers.id}`, { token: m0.token }), 200);
    await ok(h.call('GET', `/surveys/${forBuyers.id}`, { token: c.helper.token }), 200);
    await ok(h.call('GET', `/surveys/${forBuyers.id}`, { token: m1.token }), 403);
    await ok(h.call('GET', `/surveys/${forBuyers.id}`, { token: c.other.token }), 404);
    await ok(h.call('GET', '/surveys/s_missing', { token: m1.token }), 404);
    await ok(h.call('POST', `/surveys/${forBuyers.id}/answers`, { token: m1.token, body: { answers: [] } }), 403);
    expect(
      (
        await ok(
          h.call('POST', `/surveys/${closing.id}/answers`, {
            token: m0.token,
            body: { answers: [{ options: [0] }, { options: [1] }, { rating: 4 }, null] },
          }),
          409,
        )
      ).body.error.code,
    ).toBe('INVALID_STATE');
  });
});

describe('surveys: answering and results', () => {
  it('once per member (409 ALREADY_ANSWERED); answers checked against the questions (400 with the field); exact results', async () => {
    const c = await community(3);
    const s = (await ok(h.call('POST', `/communities/${c.id}/surveys`, { token: c.owner.token, body: survey() }), 201)).body;
    const answer = (u: User, answers: unknown[]) => h.call('POST', `/surveys/${s.id}/answers`, { token: u.token, body: { answers } });
    const bad: Array<[unknown[], string]> = [
      [[{ options: [0] }, { options: [1] }, { rating: 4 }], 'body.answers'],
      [[null, { options: [1] }, { rating: 4 }, null], 'body.answers[0]'],
      [[{ options: [] }, { options: [1] }, { rating: 4 }, null], 'body.answers[0].options'],
      [[{ options: [3] }, { options: [1] }, { rating: 4 }, null], 'body.answers[0].options'],
      [[{ options: [0, 0] }, { options: [1] }, { rating: 4 }, null], 'body.answers[0].options'],
      [[{ options: [0] }, { options: [0, 1] }, { rating: 4 }, null], 'body.answers[1].options'],
      [[{ options: [0] }, { rating: 1 }, { rating: 4 }, null], 'body.answers[1]'],
      [[{ options: [0] }, { options: [1] }, { rating: 6 }, null], 'body.answers[2].rating'],
      [[{ options: [0] }, { options: [1] }, { rating: 0 }, null], 'body.answers[2].rating'],
      [[{ options: [0] }, { options: [1] }, { rating: 4 }, { text: 'x'.repeat(501) }], 'body.answers.3.text'],
      [[{ options: [0] }, { options: [1] }, { rating: 4 }, { text: 'a', rating: 3 }], 'body.answers[3]'],
      [[{ options: [0] }, { options: [1] }, { rating: 4 }, { other: 1 }], 'body.answers.3'],
    ];
    for (const [answers, field] of bad) {
      const res = await answer(c.ms[0]!, answers);
      expect(res.status, JSON.stringify(answers)).toBe(400);
      expect(res.body.error.details.fields[0].path, JSON.stringify(answers)).toBe(field);
    }
    const risky = await answer(c.ms[0]!, [{ options: [0] }, { options: [1] }, { rating: 4 }, { text: `建议 ${SEC_CHECK_MARKERS.risky}` }]);
    expect(risky.status).toBe(422);
    expect(risky.body.error.details.field).toBe('body.answers[3].text');

    await ok(answer(c.ms[0]!, [{ options: [0, 2] }, { options: [0] }, { rating: 5 }, { text: '多团点水果' }]), 201);
    h.clock.advance(1000);
    await ok(answer(c.ms[1]!, [{ options: [0] }, { options: [1] }, { rating: 3 }, null]), 201);
    h.clock.advance(1000);
    await ok(answer(c.ms[2]!, [{ options: [1] }, { options: [0] }, { rating: 4 }, { text: '送货快一点' }]), 201);
    const again = await answer(c.ms[0]!, [{ options: [1] }, { options: [1] }, { rating: 1 }, null]);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_ANSWERED');
    // The owner is a member too, so they may answer their own survey.
    await ok(answer(c.owner, [{ options: [2] }, { options: [0] }, { rating: 2 }, null]), 201);

    const results = await ok(h.call('GET', `/surveys/${s.id}/results?limit=1`, { token: c.admin.token }), 200);
    expect(results.body).toMatchObject({
      surveyId: s.id,
      respondents: 4,
      questions: [
        {
          index: 0,
          kind: 'choice',
          answered: 4,
          options: [
            { option: '水果', count: 2 },
            { option: '蔬菜', count: 1 },
            { option: '海鲜', count: 2 },
          ],
        },
        {
          index: 1,
          kind: 'choice',
          answered: 4,
          options: [
            { option: '自提', count: 3 },
            { option: '送货', count: 1 },
          ],
        },
        { index: 2, kind: 'rating', answered: 4, ratingSum: 14, average: 3.5, histogram: [0, 1, 1, 1, 1] },
        { index: 3, kind: 'text', answered: 2 },
      ],
      texts: [{ question: 3, text: '送货快一点' }],
    });
    expect(results.body.texts[0]).not.toHaveProperty('userId');
    const page2 = await ok(
      h.call('GET', `/surveys/${s.id}/results?limit=1&cursor=${results.body.nextCursor}`, { token: c.owner.token }),
      200,
    );
    expect(page2.body.texts.map((t: any) => t.text)).toEqual(['多团点水果']);
    await ok(h.call('GET', `/surveys/${s.id}/results`, { token: c.helper.token }), 403);
    await ok(h.call('GET', `/surveys/${s.id}/results`, { token: c.ms[0]!.token }), 403);
    await ok(h.call('GET', `/surveys/${s.id}/results`, { token: c.other.token }), 404);
    await ok(h.call('GET', `/surveys/${s.id}/results`), 401);
  });

  it('150 members answering at once, 30 of them twice at once: respondents = distinct members, every count exact', async () => {
    const c = await community(150);
    const s = (await ok(h.call('POST', `/communities/${c.id}/surveys`, { token: c.owner.token, body: survey() }), 201)).body;
    const answersOf = (i: number, variant: number) => [
      { options: i % 3 === 0 ? [0, 1] : [i % 3] },
      { options: [(i + variant) % 2] },
      { rating: ((i + variant) % 5) + 1 },
      i % 4 === 0 ? { text: `建议${i}-${variant}` } : null,
    ];
    const calls = c.ms.flatMap((m, i) => {
      const one = () => h.call('POST', `/surveys/${s.id}/answers`, { token: m.token, body: { answers: answersOf(i, 0) } });
      const two = () => h.call('POST', `/surveys/${s.id}/answers`, { token: m.token, body: { answers: answersOf(i, 1) } });
      return i % 5 === 0
        ? [
            { i, run: one },
            { i, run: two },
          ]
        : [{ i, run: one }];
    });
    const answered = await Promise.all(calls.map(async ({ i, run }) => ({ i, res: await run() })));
    const wins = new Map<number, number>();
    for (const { i, res } of answered) {
      expect([201, 409], res.text.slice(0, 200)).toContain(res.status);
      if (res.status === 409) expect(res.body.error.code).toBe('ALREADY_ANSWERED');
      if (res.status === 201) wins.set(i, (wins.get(i) ?? 0) + 1);
    }
    // Each member got exactly one answer in, however many they sent at once.
    expect(wins.size).toBe(150);
    expect([...wins.values()].every((n) => n === 1)).toBe(true);

    // The naive recount, from each member's stored answer.
    const stored = await Promise.all(
      c.ms.map(
        async (m) => (await h.db.doc.send(new GetCommand({ TableName: h.tableName, Key: keys.surveyResponse(s.id, m.userId) }))).Item!,
      ),
    );
    const options0 = [0, 0, 0];
    const options1 = [0, 0];
    const hist = [0, 0, 0, 0, 0];
    let sum = 0;
    let texts = 0;
    for (const item of stored) {
      const a = item.answers as any[];
      for (const o of a[0].options) options0[o]! += 1;
      for (const o of a[1].options) options1[o]! += 1;
      hist[a[2].rating - 1]! += 1;
      sum += a[2].rating;
      if (a[3]) texts++;
    }
    const results = (await ok(h.call('GET', `/surveys/${s.id}/results?limit=100`, { token: c.owner.token }), 200)).body;
    expect(results.respondents).toBe(150);
    expect(results.questions[0].options.map((o: any) => o.count)).toEqual(options0);
    expect(results.questions[1].options.map((o: any) => o.count)).toEqual(options1);
    expect(results.questions[2]).toMatchObject({ answered: 150, ratingSum: sum, histogram: hist });
    expect(results.questions[3].answered).toBe(texts);
    expect(results.texts).toHaveLength(texts);
  }, 180_000);

  it('export lists my answers; after DELETE /me they are detached from me and the results stay', async () => {
    const c = await community(2);
    const s = (await ok(h.call('POST', `/communities/${c.id}/surveys`, { token: c.owner.token, body: survey() }), 201)).body;
    const m = c.ms[0]!;
    await ok(
      h.call('POST', `/surveys/${s.id}/answers`, {
        token: m.token,
        body: { answers: [{ options: [1] }, { options: [0] }, { rating: 2 }, { text: '我的建议' }] },
      }),
      201,
    );
    const exported = (await ok(h.call('GET', '/me/export', { token: m.token }), 200)).body;
    expect(exported.surveyAnswers).toEqual([
      expect.objectContaining({
        surveyId: s.id,
        communityId: c.id,
        answers: [{ options: [1] }, { options: [0] }, { rating: 2 }, { text: '我的建议' }],
      }),
    ]);
    const before = (await ok(h.call('GET', `/surveys/${s.id}/results`, { token: c.owner.token }), 200)).body;
    await ok(h.call('DELETE', '/me', { token: m.token }), 200);
    const after = (await ok(h.call('GET', `/surveys/${s.id}/results`, { token: c.owner.token }), 200)).body;
    expect(after).toEqual(before);
    const item = (await h.db.doc.send(new GetCommand({ TableName: h.tableName, Key: keys.surveyResponse(s.id, m.userId) }))).Item!;
    expect(item.answers).toBeUndefined();
    expect(item.gsi1pk).toBeUndefined();
    expect(item.erasedAt).toBeDefined();
  });
});

describe('surveys: closing early (PUT /surveys/{id}/close)', () => {
  const ANSWER = { answers: [{ options: [0] }, { options: [1] }, { rating: 4 }, null] };

  it('the owner and admins close; closesAt becomes now, later answers are 409 INVALID_STATE; a repeat is the same closesAt', async () => {
    const c = await community(2);
    const [m0, m1] = c.ms as [User, User];
    const s = (
      await ok(
        h.call('POST', `/communities/${c.id}/surveys`, { token: c.owner.token, body: survey({ closesAt: '2026-12-20T00:00:00.000Z' }) }),
        201,
      )
    ).body;
    await ok(h.call('POST', `/surveys/${s.id}/answers`, { token: m0.token, body: ANSWER }), 201);
    const close = `/surveys/${s.id}/close`;
    // Who may not: a member and a helper (403), someone outside the private community (404), nobody signed in (401), no such survey (404).
    await ok(h.call('PUT', close, { token: m1.token }), 403);
    await ok(h.call('PUT', close, { token: c.helper.token }), 403);
    await ok(h.call('PUT', close, { token: c.other.token }), 404);
    await ok(h.call('PUT', close), 401);
    await ok(h.call('PUT', '/surveys/s_nothing/close', { token: c.owner.token }), 404);

    h.clock.advance(60_000);
    const closedAt = h.clock.now().toISOString();
    const first = (await ok(h.call('PUT', close, { token: c.admin.token }), 200)).body;
    expect(first).toMatchObject({ id: s.id, closesAt: closedAt, open: false, closedNow: true });
    const refused = await ok(h.call('POST', `/surveys/${s.id}/answers`, { token: m1.token, body: ANSWER }), 409);
    expect(refused.body.error.code).toBe('INVALID_STATE');

    h.clock.advance(60_000);
    const again = (await ok(h.call('PUT', close, { token: c.owner.token }), 200)).body;
    expect(again).toMatchObject({ closesAt: closedAt, open: false, closedNow: false });
    // The community's list shows the closing time too; members no longer see it among the open ones.
    const teamList = (await ok(h.call('GET', `/communities/${c.id}/surveys`, { token: c.owner.token }), 200)).body;
    expect(teamList.surveys.find((x: { id: string }) => x.id === s.id)).toMatchObject({ closesAt: closedAt, open: false });
    const memberList = (await ok(h.call('GET', `/communities/${c.id}/surveys`, { token: m1.token }), 200)).body;
    expect(memberList.surveys.map((x: { id: string }) => x.id)).not.toContain(s.id);
    const results = (await ok(h.call('GET', `/surveys/${s.id}/results`, { token: c.owner.token }), 200)).body;
    expect(results.respondents).toBe(1);
  });

  it('a survey whose closesAt passed is closed already: 200, closedNow false, closesAt unchanged', async () => {
    const c = await community(0);
    const s = (
      await ok(
        h.call('POST', `/communities/${c.id}/surveys`, { token: c.owner.token, body: survey({ closesAt: '2026-12-01T01:00:00.000Z' }) }),
        201,
      )
    ).body;
    h.clock.set('2026-12-01T02:00:00.000Z');
    const res = (await ok(h.call('PUT', `/surveys/${s.id}/close`, { token: c.owner.token }), 200)).body;
    expect(res).toMatchObject({ closesAt: '2026-12-01T01:00:00.000Z', open: false, closedNow: false });
  });

  it('an answer whose route read the survey open before the close is refused by its own transaction, writing nothing', async () => {
    const c = await community(1);
    const s = (await ok(h.call('POST', `/communities/${c.id}/surveys`, { token: c.owner.token, body: survey() }), 201)).body;
    const stale = (await getSurvey(h.db, s.id))!;
    expect((await closeSurvey(h.db, s.id, c.owner.userId)).closed).toBe(true);
    await expect(submitAnswers(h.db, stale, c.ms[0]!.userId, ANSWER.answers)).rejects.toBeInstanceOf(InvalidStateError);
    const item = await h.db.doc.send(new GetCommand({ TableName: h.tableName, Key: keys.surveyResponse(s.id, c.ms[0]!.userId) }));
    expect(item.Item).toBeUndefined();
    expect((await ok(h.call('GET', `/surveys/${s.id}/results`, { token: c.owner.token }), 200)).body.respondents).toBe(0);
  });

  it('answers racing the close: each is accepted (before it) or refused 409, and the results count exactly the accepted ones', async () => {
    const c = await community(40);
    const s = (await ok(h.call('POST', `/communities/${c.id}/surveys`, { token: c.owner.token, body: survey() }), 201)).body;
    const answers = c.ms.map((m) => h.call('POST', `/surveys/${s.id}/answers`, { token: m.token, body: ANSWER }));
    const closing = h.call('PUT', `/surveys/${s.id}/close`, { token: c.owner.token });
    const settled = await Promise.all(answers);
    const closed = await closing;
    expect(closed.status).toBe(200);
    for (const r of settled) {
      expect([201, 409], r.text.slice(0, 200)).toContain(r.status);
      if (r.status === 409) expect(r.body.error.code).toBe('INVALID_STATE');
    }
    const accepted = settled.filter((r) => r.status === 201);
    // Each accepted answer committed before the close (no later one got in), each refused one wrote nothing.
    for (const r of accepted) expect(r.body.answeredAt <= closed.body.closesAt).toBe(true);
    const results = (await ok(h.call('GET', `/surveys/${s.id}/results`, { token: c.owner.token }), 200)).body;
    expect(results.respondents).toBe(accepted.length);
    expect(results.questions[2]).toMatchObject({ answered: accepted.length, ratingSum: 4 * accepted.length });
    const stored = await Promise.all(
      c.ms.map(
        async (m) => (await h.db.doc.send(new GetCommand({ TableName: h.tableName, Key: keys.surveyResponse(s.id, m.userId) }))).Item,
      ),
    );
    expect(stored.filter(Boolean)).toHaveLength(accepted.length);
    // After the close, nobody gets in.
    const late = c.ms.filter((_, i) => settled[i]!.status === 409)[0];
    if (late) await ok(h.call('POST', `/surveys/${s.id}/answers`, { token: late.token, body: ANSWER }), 409);
  }, 60_000);
});
