import { beforeAll, describe, expect, it } from 'vitest';
import { type CallResult, type Harness, harness, T0 } from '../helpers/harness.js';

/**
 * Every community route × every standing in the community (issue 14): anonymous, someone outside
 * it (other), a member, a helper (团长助手), an admin (管理员) and the owner → the expected status.
 * The community is private (its page is for those who stand in it) with the open join rule. The
 * routes are read from the served /openapi.json: a community route without a row fails here (the
 * campaign matrix leaves /communities and /invitations routes to this one).
 */
type Role = 'anonymous' | 'other' | 'member' | 'helper' | 'admin' | 'owner';
const ROLES: Role[] = ['anonymous', 'other', 'member', 'helper', 'admin', 'owner'];
type User = { token: string; userId: string };

interface Fixture {
  communityId: string;
  /** a campaign the owner leads, published into the community */
  campaignId: string;
  /** a campaign the owner leads, in no community yet */
  looseCampaignId: string;
  /** an unused invitation the owner made (helper) */
  invitation: string;
  users: Record<Exclude<Role, 'anonymous'>, User>;
}

interface Row {
  body?: (f: Fixture) => unknown;
  headers?: Record<string, string>;
  /** whose id {userId} is: the member's (default) or the helper's */
  target?: 'member' | 'helper';
  expect: Record<Role, number>;
  check?: (role: Role, res: CallResult, f: Fixture) => void;
}

const all = (s: number): Record<Role, number> => ({ anonymous: s, other: s, member: s, helper: s, admin: s, owner: s });
const signedIn = (s: number) => ({ ...all(s), anonymous: 401 });
/** Who stands in the private community sees it; anyone else is told it does not exist. */
const insiders = (s: number): Record<Role, number> => ({ anonymous: 404, other: 404, member: s, helper: s, admin: s, owner: s });
const team = (s: number): Record<Role, number> => ({ anonymous: 401, other: 404, member: 403, helper: s, admin: s, owner: s });
const managers = (s: number): Record<Role, number> => ({ ...team(s), helper: 403 });
const ownerOnly = (s: number): Record<Role, number> => ({ ...managers(s), admin: 403 });

const ROWS: Record<string, Row> = {
  'POST /communities': { body: () => ({ name: '另一个社群' }), expect: signedIn(201) },
  'GET /communities/{id}': {
    expect: insiders(200),
    check: (role, res) => {
      // Only the team sees the invite code and the counts.
      expect(res.body.staff !== undefined, role).toBe(['helper', 'admin', 'owner'].includes(role));
      expect(res.body.openCampaigns.map((c: { id: string }) => c.id)).toHaveLength(1);
    },
  },
  'PATCH /communities/{id}': { body: () => ({ description: '新的介绍' }), expect: { ...ownerOnly(200), member: 403 } },
  'GET /communities/{id}/campaigns': { expect: insiders(200) },
  // The owner's loose campaign: only its leader (the owner) may move it; an admin holds the right but does not lead it.
  'POST /communities/{id}/campaigns': { body: (f) => ({ campaignId: f.looseCampaignId }), expect: { ...managers(200), admin: 403 } },
  'GET /me/communities': { expect: signedIn(200) },
  'POST /communities/{id}/members': { body: () => ({}), expect: signedIn(200) },
  'POST /communities/{id}/leave': { expect: { ...signedIn(204), owner: 409 } },
  'PUT /communities/{id}/following': { body: () => ({ following: true }), expect: { ...signedIn(200), other: 404 } },
  'GET /communities/{id}/members': { expect: team(200) },
  'GET /communities/{id}/members/{userId}': { expect: { ...team(200), member: 200 } },
  'GET /communities/{id}/members/export': {
    expect: team(200),
    check: (role, res) => {
      if (res.status === 200) expect(res.headers.get('content-type'), role).toContain('spreadsheetml');
    },
  },
  // The numbers: owner and admin (read-numbers); helpers work the campaigns but do not read the community's numbers.
  'GET /communities/{id}/numbers': {
    expect: managers(200),
    check: (role, res) => {
      if (res.status === 200) expect(res.body.days, role).toHaveLength(30);
    },
  },
  'PATCH /communities/{id}/members/{userId}': { body: () => ({ note: '常买葡萄', tags: ['熟客'] }), expect: team(200) },
  'POST /communities/{id}/members/{userId}/approve': { expect: managers(200) },
  'DELETE /communities/{id}/members/{userId}': { expect: managers(200) },
  'POST /communities/{id}/members/{userId}/block': { expect: managers(200) },
  // Unblocking someone who is not blocked: the managers get past the check and are told so.
  'DELETE /communities/{id}/members/{userId}/block': { expect: managers(409) },
  'GET /communities/{id}/team': { expect: team(200) },
  'POST /communities/{id}/invitations': { body: () => ({ role: 'helper' }), expect: managers(201) },
  'GET /invitations/{token}': { expect: signedIn(200) },
  // Accepting a helper invitation: whoever is not on the team at that rank or higher joins it.
  'POST /invitations/{token}/accept': { expect: { anonymous: 401, other: 200, member: 200, helper: 409, admin: 409, owner: 409 } },
  'DELETE /communities/{id}/team/{userId}': { target: 'helper', expect: managers(200) },
  // Points (积分): members and the team read the rules, the owner alone sets them; a member reads their own points.
  'GET /communities/{id}/points-rules': { expect: { ...insiders(200), anonymous: 401 } },
  'PUT /communities/{id}/points-rules': {
    body: () => ({
      earn: { joinSucceeded: 1, paidOnTime: 0, pickedUp: 0, reviewed: 0, referral: 0 },
      spend: { enabled: false, fenPerPoint: 1, maxFenPerEntry: 0, maxPercentOfEntry: 0 },
      titles: [],
    }),
    expect: ownerOnly(200),
  },
  // Surveys (问卷): the owner and admins run them; the rest of the team and members read the list
  // (members: the open surveys they may answer). The routes of one survey are in surveys.test.ts.
  'POST /communities/{id}/surveys': {
    body: () => ({ title: '下期团购调查', questions: [{ kind: 'rating', prompt: '满意吗？' }], audience: 'members' }),
    expect: managers(201),
  },
  'GET /communities/{id}/surveys': { expect: { ...insiders(200), anonymous: 401 } },
  'GET /communities/{id}/points/me': {
    expect: { ...insiders(200), anonymous: 401 },
    check: (role, res) => {
      if (res.status === 200) expect(res.body.balance, role).toBe(0);
    },
  },
};

