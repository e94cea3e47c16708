import { sign } from 'hono/jwt';
import { beforeAll, describe, expect, it } from 'vitest';
import { campaignBody, type Harness, harness, T0, TEST_TOKENS } from '../helpers/harness.js';

let h: Harness;
let leader: { token: string; userId: string };

beforeAll(async () => {
  h = await harness();
  leader = await h.login('leader', '团长老王');
});

describe('POST /campaigns', () => {
  it('creates the contract example with defaults, short share code, live pricing', async () => {
    h.clock.set(T0);
    const res = await h.call('POST', '/campaigns', { token: leader.token, body: campaignBody() });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      leaderId: leader.userId,
      status: 'open',
      acceptingEntries: true,
      title: '周六 阳光玫瑰葡萄 团购',
      opensAt: T0,
      closesAt: '2026-12-03T12:00:00.000Z',
      tierBasis: 'quantity',
      minParticipants: 3,
      participantCount: 0,
      pickupPoints: [{ name: '3号楼门卫室', address: '幸福小区3号楼' }],
      createdAt: T0,
    });
    expect(res.body.shareCode).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6,10}$/);
    expect(res.body.items[0]).toMatchObject({
      name: '阳光玫瑰 2斤装',
      spec: '2斤',
      unitPrice: 3990,
      stock: 200,
      perPersonLimit: 5,
      sold: 0,
      remaining: 200,
      currentUnitPrice: 3990,
      nextTier: { threshold: 20, unitPrice: 3590, needed: 20 },
    });
  });

  it('applies defaults: opensAt now, quantity basis, 1 participant, unlimited stock, no limit', async () => {
    h.clock.set(T0);
    const res = await h.call('POST', '/campaigns', {
      token: leader.token,
      body: { title: '报名: 周末亲子活动', closesAt: '2026-12-05T00:00:00.000Z', items: [{ name: '报名', unitPrice: 0 }] },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ opensAt: T0, tierBasis: 'quantity', minParticipants: 1, description: '', pickupPoints: [] });
    expect(res.body.items[0]).toMatchObject({
      stock: null,
      perPersonLimit: null,
      remaining: null,
      tiers: [],
      nextTier: null,
      currentUnitPrice: 0,
    });
  });

  it.each([
    ['empty title', { title: '' }, 'body.title'],
    ['title over 100', { title: '团'.repeat(101) }, 'body.title'],
    ['description over 2000', { description: 'x'.repeat(2001) }, 'body.description'],
    ['closesAt in the past', { closesAt: '2026-11-30T00:00:00.000Z', opensAt: undefined }, 'body.closesAt'],
    ['closesAt before opensAt', { opensAt: '2026-12-05T00:00:00.000Z' }, 'body.closesAt'],
    ['closesAt not a time', { closesAt: 'tomorrow' }, 'body.closesAt'],
    ['float price', { items: [{ name: 'x', unitPrice: 12.9 }] }, 'body.items.0.unitPrice'],
    ['negative stock', { items: [{ name: 'x', unitPrice: 100, stock: -1 }] }, 'body.items.0.stock'],
    ['no items', { items: [] }, 'body.items'],
    ['51 items', { items: Array.from({ length: 51 }, (_, i) => ({ name: `x${i}`, unitPrice: 1 })) }, 'body.items'],
    [
      'tiers not increasing',
      {
        items: [
          {
            name: 'x',
            unitPrice: 100,
            tiers: [
              { threshold: 5, unitPrice: 90 },
              { threshold: 5, unitPrice: 80 },
            ],
          },
        ],
      },
      'body.items.0.tiers.1.threshold',
    ],
    [
      'tier not cheaper',
      { items: [{ name: 'x', unitPrice: 100, tiers: [{ threshold: 5, unitPrice: 100 }] }] },
      'body.items.0.tiers.0.unitPrice',
    ],
    [
      'tier prices not decreasing',
      {
        items: [
          {
            name: 'x',
            unitPrice: 100,
            tiers: [
              { threshold: 5, unitPrice: 80 },
              { threshold: 9, unitPrice: 85 },
            ],
          },
        ],
      },
      'body.items.0.tiers.1.unitPrice',
    ],
    [
      '11 tiers',
      { items: [{ name: 'x', unitPrice: 1000, tiers: Array.from({ length: 11 }, (_, i) => ({ threshold: i + 1, unitPrice: 900 - i })) }] },
      'body.items.0.tiers',
    ],
    ['bad tierBasis', { tierBasis: 'weight' }, 'body.tierBasis'],
    ['minParticipants 0', { minParticipants: 0 }, 'body.minParticipants'],
  ])('400 VALIDATION_FAILED: %s', async (_name, overrides, field) => {
    h.clock.set(T0);
    const res = await h.call('POST', '/campaigns', { token: leader.token, body: campaignBody(overrides) });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.fields.map((f: any) => f.path)).toContain(field);
  });

  it('needs a token', async () => {
    const res = await h.call('POST', '/campaigns', { body: campaignBody() });
    expect(res.status).toBe(401);
  });

  it('round-trips Chinese text and emoji unchanged', async () => {
    h.clock.set(T0);
    const title = '🍇 阳光玫瑰「特价」团购——限量';
    const c = await h.createCampaign(leader.token, { title, description: '产地：云南\n冷链直发' });
    const read = await h.call('GET', `/campaigns/${c.id}`);
    expect(read.body.title).toBe(title);
    expect(read.body.description).toBe('产地：云南\n冷链直发');
  });
});

