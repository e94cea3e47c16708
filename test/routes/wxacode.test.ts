import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeScene } from '../../shared/domain/index.js';
import { CampaignCodes, type CodeSettings } from '../../shared/share-codes/index.js';
import type { ObjectStore } from '../../shared/storage/index.js';
import { decodePng, type FakeWechat, startFakeWechat } from '../../shared/wechat/fake/index.js';
import { WechatServerApi } from '../../shared/wechat/index.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';

/**
 * GET /campaigns/{id}/wxacode against a fake WeChat over HTTP and the run's local S3 server: the
 * scene a code carries (and a join crediting it), who may make which code, the cache (one WeChat
 * call per distinct code, across instances too), and WeChat's failures.
 */
let fake: FakeWechat;
let h: Harness;
let store: ObjectStore;
let leader: { token: string; userId: string };
let n = 0;

const wechatApi = (db: Harness['db']) =>
  new WechatServerApi(db, { apiBase: fake.url, appId: fake.appId, secret: fake.secret, timeoutMs: 1000 });
const codesHarness = (settings: Partial<Pick<CodeSettings, 'page' | 'env'>> = {}) =>
  harness({
    shareCodes: (db, s) => {
      store = s;
      return new CampaignCodes({
        api: wechatApi(db),
        page: settings.page ?? 'pages/campaign/index',
        env: settings.env ?? 'release',
        store: s,
      });
    },
  });

beforeAll(async () => {
  fake = await startFakeWechat();
  h = await codesHarness();
  leader = await h.login('code-leader', '团长');
});
afterAll(async () => {
  await fake?.close();
});
beforeEach(() => {
  h.clock.set(T0);
  fake.failNextCodes(0, 'quota');
});

const user = (nickname: string) => h.login(`code-${n++}`, nickname);
const campaign = (overrides: Record<string, unknown> = {}) =>
  h.createCampaign(leader.token, { minParticipants: 1, items: [{ name: '苹果', unitPrice: 1000, stock: 100 }], ...overrides });
const code = (id: string, opts: { token?: string; query?: string; headers?: Record<string, string> } = {}) =>
  h.app.request(`/campaigns/${id}/wxacode${opts.query ? `?${opts.query}` : ''}`, {
    headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.headers ?? {}) },
  });
const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;
const myToken = async (token: string) => ((await h.call('GET', '/me/referral', { token })).body as { token: string }).token;