const TWINS: Record<string, Row> = Object.fromEntries(
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
const COMMUNITY_ROWS: Record<string, Row> = { ...ROWS, ...TWINS };

let h: Harness;
let n = 0;

beforeAll(async () => {
  h = await harness();
});

const campaign = (communityId?: string) => ({
  title: '社群 团购',
  opensAt: T0,
  closesAt: '2026-12-03T12:00:00.000Z',
  minParticipants: 1,
  items: [{ name: '苹果', unitPrice: 1000, stock: 100 }],
  pickupPoints: [{ name: '门卫室' }],
  ...(communityId ? { communityId } : {}),
});

async function ok(res: Promise<CallResult>, status: number): Promise<CallResult> {
  const out = await res;
  expect(out.status, out.text.slice(0, 200)).toBe(status);
  return out;
}

async function fixture(): Promise<Fixture> {
  h.clock.set(T0);
  const k = n++;
  const [owner, admin, helper, member, other] = await Promise.all(
    ['owner', 'admin', 'helper', 'member', 'other'].map((r) => h.login(`g${k}-${r}`, `社${r}`)),
  );
  const community = await ok(h.call('POST', '/communities', { token: owner!.token, body: { name: '阳光花园邻里团' } }), 201);
  const id = community.body.id as string;
  for (const [user, role] of [
    [admin!, 'admin'],
    [helper!, 'helper'],
  ] as const) {
    const inv = await ok(h.call('POST', `/communities/${id}/invitations`, { token: owner!.token, body: { role } }), 201);
    await ok(h.call('POST', `${inv.body.path}/accept`, { token: user.token }), 200);
  }
  await ok(h.call('POST', `/communities/${id}/members`, { token: member!.token, body: {} }), 200);
  const inCommunity = await h.createCampaign(owner!.token, campaign(id));
  const loose = await h.createCampaign(owner!.token, campaign());
  const invitation = await ok(h.call('POST', `/communities/${id}/invitations`, { token: owner!.token, body: { role: 'helper' } }), 201);
  return {
    communityId: id,
    campaignId: inCommunity.id,
    looseCampaignId: loose.id,
    invitation: invitation.body.token,
    users: { owner: owner!, admin: admin!, helper: helper!, member: member!, other: other! },
  };
}

const isCommunityRoute = (route: string) => / \/communities|\/invitations|^GET \/me\/communities$/.test(route);

describe('community authorization matrix', () => {
  it('every community route in /openapi.json has exactly one row, and every row is a route', async () => {
    const doc = await h.call('GET', '/openapi.json');
    const routes: string[] = [];
    for (const [path, item] of Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(item)) routes.push(`${method.toUpperCase()} ${path}`);
    }
    const community = routes.filter(isCommunityRoute);
    expect(
      community.filter((r) => !(r in COMMUNITY_ROWS)),
      'routes without a row',
    ).toEqual([]);
    expect(
      Object.keys(COMMUNITY_ROWS).filter((r) => !community.includes(r)),
      'rows for routes that do not exist',
    ).toEqual([]);
  });

  it.each(Object.entries(COMMUNITY_ROWS))('%s', async (route, row) => {
    const [method, template] = route.split(' ') as [string, string];
    for (const role of ROLES) {
      const f = await fixture();
      const token = role === 'anonymous' ? undefined : f.users[role].token;
      const path = template
        .replace('{id}', f.communityId)
        .replace('{userId}', f.users[row.target ?? 'member'].userId)
        .replace('{token}', f.invitation);
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