describe('reading campaigns', () => {
  it('GET by id and by share code (any case) give the same campaign without a token', async () => {
    h.clock.set(T0);
    const c = await h.createCampaign(leader.token);
    const byId = await h.call('GET', `/campaigns/${c.id}`);
    const byCode = await h.call('GET', `/s/${c.shareCode}`);
    const lower = await h.call('GET', `/s/${c.shareCode.toLowerCase()}`);
    expect(byId.status).toBe(200);
    expect(byCode.body).toEqual(byId.body);
    expect(lower.body.id).toBe(c.id);
  });

  it('unknown ids and share codes are 404 NOT_FOUND, never 400', async () => {
    for (const path of ['/campaigns/nope', '/campaigns/%20', `/campaigns/${'z'.repeat(190)}`, '/s/ZZZZZZZZ', '/s/0']) {
      const res = await h.call('GET', path);
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
  });

  it('price steps down as the group buys more, and nextTier says how much is needed', async () => {
    h.clock.set(T0);
    const c = await h.createCampaign(leader.token, {
      items: [
        {
          name: '橙子',
          unitPrice: 1000,
          stock: 100,
          tiers: [
            { threshold: 3, unitPrice: 900 },
            { threshold: 5, unitPrice: 800 },
          ],
        },
      ],
    });
    const prices: Array<[number, number | null]> = [];
    for (const [i, qty] of [2, 1, 2].entries()) {
      const m = await h.login(`tier-${c.id}-${i}`);
      await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty }] } });
      const item = (await h.call('GET', `/campaigns/${c.id}`)).body.items[0];
      prices.push([item.currentUnitPrice, item.nextTier?.needed ?? null]);
    }
    expect(prices).toEqual([
      [1000, 1],
      [900, 2],
      [800, null],
    ]);
  });
});