describe('GET /campaigns/{id}/wxacode', () => {
  it('answers the PNG WeChat made for the campaign’s scene, typed by its bytes, public when it credits nobody', async () => {
    const c = await campaign();
    const before = fake.codesMade.length;
    const res = await code(c.id);
    expect(res.status).toBe(200);
    // WeChat labels it image/jpeg; the bytes are a PNG, and that is what the phone is told.
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(res.headers.get('x-wxacode-scene')).toBe(`s=${c.shareCode}`);
    expect(res.headers.get('etag')).toMatch(/^"[\w-]{32}"$/);
    const png = decodePng(await bytesOf(res));
    expect(png.text).toEqual({ scene: `s=${c.shareCode}`, page: 'pages/campaign/index', env: 'release', width: '430' });
    expect(fake.codesMade.slice(before)).toEqual([
      { scene: `s=${c.shareCode}`, page: 'pages/campaign/index', env: 'release', width: 430, checkPath: true },
    ]);
  });

  it('credits the signed-in caller: the scene in the picture, used as a join’s ref, shows in the referrals', async () => {
    const c = await campaign();
    const alice = await user('阿丽');
    const res = await code(c.id, { token: alice.token, query: 'width=600' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, max-age=86400');
    const { scene, width } = decodePng(await bytesOf(res)).text;
    expect(width).toBe('600');
    expect(scene!.length).toBeLessThanOrEqual(32);
    expect(decodeScene(scene!)).toEqual({ shareCode: c.shareCode, referrer: await myToken(alice.token) });
    // The mini-program's page gets the scene URL-encoded in onLoad and passes it as the join's ref.
    const bob = await user('阿博');
    const join = await h.call('POST', `/campaigns/${c.id}/entries`, {
      token: bob.token,
      body: { items: [{ itemId: 'i1', qty: 2 }], ref: encodeURIComponent(scene!) },
    });
    expect(join.status, join.text).toBe(201);
    const referrals = await h.call('GET', `/campaigns/${c.id}/referrals`, { token: leader.token });
    expect(referrals.body.referrals).toEqual([{ referrerId: alice.userId, nickname: '阿丽', joins: 1, units: 2, amount: 2000 }]);
  });

  it('makes each distinct code once: again, 20 at once and another instance with the same storage cost no WeChat call', async () => {
    const c = await campaign();
    const member = await user('常客');
    const before = fake.codesMade.length;
    const rush = await Promise.all(Array.from({ length: 20 }, () => code(c.id, { token: member.token })));
    expect(rush.map((r) => r.status)).toEqual(Array(20).fill(200));
    const bodies = await Promise.all(rush.map(bytesOf));
    expect(new Set(bodies.map((b) => Buffer.from(b).toString('base64'))).size).toBe(1);
    expect(fake.codesMade.length - before).toBe(1);
    expect((await code(c.id, { token: member.token })).status).toBe(200);
    expect(fake.codesMade.length - before).toBe(1);
    // Another width is another code.
    expect((await code(c.id, { token: member.token, query: 'width=280' })).status).toBe(200);
    expect(fake.codesMade.length - before).toBe(2);

    // A fresh instance (cold start: empty memory) finds it in object storage.
    const scene = rush[0]!.headers.get('x-wxacode-scene')!;
    const cold = new CampaignCodes({ api: wechatApi(h.db), page: 'pages/campaign/index', env: 'release', store });
    const again = await cold.code(scene, 430);
    expect(again.source).toBe('store');
    expect(Buffer.from(again.bytes).equals(Buffer.from(bodies[0]!))).toBe(true);
    expect(again.contentType).toBe('image/png');
    expect(fake.codesMade.length - before).toBe(2);
    // Another build of the same scene is another code: the page a trial build opens may not be released yet.
    const trial = await new CampaignCodes({ api: wechatApi(h.db), page: 'pages/campaign/index', env: 'trial', store }).code(scene, 430);
    expect(trial.source).toBe('wechat');
    expect(fake.codesMade.at(-1)).toMatchObject({ env: 'trial', checkPath: false });
  });

  it('answers 304 to If-None-Match with the current ETag, without a body', async () => {
    const c = await campaign();
    const first = await code(c.id);
    const etag = first.headers.get('etag')!;
    const again = await code(c.id, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect((await again.arrayBuffer()).byteLength).toBe(0);
    expect(again.headers.get('etag')).toBe(etag);
    expect((await code(c.id, { headers: { 'if-none-match': '"something-else"' } })).status).toBe(200);
  });

  it('lets the leader and helpers make codes crediting someone else; members and anonymous callers may not', async () => {
    const c = await campaign();
    const helper = await user('助手');
    const member = await user('会员');
    const other = await user('别人');
    expect((await h.call('POST', `/campaigns/${c.id}/helpers`, { token: leader.token, body: { userId: helper.userId } })).status).toBe(201);
    const sceneOf = (res: Response) => decodeScene(res.headers.get('x-wxacode-scene')!);

    const helperPoster = await code(c.id, { token: leader.token, query: `ref=${helper.userId}` });
    expect(helperPoster.status).toBe(200);
    expect(sceneOf(helperPoster)?.referrer).toBe(await myToken(helper.token));
    const memberPoster = await code(c.id, { token: helper.token, query: `ref=${member.userId}` });
    expect(memberPoster.status).toBe(200);
    expect(sceneOf(memberPoster)?.referrer).toBe(await myToken(member.token));

    const byMember = await code(c.id, { token: member.token, query: `ref=${other.userId}` });
    expect(byMember.status).toBe(403);
    expect(await errorOf(byMember)).toBe('FORBIDDEN');
    const anonymous = await code(c.id, { query: `ref=${other.userId}` });
    expect(anonymous.status).toBe(401);
    // Their own id, or none, is anyone's.
    const own = await code(c.id, { token: member.token, query: `ref=${member.userId}` });
    expect(sceneOf(own)?.referrer).toBe(await myToken(member.token));
    const none = await code(c.id, { token: member.token, query: 'ref=none' });
    expect(none.status).toBe(200);
    expect(sceneOf(none)).toEqual({ shareCode: c.shareCode, referrer: null });
    expect(none.headers.get('cache-control')).toBe('public, max-age=86400');
  });

  it('hides drafts like every campaign route, and is 404 for an unknown campaign', async () => {
    const draft = await campaign({ draft: true });
    const member = await user('会员');
    expect((await code(draft.id)).status).toBe(404);
    expect((await code(draft.id, { token: member.token })).status).toBe(404);
    expect((await code(draft.id, { token: leader.token })).status).toBe(200);
    expect((await code('c_nothing_here')).status).toBe(404);
  });

  it('refuses a width outside WeChat’s 280–1280 and a malformed ref with 400, before asking WeChat', async () => {
    const c = await campaign();
    const before = fake.codesMade.length;
    for (const query of ['width=279', 'width=1281', 'width=abc', 'width=430.5', 'ref=%3Cscript%3E', `ref=${'x'.repeat(65)}`]) {
      const res = await code(c.id, { query });
      expect(res.status, query).toBe(400);
      expect(await errorOf(res)).toBe('VALIDATION_FAILED');
    }
    expect(fake.codesMade.length).toBe(before);
  });

  it('maps WeChat’s failures: 45009 → 503 with Retry-After 60 and nothing kept, busy once → retried, down → 503', async () => {
    const c = await campaign();
    fake.failNextCodes(1, 'quota');
    const limited = await code(c.id);
    expect(limited.status).toBe(503);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(await errorOf(limited)).toBe('WECHAT_QUOTA_EXCEEDED');
    // The failure was not cached: the next call makes the code.
    expect((await code(c.id)).status).toBe(200);

    const c2 = await campaign();
    fake.failNextCodes(1, 'busy');
    expect((await code(c2.id)).status).toBe(200);

    const c3 = await campaign();
    fake.failNextCodes(2, 'drop');
    const down = await code(c3.id);
    expect(down.status).toBe(503);
    expect(await errorOf(down)).toBe('SERVICE_UNAVAILABLE');
  });

  it('replaces an expired access token once and makes the code', async () => {
    const c = await campaign();
    expect((await code(c.id, { query: 'width=500' })).status).toBe(200); // a token is cached
    fake.expireTokens();
    const issued = fake.tokensIssued.length;
    const res = await code(c.id, { query: 'width=501' });
    expect(res.status).toBe(200);
    expect(fake.tokensIssued.length).toBe(issued + 1);
  });
});

describe('GET /campaigns/{id}/wxacode configuration', () => {
  it('is 502 WECHAT_CODE_PAGE_MISSING for a release code of a page WeChat has not published; a trial code of it works', async () => {
    const release = await codesHarness({ page: 'pages/new-campaign/index' });
    const lead = await release.login('page-leader', '团长');
    const c = await release.createCampaign(lead.token, { minParticipants: 1 });
    const res = await release.app.request(`/campaigns/${c.id}/wxacode`);
    expect(res.status).toBe(502);
    expect(await errorOf(res)).toBe('WECHAT_CODE_PAGE_MISSING');

    const trial = await codesHarness({ page: 'pages/new-campaign/index', env: 'trial' });
    const lead2 = await trial.login('page-leader', '团长');
    const c2 = await trial.createCampaign(lead2.token, { minParticipants: 1 });
    const ok = await trial.app.request(`/campaigns/${c2.id}/wxacode`);
    expect(ok.status).toBe(200);
    expect(decodePng(await bytesOf(ok)).text).toMatchObject({ page: 'pages/new-campaign/index', env: 'trial' });
  });

  it('is 503 SERVICE_UNAVAILABLE where WeChat is not configured', async () => {
    const bare = await harness();
    const lead = await bare.login('bare-leader', '团长');
    const c = await bare.createCampaign(lead.token, { minParticipants: 1 });
    const res = await bare.app.request(`/campaigns/${c.id}/wxacode`);
    expect(res.status).toBe(503);
    expect(await errorOf(res)).toBe('SERVICE_UNAVAILABLE');
  });
});
