import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeWechat, SEC_CHECK_MARKERS, startFakeWechat } from '../../shared/wechat/fake/index.js';
import { WechatServerApi } from '../../shared/wechat/index.js';
import { campaignBody, type Harness, harness } from '../helpers/harness.js';

let fake: FakeWechat;

beforeAll(async () => {
  fake = await startFakeWechat();
});

afterAll(async () => {
  await fake?.close();
});

beforeEach(() => {
  fake.secCheckDown = false;
  fake.rejectAllTokens = false;
});

const RISKY = SEC_CHECK_MARKERS.risky;
const REVIEW = SEC_CHECK_MARKERS.review;

async function checkedHarness(): Promise<Harness> {
  return harness({
    contentCheck: (db) => ({ api: new WechatServerApi(db, { apiBase: fake.url, appId: fake.appId, secret: fake.secret, timeoutMs: 300 }) }),
  });
}

/** msg_sec_check calls made by `run`, with their bodies. */
async function secChecks<T>(run: () => Promise<T>): Promise<{ result: T; checks: Array<Record<string, unknown>> }> {
  const before = fake.requests.length;
  const result = await run();
  const checks = fake.requests
    .slice(before)
    .filter((r) => r.path === '/wxa/msg_sec_check')
    .map((r) => r.body!);
  return { result, checks };
}

const items = [{ name: '阳光玫瑰 2斤装', spec: '2斤', unitPrice: 3990, stock: 200, perPersonLimit: 5, tiers: [] }];
const createKinds = [
  { field: 'body.title', stored: 'title', body: (t: string) => ({ title: `葡萄 ${t}` }) },
  { field: 'body.description', stored: 'description', body: (t: string) => ({ description: `产地直发 ${t}` }) },
  { field: 'body.items[0].name', stored: 'items[0].name', body: (t: string) => ({ items: [{ ...items[0], name: `葡萄 ${t}` }] }) },
  { field: 'body.items[0].spec', stored: 'items[0].spec', body: (t: string) => ({ items: [{ ...items[0], spec: `2斤 ${t}` }] }) },
  {
    field: 'body.pickupPoints[0].name',
    stored: 'pickupPoints[0].name',
    body: (t: string) => ({ pickupPoints: [{ name: `门卫室 ${t}` }] }),
  },
  {
    field: 'body.pickupPoints[0].address',
    stored: 'pickupPoints[0].address',
    body: (t: string) => ({ pickupPoints: [{ name: '门卫室', address: `3号楼 ${t}` }] }),
  },
];

describe('campaign create: every text is checked (scene 3) with the leader’s openid', () => {
  it('pass: created, no contentReview; one check per non-empty text', async () => {
    const h = await checkedHarness();
    const leader = await h.login('o_leader');
    const { result: res, checks } = await secChecks(() => h.call('POST', '/campaigns', { token: leader.token, body: campaignBody() }));
    expect(res.status).toBe(201);
    expect(res.body.contentReview).toBeUndefined();
    // title, description, item name, item spec, pickup name, pickup address
    expect(checks).toHaveLength(6);
    expect(checks.every((c) => c.scene === 3 && c.version === 2 && c.openid === 'o_leader')).toBe(true);
  });

  it('a text repeated across items is checked once; a review verdict flags every place it appears', async () => {
    const h = await checkedHarness();
    const leader = await h.login('o_leader');
    const many = Array.from({ length: 20 }, (_, i) => ({ ...items[0], name: `葡萄 ${i}`, spec: `2斤 ${REVIEW}` }));
    const { result: res, checks } = await secChecks(() =>
      h.call('POST', '/campaigns', { token: leader.token, body: campaignBody({ items: many }) }),
    );
    expect(res.status).toBe(201);
    // title, description, 20 names, one spec, pickup name and address
    expect(checks).toHaveLength(25);
    expect(res.body.contentReview).toEqual(many.map((_, i) => `items[${i}].spec`));
  });

  it.each(createKinds)('review of $field: created and recorded as contentReview [$stored]', async ({ body, stored }) => {
    const h = await checkedHarness();
    const leader = await h.login('o_leader');
    const res = await h.call('POST', '/campaigns', { token: leader.token, body: campaignBody(body(REVIEW)) });
    expect(res.status).toBe(201);
    expect(res.body.contentReview).toEqual([stored]);
    const read = await h.call('GET', `/campaigns/${res.body.id}`);
    expect(read.body.contentReview).toEqual([stored]);
  });

  it.each(createKinds)('risky $field: 422 CONTENT_REJECTED naming it, nothing written', async ({ body, field }) => {
    const h = await checkedHarness();
    const leader = await h.login('o_leader');
    const res = await h.call('POST', '/campaigns', { token: leader.token, body: campaignBody(body(RISKY)) });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('CONTENT_REJECTED');
    expect(res.body.error.details.field).toBe(field);
    const mine = await h.call('GET', '/me/campaigns', { token: leader.token });
    expect(mine.body.campaigns).toEqual([]);
  });

  it('WeChat down: 503 SERVICE_UNAVAILABLE, nothing written (never published unchecked)', async () => {
    const h = await checkedHarness();
    const leader = await h.login('o_leader');
    fake.secCheckDown = true;
    const res = await h.call('POST', '/campaigns', { token: leader.token, body: campaignBody() });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('SERVICE_UNAVAILABLE');
    fake.secCheckDown = false;
    const mine = await h.call('GET', '/me/campaigns', { token: leader.token });
    expect(mine.body.campaigns).toEqual([]);
  });
  it('a wrong AppSecret: 503 for the leader, and the operator is told why (errcode, never the text)', async () => {
    const told: Array<Record<string, unknown>> = [];
    const h = await harness({
      contentCheck: (db) => ({
        api: new WechatServerApi(db, { apiBase: fake.url, appId: fake.appId, secret: 'not-the-secret', timeoutMs: 300 }),
        onUnchecked: (fields) => told.push(fields),
      }),
    });
    const leader = await h.login('o_leader');
    const res = await h.call('POST', '/campaigns', { token: leader.token, body: campaignBody() });
    expect(res.status).toBe(503);
    expect(told).toContainEqual({ field: 'body.title', code: 'WECHAT_MISCONFIGURED', errcode: 40125 });
  });
});