describe('GET /me/campaigns and /me/entries', () => {
  it('lists what I lead and what I joined, newest first, paginated', async () => {
    const me = await h.login('me-user', '小张');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      h.clock.set(`2026-12-01T0${i}:00:00.000Z`);
      ids.push((await h.createCampaign(me.token, { title: `团${i}`, opensAt: undefined })).id);
    }
    const page1 = await h.call('GET', '/me/campaigns?limit=2', { token: me.token });
    const page2 = await h.call('GET', `/me/campaigns?limit=2&cursor=${page1.body.nextCursor}`, { token: me.token });
    expect([...page1.body.campaigns, ...page2.body.campaigns].map((c: any) => c.id)).toEqual([...ids].reverse());

    for (const [i, id] of ids.entries()) {
      h.clock.set(`2026-12-01T0${i}:30:00.000Z`);
      const res = await h.call('POST', `/campaigns/${id}/entries`, { token: leader.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
      expect(res.status).toBe(201);
    }
    const mine = await h.call('GET', '/me/entries', { token: leader.token });
    expect(mine.body.entries.slice(0, 3).map((e: any) => [e.campaignId, e.campaignTitle])).toEqual([
      [ids[2], '团2'],
      [ids[1], '团1'],
      [ids[0], '团0'],
    ]);
    expect(mine.body.entries[0]).toMatchObject({ nickname: '团长老王', userId: leader.userId, isMine: true });
    expect((await h.call('GET', '/me/entries')).status).toBe(401);
    expect((await h.call('GET', '/me/campaigns')).status).toBe(401);
  });
});

describe('auth', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (over: Record<string, unknown> = {}) => ({
    sub: 'u_x',
    name: 'x',
    iss: TEST_TOKENS.issuer,
    aud: TEST_TOKENS.audience,
    iat: now(),
    exp: now() + 60,
    ...over,
  });

  it.each([
    ['garbage', async () => 'not-a-token'],
    ['wrong key', async () => sign(claims(), 'another-secret-of-some-length', 'HS256')],
    ['expired', async () => sign(claims({ iat: now() - 7200, exp: now() - 3600 }), TEST_TOKENS.secret, 'HS256')],
    ['other audience', async () => sign(claims({ aud: 'admin-console' }), TEST_TOKENS.secret, 'HS256')],
    ['no exp', async () => sign({ sub: 'u_x', iss: TEST_TOKENS.issuer, aud: TEST_TOKENS.audience }, TEST_TOKENS.secret, 'HS256')],
    [
      'alg none',
      async () => {
        const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims())}.`;
      },
    ],
    [
      'tampered payload',
      async () => {
        const [head, , sig] = (await sign(claims(), TEST_TOKENS.secret, 'HS256')).split('.');
        return `${head}.${Buffer.from(JSON.stringify(claims({ sub: leader.userId }))).toString('base64url')}.${sig}`;
      },
    ],
  ])('a %s token is 401 UNAUTHORIZED', async (_name, make) => {
    const token = await make();
    const res = await h.call('POST', '/campaigns', { token, body: campaignBody() });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
  });

  it('a non-Bearer Authorization header is 401 even on public routes', async () => {
    const res = await h.call('GET', '/campaigns/x', { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    expect(res.status).toBe(401);
  });

  it('dev login validates its body and is absent (404) when dev auth is off', async () => {
    expect((await h.call('POST', '/auth/dev-login', { body: { openid: '' } })).status).toBe(400);
    const prod = await harness({ devAuth: false });
    const res = await prod.call('POST', '/auth/dev-login', { body: { openid: 'o', nickname: 'n' } });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });
});

describe('meta routes', () => {
  it('health, OpenAPI 3.1 document of every route, docs page', async () => {
    expect((await h.call('GET', '/health')).body).toEqual({ status: 'ok' });
    const doc = (await h.call('GET', '/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${path}`));
    // The contract's routes are all there; that every route has its rules is authorization-matrix.test.ts's job.
    expect(routes.sort()).toEqual(
      expect.arrayContaining([
        'DELETE /campaigns/{id}/entries/{entryId}',
        'GET /campaigns/{id}',
        'GET /campaigns/{id}/entries',
        'GET /campaigns/{id}/settlement',
        'GET /campaigns/{id}/settlement.csv',
        'GET /health',
        'GET /me/campaigns',
        'GET /me/entries',
        'GET /s/{shareCode}',
        'PATCH /campaigns/{id}/entries/{entryId}',
        'POST /auth/dev-login',
        'POST /campaigns',
        'POST /campaigns/{id}/close',
        'POST /campaigns/{id}/entries',
        'POST /campaigns/{id}/settle',
      ]),
    );
    expect(doc.components.schemas).toHaveProperty('Campaign');
    expect(doc.components.schemas).toHaveProperty('Settlement');
    const docs = await h.call('GET', '/docs');
    expect(docs.status).toBe(200);
    // The reference is Swagger UI from the API's own assets (test/browser/docs-page.test.ts renders it).
    expect(docs.text).toContain('/docs/assets/');
  });

  it('unknown routes are 404 with the error shape; responses carry a request id', async () => {
    const res = await h.call('GET', '/nope');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });
});
