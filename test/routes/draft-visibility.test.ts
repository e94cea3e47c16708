import { beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, T0 } from '../helpers/harness.js';

/**
 * A draft exists only for its leader and helpers. For anyone else, every route that names it
 * answers 404 NOT_FOUND, exactly as for an id that names nothing: staff routes included (a 403
 * there would say "this exists"). Routes that need a token answer 401 without one, whatever the
 * id (that says nothing either). The routes are read from /openapi.json, so a new campaign route
 * is covered without a new line here.
 */
let h: Harness;
let leader: { token: string; userId: string };
let helper: { token: string; userId: string };
let stranger: { token: string; userId: string };
let draftId: string;
let draftShareCode: string;

const BODIES: Record<string, () => unknown> = {
  // Community routes: a campaign's id names no community (404 too).
  'POST /communities/{id}/campaigns': () => ({ campaignId: 'c_x' }),
  'PUT /communities/{id}/following': () => ({ following: true }),
  'POST /communities/{id}/invitations': () => ({ role: 'helper' }),
  'PATCH /campaigns/{id}': () => ({ description: '改一下' }),
  'POST /campaigns/{id}/entries': () => ({ items: [{ itemId: 'i1', qty: 1 }] }),
  'PATCH /campaigns/{id}/entries/{entryId}': () => ({ note: '改一下' }),
  'PUT /campaigns/{id}/entries/{entryId}/payment': () => ({ status: 'paid', amount: 100 }),
  'POST /campaigns/{id}/helpers': () => ({ userId: stranger.userId }),
  'POST /campaigns/{id}/blocks': () => ({ userId: stranger.userId }),
  'POST /campaigns/{id}/staff-entries': () => ({ name: '王阿姨', items: [{ itemId: 'i1', qty: 1 }] }),
  'POST /campaigns/{id}/entries/claim': () => ({ code: '1-AAAAAAAA' }),
  'POST /campaigns/{id}/content-review/acknowledge': () => ({}),
  'POST /campaigns/{id}/clone': () => ({ closesAt: '2026-12-08T12:00:00.000Z' }),
  'POST /campaigns/{id}/pickups/scan': () => ({ code: '1-AAAAAAAA' }),
  'POST /campaigns/{id}/call-off': () => ({ reason: '取消' }),
  'POST /campaigns/{id}/entries/{entryId}/after-sale': () => ({ items: [{ itemId: 'i1', qty: 1 }], reason: '坏了' }),
  'POST /campaigns/{id}/after-sales/{requestId}/decision': () => ({ approve: false, reason: '不符合' }),
  'POST /campaigns/{id}/shortage': () => ({ items: [{ itemId: 'i1', delivered: 0 }], allocation: 'fifo' }),
  'POST /campaigns/{id}/images/uploads': () => ({ contentType: 'image/png' }),
  'POST /campaigns/{id}/entries/{entryId}/after-sale/uploads': () => ({ contentType: 'image/png' }),
  'POST /campaigns/{id}/images': () => ({ uploadId: 'u_0000000000000000000000000', cover: true }),
  'PUT /campaigns/{id}/images': () => ({ coverImageId: null, itemImages: {} }),
  'POST /campaigns/{id}/entries/{entryId}/points': () => ({ points: 1 }),
  'PUT /campaigns/{id}/entries/{entryId}/review': () => ({ rating: 5 }),
  'POST /communities/{id}/surveys': () => ({ title: '调查', questions: [{ kind: 'rating', prompt: '满意吗？' }], audience: 'members' }),
  'POST /surveys/{id}/answers': () => ({ answers: [{ rating: 5 }] }),
  'PUT /campaigns/{id}/reviews/{entryId}/reply': () => ({ text: '谢谢' }),
  'DELETE /campaigns/{id}/reviews/{entryId}': () => ({ reason: '广告' }),
  'PUT /communities/{id}/points-rules': () => ({
    earn: { joinSucceeded: 0, paidOnTime: 0, pickedUp: 0, reviewed: 0, referral: 0 },
    spend: { enabled: false, fenPerPoint: 1, maxFenPerEntry: 0, maxPercentOfEntry: 0 },
    titles: [],
  }),
};

