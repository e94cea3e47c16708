import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryCode, pickupKeys } from '../../shared/entries/index.js';
import { wechatSubscribeSender } from '../../shared/messages/index.js';
import { CampaignCodes } from '../../shared/share-codes/index.js';
import { type FakeWechat, startFakeWechat } from '../../shared/wechat/fake/index.js';
import { pushSignature, WechatServerApi } from '../../shared/wechat/index.js';
import { type CallResult, type Harness, harness, T0, TEST_TOKENS } from '../helpers/harness.js';

/**
 * Every route of the app × every kind of caller → the expected status, from one table. The routes
 * are read from the served /openapi.json, so a new route without a row here fails this test.
 */
type Role = 'anonymous' | 'other' | 'participant' | 'helper' | 'leader';
const ROLES: Role[] = ['anonymous', 'other', 'participant', 'helper', 'leader'];

interface Fixture {
  campaign: { id: string; shareCode: string };
  entryId: string;
  users: Record<Exclude<Role, 'anonymous'>, { token: string; userId: string }>;
  /** a user who is nobody in the campaign: the body of "add a helper" */
  candidate: { token: string; userId: string };
  /** a fresh WeChat login code and a refresh token from a WeChat login (login routes need no token) */
  wechatCode: string;
  refreshToken: string;
}

interface Row {
  /** campaign state the request meets */
  state: 'open' | 'closed' | 'settled';
  body?: (f: Fixture) => unknown;
  query?: string;
  headers?: Record<string, string>;
  expect: Record<Role, number>;
  /** extra check on a successful answer */
  check?: (role: Role, res: CallResult, f: Fixture) => void;
}

const all = (status: number): Record<Role, number> => ({
  anonymous: status,
  other: status,
  participant: status,
  helper: status,
  leader: status,
});
const signedIn = (status: number): Record<Role, number> => ({ ...all(status), anonymous: 401 });
const staff = (ok: number): Record<Role, number> => ({ anonymous: 401, other: 403, participant: 403, helper: ok, leader: ok });
const leaderOnly = (ok: number): Record<Role, number> => ({ anonymous: 401, other: 403, participant: 403, helper: 403, leader: ok });

const NO_UPLOAD = 'u_0000000000000000000000000';
const PUSH = { token: 'matrixPushToken', appId: 'wx0123456789abcdef' };
/** A 消息推送 query signed with the Token at the fixtures' clock time (T0), as WeChat sends it. */
function pushQuery(): string {
  const timestamp = String(Math.floor(Date.parse(T0) / 1000));
  return `signature=${pushSignature(PUSH.token, timestamp, 'matrix')}&timestamp=${timestamp}&nonce=matrix`;
}

const POINTS_RULES = {
  earn: { joinSucceeded: 1, paidOnTime: 0, pickedUp: 0, reviewed: 0, referral: 0 },
  spend: { enabled: false, fenPerPoint: 1, maxFenPerEntry: 0, maxPercentOfEntry: 0 },
  titles: [],
};

const joinBody = { items: [{ itemId: 'i1', qty: 1 }], pickupPointId: 'p1', phone: '13900000000' };
const PHONE = '13800138000';