describe('campaign edit', () => {
  it('checks the new texts: risky 422 names the field; review flags the stored text; a passing re-edit clears its flag', async () => {
    const h = await checkedHarness();
    const leader = await h.login('o_leader');
    const c = await h.createCampaign(leader.token);
    const risky = await h.call('PATCH', `/campaigns/${c.id}`, {
      token: leader.token,
      body: { addPickupPoints: [{ name: `东门 ${RISKY}` }] },
    });
    expect(risky.status).toBe(422);
    expect(risky.body.error.details.field).toBe('body.addPickupPoints[0].name');
    expect((await h.call('GET', `/campaigns/${c.id}`)).body.pickupPoints).toHaveLength(1);

    const review = await h.call('PATCH', `/campaigns/${c.id}`, {
      token: leader.token,
      body: { title: `新标题 ${REVIEW}`, addItems: [{ ...items[0], name: `桃子 ${REVIEW}` }] },
    });
    expect(review.status).toBe(200);
    expect(review.body.contentReview).toEqual(['title', 'items[1].name']);

    // an edit that does not touch the title keeps its flag
    const other = await h.call('PATCH', `/campaigns/${c.id}`, { token: leader.token, body: { description: '新描述' } });
    expect(other.body.contentReview).toEqual(['title', 'items[1].name']);

    const cleared = await h.call('PATCH', `/campaigns/${c.id}`, { token: leader.token, body: { title: '新标题' } });
    expect(cleared.status).toBe(200);
    expect(cleared.body.contentReview).toEqual(['items[1].name']);
  });

  it('WeChat down: 503, the campaign unchanged', async () => {
    const h = await checkedHarness();
    const leader = await h.login('o_leader');
    const c = await h.createCampaign(leader.token);
    fake.secCheckDown = true;
    const res = await h.call('PATCH', `/campaigns/${c.id}`, { token: leader.token, body: { description: '改了' } });
    expect(res.status).toBe(503);
    fake.secCheckDown = false;
    expect((await h.call('GET', `/campaigns/${c.id}`)).body.description).toBe('产地直发');
  });
});

describe('entry notes (scene 2, the member’s openid)', () => {
  async function campaign() {
    const h = await checkedHarness();
    const leader = await h.login('o_leader');
    const c = await h.createCampaign(leader.token);
    const member = await h.login('o_member');
    const join = (note?: string) =>
      h.call('POST', `/campaigns/${c.id}/entries`, {
        token: member.token,
        body: { items: [{ itemId: 'i1', qty: 1 }], ...(note ? { note } : {}) },
      });
    return { h, c, leader, member, join };
  }

  it('a join without a note makes no WeChat call', async () => {
    const { join } = await campaign();
    const before = fake.requests.length;
    const res = await join();
    expect(res.status).toBe(201);
    expect(fake.requests.length).toBe(before);
  });

  it('pass: joined, one check with scene 2 and the member’s openid, no contentReview', async () => {
    const { join } = await campaign();
    const { result: res, checks } = await secChecks(() => join('3号楼 晚上取'));
    expect(res.status).toBe(201);
    expect(res.body.contentReview).toBeUndefined();
    expect(checks).toEqual([{ content: '3号楼 晚上取', version: 2, scene: 2, openid: 'o_member' }]);
  });

  it('review: joined, flagged for the owner and leader; the public list does not show the flag', async () => {
    const { h, c, leader, join } = await campaign();
    const res = await join(`晚上取 ${REVIEW}`);
    expect(res.status).toBe(201);
    expect(res.body.contentReview).toEqual(['note']);
    const asLeader = await h.call('GET', `/campaigns/${c.id}/entries`, { token: leader.token });
    expect(asLeader.body.entries[0].contentReview).toEqual(['note']);
    const asPublic = await h.call('GET', `/campaigns/${c.id}/entries`);
    expect(asPublic.body.entries[0].contentReview).toBeUndefined();
  });

  it('risky: 422 CONTENT_REJECTED body.note, no entry taken', async () => {
    const { h, c, leader, join } = await campaign();
    const res = await join(`晚上取 ${RISKY}`);
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'CONTENT_REJECTED', details: { field: 'body.note' } });
    const list = await h.call('GET', `/campaigns/${c.id}/entries`, { token: leader.token });
    expect(list.body.entries).toEqual([]);
  });

  it('WeChat down: the join goes through, its note flagged for review', async () => {
    const { join } = await campaign();
    fake.secCheckDown = true;
    const res = await join('晚上取');
    expect(res.status).toBe(201);
    expect(res.body.contentReview).toEqual(['note']);
  });

  it('changing the note: risky 422 (unchanged), review flags it, a passing note clears the flag', async () => {
    const { h, c, member, join } = await campaign();
    const joined = await join('晚上取');
    const path = `/campaigns/${c.id}/entries/${joined.body.id}`;
    const risky = await h.call('PATCH', path, { token: member.token, body: { note: `改 ${RISKY}` } });
    expect(risky.status).toBe(422);
    expect(risky.body.error.details.field).toBe('body.note');
    const review = await h.call('PATCH', path, { token: member.token, body: { note: `改 ${REVIEW}` } });
    expect(review.status).toBe(200);
    expect(review.body).toMatchObject({ note: `改 ${REVIEW}`, contentReview: ['note'] });
    const pass = await h.call('PATCH', path, { token: member.token, body: { note: '改好了' } });
    expect(pass.status).toBe(200);
    expect(pass.body.contentReview).toBeUndefined();
    const { checks } = await secChecks(() => h.call('PATCH', path, { token: member.token, body: { phone: '13800138000' } }));
    expect(checks).toEqual([]); // no note in the change: nothing to check
  });
});