beforeAll(async () => {
  // Photos configured, so their routes are in the document and covered.
  h = await harness({ images: {} });
  leader = await h.login('dv-leader', '团长');
  helper = await h.login('dv-helper', '助手');
  stranger = await h.login('dv-stranger', '路人');
  h.clock.set(T0);
  const draft = await h.createCampaign(leader.token, { draft: true, minParticipants: 1 });
  draftId = draft.id;
  draftShareCode = draft.shareCode;
  expect((await h.call('POST', `/campaigns/${draftId}/helpers`, { token: leader.token, body: { userId: helper.userId } })).status).toBe(
    201,
  );
});

async function draftRoutes(): Promise<
  Array<{ route: string; method: string; path: string; signedIn: boolean; headers: Record<string, string> }>
> {
  const doc = await h.call('GET', '/openapi.json');
  const out = [];
  for (const [template, item] of Object.entries(doc.body.paths as Record<string, Record<string, any>>)) {
    if (!template.includes('{id}') && !template.includes('{shareCode}')) continue;
    for (const [method, op] of Object.entries(item)) {
      const path = template
        .replace('{id}', draftId)
        .replace('{shareCode}', draftShareCode)
        .replace('{entryId}', 'e1_AAAAAAAAAAAA')
        .replace('{userId}', stranger.userId)
        .replace('{outRefundNo}', 'R_nothing')
        .replace('{requestId}', 'as_none')
        .replace('{imageId}', 'u_0000000000000000000000000');
      out.push({
        route: `${method.toUpperCase()} ${template}`,
        method: method.toUpperCase(),
        path,
        // A bearer is required unless the route also allows none (`{}`: public routes with an optional bearer).
        signedIn: (op.security ?? []).length > 0 && !(op.security as object[]).some((s) => Object.keys(s).length === 0),
        // The POST twins of PATCH routes exist only with their override header (see method-override.ts).
        headers: (op.parameters ?? []).some((p: any) => p.in === 'header' && p.name.toLowerCase() === 'x-http-method-override')
          ? { 'x-http-method-override': 'PATCH' }
          : {},
      });
    }
  }
  return out;
}

describe('a draft, for anyone but its leader and helpers', () => {
  it('every route that names it is 404 NOT_FOUND for a signed-in stranger', async () => {
    const routes = await draftRoutes();
    expect(routes.length).toBeGreaterThan(20);
    const wrong: string[] = [];
    for (const r of routes) {
      const body = BODIES[r.route];
      const res = await h.call(r.method, r.path, { token: stranger.token, headers: r.headers, ...(body ? { body: body() } : {}) });
      if (res.status !== 404 || res.body?.error?.code !== 'NOT_FOUND') wrong.push(`${r.route}: ${res.status} ${res.text.slice(0, 100)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('without a token: public routes are 404, routes that need a token are 401 (for any id)', async () => {
    const wrong: string[] = [];
    for (const r of await draftRoutes()) {
      const body = BODIES[r.route];
      const res = await h.call(r.method, r.path, { headers: r.headers, ...(body ? { body: body() } : {}) });
      const expected = r.signedIn ? 401 : 404;
      if (res.status !== expected) wrong.push(`${r.route}: ${res.status}, expected ${expected}`);
    }
    expect(wrong).toEqual([]);
  });

  it('the leader and helpers still see it', async () => {
    for (const token of [leader.token, helper.token]) {
      expect((await h.call('GET', `/campaigns/${draftId}`, { token })).status).toBe(200);
      expect((await h.call('GET', `/campaigns/${draftId}/helpers`, { token })).status).toBe(200);
      expect((await h.call('GET', `/campaigns/${draftId}/blocks`, { token })).status).toBe(200);
    }
    // A helper is still refused leader-only actions with 403: they know the draft exists.
    expect((await h.call('POST', `/campaigns/${draftId}/publish`, { token: helper.token })).status).toBe(403);
  });
});