const ROWS: Record<string, Row> = {
  'GET /health': { state: 'open', expect: all(200) },
  // Login routes ignore the Authorization header (they are how a client gets a token).
  'POST /auth/wechat': { state: 'open', body: (f) => ({ code: f.wechatCode }), expect: all(200) },
  'POST /auth/refresh': { state: 'open', body: (f) => ({ refreshToken: f.refreshToken }), expect: all(200) },
  'POST /auth/dev-login': { state: 'open', body: () => ({ openid: 'matrix-dev', nickname: '某人' }), expect: all(200) },
  'POST /campaigns': { state: 'open', body: () => campaignJson(), expect: signedIn(201) },
  'GET /campaigns/{id}': { state: 'open', expect: all(200) },
  'GET /s/{shareCode}': { state: 'open', expect: all(200) },
  'POST /campaigns/{id}/close': { state: 'open', expect: staff(200) },
  'PATCH /campaigns/{id}': { state: 'open', body: () => ({ description: '改一下' }), expect: leaderOnly(200) },
  'POST /campaigns/{id}/publish': { state: 'open', expect: leaderOnly(200) },
  'POST /campaigns/{id}/entries': {
    state: 'open',
    body: () => joinBody,
    expect: { anonymous: 401, other: 201, participant: 409, helper: 201, leader: 201 },
  },
  'GET /campaigns/{id}/entries': {
    state: 'open',
    expect: all(200),
    check: (role, res) => {
      const line = res.body.entries[0];
      // Full names and phones for the leader, helpers and the owner; masked for everyone else.
      const full = role === 'leader' || role === 'helper' || role === 'participant';
      expect(line.phone, role).toBe(full ? PHONE : undefined);
      expect(line.nickname, role).toBe(full ? '参与者甲' : '参*');
      expect(line).not.toHaveProperty('pickedUpBy');
    },
  },
  // The group-chat copy: full names for the leader and helpers only (the member's own line too is
  // masked: the copy is for pasting), never a phone.
  'GET /campaigns/{id}/entries.txt': {
    state: 'open',
    expect: all(200),
    check: (role, res) => {
      const staffRole = role === 'leader' || role === 'helper';
      expect(res.headers.get('content-type'), role).toBe('text/plain; charset=utf-8');
      expect(res.text.split('\n')[2], role).toBe(`1. ${staffRole ? '参与者甲' : '参*'} 苹果×1 门卫室`);
      expect(res.text, role).not.toContain(PHONE);
    },
  },
  'GET /campaigns/{id}/entries/text': {
    state: 'open',
    expect: all(200),
    check: (role, res) => {
      const staffRole = role === 'leader' || role === 'helper';
      expect(res.body.text.split('\n')[2], role).toBe(`1. ${staffRole ? '参与者甲' : '参*'} 苹果×1 门卫室`);
      expect(res.body.text, role).not.toContain(PHONE);
    },
  },
  'PATCH /campaigns/{id}/entries/{entryId}': {
    state: 'open',
    body: () => ({ note: '改一下' }),
    expect: { anonymous: 401, other: 403, participant: 200, helper: 403, leader: 403 },
  },
  'DELETE /campaigns/{id}/entries/{entryId}': {
    state: 'open',
    expect: { anonymous: 401, other: 403, participant: 200, helper: 403, leader: 200 },
  },
  'POST /campaigns/{id}/settle': { state: 'closed', expect: leaderOnly(200) },
  'GET /campaigns/{id}/settlement': { state: 'settled', expect: staff(200) },
  // Calling off and reporting a shortage are the leader's: they decide what everyone is refunded.
  'POST /campaigns/{id}/call-off': { state: 'open', body: () => ({ reason: '供货商断货' }), expect: leaderOnly(200) },
  // After-sales: asked by the entry's member (here not picked up yet: 409), listed by anyone signed
  // in (their own), decided by staff (no such request here: 404).
  'POST /campaigns/{id}/entries/{entryId}/after-sale': {
    state: 'settled',
    body: () => ({ items: [{ itemId: 'i1', qty: 1 }], reason: '坏了' }),
    expect: { anonymous: 401, other: 403, participant: 409, helper: 403, leader: 403 },
  },
  // Evidence photos are the entry's member's to upload, like the request itself.
  'POST /campaigns/{id}/entries/{entryId}/after-sale/uploads': {
    state: 'settled',
    body: () => ({ contentType: 'image/jpeg' }),
    expect: { anonymous: 401, other: 403, participant: 201, helper: 403, leader: 403 },
  },
  'GET /campaigns/{id}/after-sales': { state: 'settled', expect: signedIn(200) },
  'POST /campaigns/{id}/after-sales/{requestId}/decision': {
    state: 'settled',
    body: () => ({ approve: false, reason: '不符合' }),
    expect: { anonymous: 401, other: 403, participant: 403, helper: 404, leader: 404 },
  },
  'POST /campaigns/{id}/shortage': {
    state: 'settled',
    body: () => ({ items: [{ itemId: 'i1', delivered: 0 }], allocation: 'fifo' }),
    expect: leaderOnly(200),
  },
  'GET /campaigns/{id}/settlement.csv': { state: 'settled', expect: staff(200) },
  'GET /campaigns/{id}/settlement.xlsx': {
    state: 'settled',
    expect: staff(200),
    check: (role, res) => expect(res.headers.get('content-type'), role).toContain('spreadsheetml'),
  },
  'GET /campaigns/{id}/payments.xlsx': { state: 'settled', expect: staff(200) },
  'GET /me/campaigns': { state: 'open', expect: signedIn(200) },
  'GET /me/entries': { state: 'open', expect: signedIn(200) },
  'GET /campaigns/{id}/entries/mine': {
    state: 'open',
    expect: signedIn(200),
    // Only the caller's own entries: the participant sees theirs, nobody else sees any.
    check: (role, res) => expect(res.body.entries).toHaveLength(role === 'participant' ? 1 : 0),
  },
  'GET /me': { state: 'open', expect: signedIn(200) },
  'PATCH /me': { state: 'open', body: () => ({ nickname: '新名字' }), expect: signedIn(200) },
  'GET /me/export': { state: 'open', expect: signedIn(200) },
  'GET /me/referral': {
    state: 'open',
    query: '?campaignId={id}',
    expect: signedIn(200),
    check: (_role, res, f) => expect(res.body.scene).toMatch(new RegExp(`^s=${f.campaign.shareCode}&r=[0-9a-z]{10}$`)),
  },
  'GET /campaigns/{id}/referrals': { state: 'open', expect: staff(200) },
  'POST /campaigns/{id}/staff-entries': {
    state: 'open',
    body: () => ({ name: '王阿姨', items: [{ itemId: 'i1', qty: 1 }] }),
    expect: staff(201),
    check: (role, res) => expect(res.body.claimCode, role).toMatch(/^2-[0-9A-Z]{8}$/),
  },
  // Of the participant's own join: only staff entries have claim codes (409 for staff, 403 for the rest).
  'GET /campaigns/{id}/entries/{entryId}/claim-code': {
    state: 'open',
    expect: { anonymous: 401, other: 403, participant: 403, helper: 409, leader: 409 },
  },
  // A code that names no entry: 404 for anyone signed in who can see the campaign.
  'POST /campaigns/{id}/entries/claim': { state: 'open', body: () => ({ code: '1-AAAAAAAA' }), expect: signedIn(404) },
  // The fixture's campaign has no flags: acknowledging all of them (none) is the leader's, and a no-op.
  'POST /campaigns/{id}/content-review/acknowledge': { state: 'open', body: () => ({}), expect: leaderOnly(200) },
  'POST /campaigns/{id}/clone': {
    state: 'settled',
    body: () => ({ closesAt: '2026-12-08T12:00:00.000Z' }),
    expect: leaderOnly(201),
    check: (_role, res, f) => expect(res.body).toMatchObject({ status: 'draft', title: '矩阵测试 团购', leaderId: f.users.leader.userId }),
  },
  // A code crediting the helper: the helper's own, or the leader's (posters); no one else may credit them.
  // Without `ref` it is anyone's (wxacode.test.ts).
  'GET /campaigns/{id}/wxacode': {
    state: 'open',
    query: '?ref={userId}',
    expect: { anonymous: 401, other: 403, participant: 403, helper: 200, leader: 200 },
    check: (role, res, f) => {
      expect(res.headers.get('content-type'), role).toBe('image/png');
      expect(res.headers.get('x-wxacode-scene'), role).toMatch(new RegExp(`^s=${f.campaign.shareCode}&r=[0-9a-z]{10}$`));
    },
  },
  'POST /me/subscriptions': { state: 'open', body: () => ({ templateIds: ['tmpl-matrix'] }), expect: signedIn(200) },
  'GET /me/subscriptions': { state: 'open', expect: signedIn(200) },
  // Arrivals follow a successful settlement; saying it twice is 200 too (repeated).
  'POST /campaigns/{id}/pickup-points/{pointId}/arrived': { state: 'settled', expect: staff(200) },
  'GET /campaigns/{id}/messages': { state: 'open', expect: staff(200) },
  'DELETE /me': { state: 'open', expect: signedIn(200) },
  'POST /campaigns/{id}/helpers': { state: 'open', body: (f) => ({ userId: f.candidate.userId }), expect: leaderOnly(201) },
  'DELETE /campaigns/{id}/helpers/{userId}': { state: 'open', expect: leaderOnly(204) },
  'GET /campaigns/{id}/staff-actions': { state: 'open', expect: staff(200) },
  'GET /campaigns/{id}/helpers': { state: 'open', expect: staff(200) },
  'POST /campaigns/{id}/blocks': { state: 'open', body: (f) => ({ userId: f.candidate.userId }), expect: staff(201) },
  'DELETE /campaigns/{id}/blocks/{userId}': { state: 'open', expect: staff(204) },
  'GET /campaigns/{id}/blocks': { state: 'open', expect: staff(200) },
  'POST /campaigns/{id}/entries/{entryId}/pickup': { state: 'settled', expect: staff(200) },
  'DELETE /campaigns/{id}/entries/{entryId}/pickup': { state: 'settled', expect: staff(200) },
  'GET /campaigns/{id}/pickups': { state: 'settled', expect: staff(200) },
  // Numbers: the campaign's staff; closing the pickup counts no-shows of a community campaign (this one is in none: 409).
  'GET /campaigns/{id}/numbers': { state: 'open', expect: staff(200) },
  'POST /campaigns/{id}/pickups/close': { state: 'settled', expect: staff(409) },
  // Points (积分) on an entry; the community's points routes are rows of community-authorization.test.ts.
  // Only the entry's member spends points on it; the fixture's campaign is in no community (409 INVALID_STATE).
  'POST /campaigns/{id}/entries/{entryId}/points': {
    state: 'open',
    body: () => ({ points: 1 }),
    expect: { anonymous: 401, other: 403, participant: 409, helper: 403, leader: 403 },
  },
  'DELETE /campaigns/{id}/entries/{entryId}/points': {
    state: 'open',
    expect: { anonymous: 401, other: 403, participant: 409, helper: 403, leader: 403 },
  },
  // Reviews (评价): the fixture's entry is not picked up, so its member is told 409 INVALID_STATE and
  // the staff find no review to reply to (404); the rules after pickup are in reviews.test.ts.
  'PUT /campaigns/{id}/entries/{entryId}/review': {
    state: 'settled',
    body: () => ({ rating: 5, text: '好吃' }),
    expect: { anonymous: 401, other: 403, participant: 409, helper: 403, leader: 403 },
  },
  'DELETE /campaigns/{id}/entries/{entryId}/review': {
    state: 'settled',
    expect: { anonymous: 401, other: 403, participant: 200, helper: 403, leader: 403 },
    check: (role, res) => expect(res.body, role).toEqual({ deleted: false, pointsReversed: 0 }),
  },
  'GET /campaigns/{id}/reviews': {
    state: 'settled',
    expect: all(200),
    check: (role, res) => expect(res.body.stats.count, role).toBe(0),
  },
  'PUT /campaigns/{id}/reviews/{entryId}/reply': {
    state: 'settled',
    body: () => ({ text: '谢谢' }),
    expect: { anonymous: 401, other: 403, participant: 403, helper: 404, leader: 404 },
  },
  // The staff's removal of a review: the fixture's entry has none (404); the rest is in reviews.test.ts.
  'DELETE /campaigns/{id}/reviews/{entryId}': {
    state: 'settled',
    body: () => ({ reason: '广告' }),
    expect: { anonymous: 401, other: 403, participant: 403, helper: 404, leader: 404 },
  },
  // Surveys belong to communities (the fixture's campaign is in none): a survey id that names no survey
  // (here: the campaign's id) is 404 to anyone signed in; who may read, answer and see results is in surveys.test.ts.
  'GET /surveys/{id}': { state: 'open', expect: signedIn(404) },
  'POST /surveys/{id}/answers': { state: 'open', body: () => ({ answers: [] }), expect: signedIn(404) },
  'GET /surveys/{id}/results': { state: 'open', expect: signedIn(404) },
  'PUT /surveys/{id}/close': { state: 'open', expect: signedIn(404) },
  'GET /campaigns/{id}/entries/{entryId}/pickup-code': {
    state: 'settled',
    expect: { anonymous: 401, other: 403, participant: 200, helper: 200, leader: 200 },
    check: (role, res) => expect(res.body.code, role).toMatch(/^1-[0-9A-Z]{8}$/),
  },
  'GET /campaigns/{id}/entries/{entryId}/pickup-code.png': {
    state: 'settled',
    expect: { anonymous: 401, other: 403, participant: 200, helper: 200, leader: 200 },
    check: (role, res) => expect(res.headers.get('content-type'), role).toBe('image/png'),
  },
  // The participant's entry is number 1; its code as the participant's phone shows it.
  'POST /campaigns/{id}/pickups/scan': {
    state: 'settled',
    body: (f) => ({ code: entryCode(pickupKeys([TEST_TOKENS.secret]), f.campaign.id, { id: f.entryId, seq: 1 }) }),
    expect: staff(200),
    check: (role, res, f) => expect(res.body.entryId, role).toBe(f.entryId),
  },
  'GET /campaigns/{id}/payments': { state: 'settled', expect: staff(200) },
  'GET /campaigns/{id}/payments.csv': { state: 'settled', expect: staff(200) },
  'GET /campaigns/{id}/ledger': { state: 'open', expect: staff(200) },
  'PUT /campaigns/{id}/entries/{entryId}/payment': { state: 'open', body: () => ({ status: 'paid', amount: 100 }), expect: staff(200) },
  // The matrix campaign is offline: who may ask is checked first, then that there is no WeChat Pay order (409).
  'POST /campaigns/{id}/entries/{entryId}/payment/prepay': {
    state: 'open',
    expect: { anonymous: 401, other: 403, participant: 409, helper: 403, leader: 403 },
  },
  'POST /campaigns/{id}/entries/{entryId}/payment/sync': {
    state: 'open',
    expect: { anonymous: 401, other: 403, participant: 409, helper: 409, leader: 409 },
  },
  'GET /campaigns/{id}/refunds': { state: 'settled', expect: staff(200) },
  'POST /campaigns/{id}/refunds/{outRefundNo}/retry': { state: 'settled', expect: { ...leaderOnly(409) } },
  'GET /campaigns/{id}/entries/{entryId}/payment': {
    state: 'open',
    expect: { anonymous: 401, other: 403, participant: 200, helper: 200, leader: 200 },
  },
  'POST /campaigns/{id}/images/uploads': {
    state: 'open',
    body: () => ({ contentType: 'image/png' }),
    expect: staff(201),
    check: (role, res) => expect(res.body.forms.detail.fields['Content-Type'], role).toBe('image/png'),
  },
  // Nothing was uploaded under this id: staff get past access to the byte checks (UPLOAD_INVALID), others do not.
  'POST /campaigns/{id}/images': {
    state: 'open',
    body: () => ({ uploadId: NO_UPLOAD, cover: true }),
    expect: { ...staff(400) },
  },
  'PUT /campaigns/{id}/images': { state: 'open', body: () => ({ coverImageId: null, itemImages: {} }), expect: staff(200) },
  'DELETE /campaigns/{id}/images/{imageId}': { state: 'open', expect: staff(404) },
  // The CDN's stand-in (no IMAGES_BASE_URL): public like a CDN, and it serves attached photos only.
  'GET /media/{campaignId}/{imageId}/{variant}': { state: 'open', expect: all(404) },
  // 消息推送: WeChat signs with the Token, whoever the caller; the Authorization header means nothing here.
  'GET /wechat/push': { state: 'open', query: `?${pushQuery()}&echostr=matrix`, expect: all(200) },
  'POST /wechat/push': {
    state: 'open',
    query: `?${pushQuery()}`,
    body: () => ({
      MsgType: 'event',
      Event: 'wxa_media_check',
      appid: PUSH.appId,
      trace_id: 'nobody',
      version: 2,
      result: { suggest: 'pass' },
    }),
    expect: all(200),
  },
};