describe('nickname (scene 1)', () => {
  it('pass and review are saved; risky is 422 body.nickname; WeChat down is 503', async () => {
    const h = await checkedHarness();
    const user = await h.login('o_user');
    const { result: ok, checks } = await secChecks(() => h.call('PATCH', '/me', { token: user.token, body: { nickname: '王小明' } }));
    expect(ok.status).toBe(200);
    expect(checks).toEqual([{ content: '王小明', version: 2, scene: 1, openid: 'o_user' }]);
    expect((await h.call('PATCH', '/me', { token: user.token, body: { nickname: `小明 ${REVIEW}` } })).status).toBe(200);
    const risky = await h.call('PATCH', '/me', { token: user.token, body: { nickname: `小明 ${RISKY}` } });
    expect(risky.status).toBe(422);
    expect(risky.body.error).toMatchObject({ code: 'CONTENT_REJECTED', details: { field: 'body.nickname' } });
    fake.secCheckDown = true;
    expect((await h.call('PATCH', '/me', { token: user.token, body: { nickname: '小明' } })).status).toBe(503);
    fake.secCheckDown = false;
    expect((await h.call('GET', '/me', { token: user.token })).body.nickname).toBe(`小明 ${REVIEW}`);
  });
});

describe('checks off (no CONTENT_CHECK)', () => {
  it('asks WeChat nothing', async () => {
    const h = await harness();
    const leader = await h.login('o_leader');
    const before = fake.requests.length;
    expect((await h.call('POST', '/campaigns', { token: leader.token, body: campaignBody({ title: `x ${RISKY}` }) })).status).toBe(201);
    expect(fake.requests.length).toBe(before);
  });
});

describe('the leader acknowledges flagged texts', () => {
  it('clears the flags of texts kept as they are (all, or the ones named); others are 400; members may not; not after closing', async () => {
    const h = await checkedHarness();
    const leader = await h.login('ack-leader', '团长');
    const c = await h.createCampaign(leader.token, {
      title: `葡萄 ${REVIEW}`,
      description: `产地直发 ${REVIEW}`,
      items: [{ ...items[0], name: `葡萄 ${REVIEW}` }],
    });
    expect(c.contentReview).toEqual(['title', 'description', 'items[0].name']);
    const ack = (body: unknown, token = leader.token) => h.call('POST', `/campaigns/${c.id}/content-review/acknowledge`, { token, body });

    const unknown = await ack({ fields: ['items[0].spec'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.fields).toEqual([{ path: 'body.fields', message: 'items[0].spec is not flagged' }]);
    const member = await h.login('ack-member', '会员');
    expect((await ack({}, member.token)).status).toBe(403);

    const one = await ack({ fields: ['title'] });
    expect(one.status, one.text).toBe(200);
    expect(one.body.contentReview).toEqual(['description', 'items[0].name']);
    const rest = await ack({});
    expect(rest.status).toBe(200);
    expect(rest.body).not.toHaveProperty('contentReview');
    expect((await h.call('GET', `/campaigns/${c.id}`)).body).not.toHaveProperty('contentReview');
    // The texts themselves are unchanged.
    expect(rest.body.title).toBe(`葡萄 ${REVIEW}`);

    expect((await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token })).status).toBe(200);
    expect((await ack({})).status).toBe(409);
  });
});