/**
 * wx.request has no PATCH, so every PATCH route is also served as PUT on the same path and as POST with
 * `X-HTTP-Method-Override: PATCH`: each PATCH row is checked again both ways, same roles, same statuses.
 */
const MINI_PROGRAM_TWINS: Record<string, Row> = Object.fromEntries(
  Object.entries(ROWS)
    .filter(([route]) => route.startsWith('PATCH '))
    .flatMap(([route, row]) => {
      const path = route.slice('PATCH '.length);
      return [
        [`PUT ${path}`, row],
        [`POST ${path}`, { ...row, headers: { 'X-HTTP-Method-Override': 'PATCH' } }],
      ];
    }),
);
const ALL_ROWS: Record<string, Row> = { ...ROWS, ...MINI_PROGRAM_TWINS };

let h: Harness;
let n = 0;
let fake: FakeWechat;

beforeAll(async () => {
  // WeChat configured (against the local fake), so the matrix covers the login routes too.
  fake = await startFakeWechat();
  const wechat = { apiBase: fake.url, appId: fake.appId, secret: fake.secret, timeoutMs: 3000 };
  h = await harness({
    wechat,
    // subscribe messages configured too, so POST /me/subscriptions takes a real template id
    messaging: (db) => ({
      templates: { 'group-succeeded': { templateId: 'tmpl-matrix', data: { thing1: 'title' } } },
      sender: wechatSubscribeSender(new WechatServerApi(db, wechat)),
    }),
    shareCodes: (db, store) =>
      new CampaignCodes({ api: new WechatServerApi(db, wechat), page: 'pages/campaign/index', env: 'release', store }),
    // Photos (without WeChat's image check: the matrix is about who may call) and 消息推送.
    images: {},
    wechatPush: { ...PUSH, appId: fake.appId },
  });
});

afterAll(async () => {
  await fake?.close();
});

function campaignJson() {
  return {
    title: '矩阵测试 团购',
    opensAt: T0,
    closesAt: '2026-12-03T12:00:00.000Z',
    minParticipants: 1,
    items: [{ name: '苹果', unitPrice: 1000, stock: 100 }],
    pickupPoints: [{ name: '门卫室' }],
  };
}

/** A campaign with a participant's entry and a helper, in the row's state. Fresh for every cell. */
async function fixture(state: Row['state']): Promise<Fixture> {
  h.clock.set(T0);
  const k = n++;
  const [leader, helper, participant, other, candidate] = await Promise.all([
    h.login(`m${k}-leader`, '团长'),
    h.login(`m${k}-helper`, '助手'),
    h.login(`m${k}-participant`, '参与者甲'),
    h.login(`m${k}-other`, '路人'),
    h.login(`m${k}-candidate`, '候选'),
  ]);
  const campaign = await h.createCampaign(leader.token, campaignJson());
  const entry = await h.call('POST', `/campaigns/${campaign.id}/entries`, {
    token: participant.token,
    body: { ...joinBody, phone: PHONE },
  });
  expect(entry.status).toBe(201);
  expect((await h.call('POST', `/campaigns/${campaign.id}/helpers`, { token: leader.token, body: { userId: helper.userId } })).status).toBe(
    201,
  );
  if (state !== 'open') expect((await h.call('POST', `/campaigns/${campaign.id}/close`, { token: leader.token })).status).toBe(200);
  if (state === 'settled') expect((await h.call('POST', `/campaigns/${campaign.id}/settle`, { token: leader.token })).status).toBe(200);
  const wechatLogin = await h.call('POST', '/auth/wechat', { body: { code: fake.codeFor(`m${k}-wx`) } });
  expect(wechatLogin.status).toBe(200);
  return {
    campaign,
    entryId: entry.body.id,
    users: { leader, helper, participant, other },
    candidate,
    wechatCode: fake.codeFor(`m${k}-wx2`),
    refreshToken: wechatLogin.body.refreshToken,
  };
}

function pathFor(template: string, f: Fixture): string {
  return template
    .replace('{id}', f.campaign.id)
    .replace('{shareCode}', f.campaign.shareCode)
    .replace('{entryId}', f.entryId)
    .replace('{pointId}', 'p1')
    .replace('{requestId}', 'as_none')
    .replace('{userId}', f.users.helper.userId)
    .replace('{campaignId}', f.campaign.id)
    .replace('{imageId}', NO_UPLOAD)
    .replace('{variant}', 'list');
}

describe('authorization matrix', () => {
  it('every route in /openapi.json has exactly one row, and every row is a route', async () => {
    const doc = await h.call('GET', '/openapi.json');
    const routes: string[] = [];
    for (const [path, item] of Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(item)) routes.push(`${method.toUpperCase()} ${path}`);
    }
    // Community routes have a matrix of their own, by standing in the community (community-authorization.test.ts).
    const campaignRoutes = routes.filter((r) => !/ \/communities|\/invitations|^GET \/me\/communities$/.test(r));
    expect(
      campaignRoutes.filter((r) => !(r in ALL_ROWS)),
      'routes without a row in ROWS',
    ).toEqual([]);
    expect(
      Object.keys(ALL_ROWS).filter((r) => !campaignRoutes.includes(r)),
      'rows for routes that do not exist',
    ).toEqual([]);
  });

  it('every PATCH route has its PUT and POST-override twins in the table', () => {
    const patches = Object.keys(ROWS).filter((r) => r.startsWith('PATCH '));
    expect(patches.length).toBeGreaterThanOrEqual(3);
    for (const r of patches) {
      expect(ALL_ROWS).toHaveProperty([r.replace('PATCH', 'PUT')]);
      expect(ALL_ROWS[r.replace('PATCH', 'POST')]?.headers).toEqual({ 'X-HTTP-Method-Override': 'PATCH' });
    }
  });

  it.each(Object.entries(ALL_ROWS))('%s', async (route, row) => {
    const [method, template] = route.split(' ') as [string, string];
    for (const role of ROLES) {
      const f = await fixture(row.state);
      const token = role === 'anonymous' ? undefined : f.users[role].token;
      const path = pathFor(template + (row.query ?? ''), f);
      const res = await h.call(method, path, {
        ...(token ? { token } : {}),
        ...(row.body ? { body: row.body(f) } : {}),
        ...(row.headers ? { headers: row.headers } : {}),
      });
      expect(res.status, `${route} as ${role}: ${res.text.slice(0, 200)}`).toBe(row.expect[role]);
      if (res.status < 300) row.check?.(role, res, f);
    }
  });
});
