import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../shared/table/index.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});

const campaign = (communityId?: string) => ({
  title: '周六 阳光玫瑰 团购',
  opensAt: T0,
  closesAt: '2026-12-03T12:00:00.000Z',
  minParticipants: 1,
  items: [{ name: '阳光玫瑰', unitPrice: 3990, stock: 500 }],
  pickupPoints: [{ name: '3号楼门卫室' }],
  ...(communityId ? { communityId } : {}),
});

async function community(owner: { token: string }, body: Record<string, unknown> = {}) {
  const res = await h.call('POST', '/communities', { token: owner.token, body: { name: '阳光花园邻里团', ...body } });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; staff: { inviteCode: string } };
}

/** The member items of a community, counted by status, straight from the table. */
async function countsInTable(communityId: string) {
  const out = await h.db.doc.send(
    new QueryCommand({
      TableName: h.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
      ExpressionAttributeValues: { ':pk': keys.communityPartition(communityId), ':m': 'MEMBER#' },
      ConsistentRead: true,
    }),
  );
  const counts: Record<string, number> = { active: 0, pending: 0, follower: 0, blocked: 0 };
  for (const item of out.Items ?? []) if (item.status in counts) counts[item.status as string]! += 1;
  return counts;
}

describe('communities', () => {
  it('a leader builds a community from their first campaign: the campaign moves in, its helpers join the team', async () => {
    const [leader, helper, buyer] = await Promise.all([
      h.login('b-leader', '王团长'),
      h.login('b-helper', '小李'),
      h.login('b-buyer', '张阿姨'),
    ]);
    const first = await h.createCampaign(leader.token, campaign());
    expect((await h.call('POST', `/campaigns/${first.id}/helpers`, { token: leader.token, body: { userId: helper.userId } })).status).toBe(
      201,
    );
    const res = await h.call('POST', '/communities', {
      token: leader.token,
      body: { name: '王团长的邻里团', fromCampaignId: first.id, public: true },
    });
    expect(res.status, res.text).toBe(201);
    const id = res.body.id;
    const team = await h.call('GET', `/communities/${id}/team`, { token: leader.token });
    expect(team.body.team).toEqual([
      { userId: leader.userId, role: 'owner', nickname: '王团长' },
      { userId: helper.userId, role: 'helper', nickname: '小李' },
    ]);
    const page = await h.call('GET', `/communities/${id}`);
    expect(page.status).toBe(200);
    expect(page.body.openCampaigns.map((c: { id: string }) => c.id)).toEqual([first.id]);
    expect(page.body.staff).toBeUndefined();
    expect((await h.call('GET', `/campaigns/${first.id}`)).body.communityId).toBe(id);
    // A second build from the same campaign is refused: a campaign belongs to at most one community.
    const again = await h.call('POST', '/communities', { token: leader.token, body: { name: '又一个', fromCampaignId: first.id } });
    expect(again.status).toBe(400);
    // Someone else cannot build a community from it.
    const stranger = await h.call('POST', '/communities', { token: buyer.token, body: { name: '抢', fromCampaignId: first.id } });
    expect(stranger.status).toBe(403);
  });

  it('the team is staff of every campaign published into it; a removed admin loses it at the next request', async () => {
    const [owner, admin, buyer] = await Promise.all([h.login('s-owner', '团长'), h.login('s-admin', '管理员'), h.login('s-buyer', '买家')]);
    const g = await community(owner);
    const inv = await h.call('POST', `/communities/${g.id}/invitations`, { token: owner.token, body: { role: 'admin' } });
    expect((await h.call('POST', `${inv.body.path}/accept`, { token: admin.token })).status).toBe(200);
    // The admin publishes a campaign of their own into the community, and is staff of the owner's.
    const own = await h.call('POST', '/campaigns', { token: admin.token, body: campaign(g.id) });
    expect(own.status, own.text).toBe(201);
    const owners = await h.createCampaign(owner.token, campaign(g.id));
    const join = await h.call('POST', `/campaigns/${owners.id}/entries`, {
      token: buyer.token,
      body: { items: [{ itemId: 'i1', qty: 2 }], pickupPointId: 'p1', phone: '13800138000' },
    });
    expect(join.status).toBe(201);
    const list = await h.call('GET', `/campaigns/${owners.id}/entries`, { token: admin.token });
    expect(list.body.entries[0].phone).toBe('13800138000'); // staff see phones
    expect((await h.call('POST', `/campaigns/${owners.id}/close`, { token: admin.token })).status).toBe(200);
    // Off the team: the very next request is a plain user's.
    expect((await h.call('DELETE', `/communities/${g.id}/team/${admin.userId}`, { token: owner.token })).status).toBe(200);
    const after = await h.call('GET', `/campaigns/${owners.id}/entries`, { token: admin.token });
    expect(after.body.entries[0].phone).toBeUndefined();
    expect((await h.call('GET', `/communities/${g.id}/members`, { token: admin.token })).status).toBe(403);
    // And cannot publish into it any more.
    expect((await h.call('POST', '/campaigns', { token: admin.token, body: campaign(g.id) })).status).toBe(403);
    // Someone outside cannot publish into it either (the community is private: 404).
    expect((await h.call('POST', '/campaigns', { token: buyer.token, body: campaign(g.id) })).status).toBe(404);
  });

  it("next week's clone stays in the community, unless its leader was taken off the team meanwhile", async () => {
    const [owner, admin] = await Promise.all([h.login('k-owner'), h.login('k-admin')]);
    const g = await community(owner);
    const inv = await h.call('POST', `/communities/${g.id}/invitations`, { token: owner.token, body: { role: 'admin' } });
    await h.call('POST', `${inv.body.path}/accept`, { token: admin.token });
    const mine = await h.createCampaign(owner.token, campaign(g.id));
    const theirs = (await h.call('POST', '/campaigns', { token: admin.token, body: campaign(g.id) })).body;
    const next = { closesAt: '2026-12-10T12:00:00.000Z', title: '下周 阳光玫瑰 团购' };
    const clone = await h.call('POST', `/campaigns/${mine.id}/clone`, { token: owner.token, body: next });
    expect(clone.status, clone.text).toBe(201);
    expect(clone.body.communityId).toBe(g.id);
    expect((await h.call('DELETE', `/communities/${g.id}/team/${admin.userId}`, { token: owner.token })).status).toBe(200);
    const outside = await h.call('POST', `/campaigns/${theirs.id}/clone`, { token: admin.token, body: next });
    expect(outside.status, outside.text).toBe(201);
    expect(outside.body.communityId).toBeUndefined();
  });

  it('join rules: invite codes, approval, blocks; the counts stay the number of items in each standing', async () => {
    const [owner, a, b, c] = await Promise.all([h.login('r-owner'), h.login('r-a', '阿'), h.login('r-b', '波'), h.login('r-c', '长')]);
    const g = await community(owner, { joinRule: 'invite' });
    const without = await h.call('POST', `/communities/${g.id}/members`, { token: a.token, body: {} });
    expect(without.status).toBe(403);
    expect(without.body.error.code).toBe('INVITE_REQUIRED');
    const wrong = await h.call('POST', `/communities/${g.id}/members`, { token: a.token, body: { code: 'ZZZZZZZZ' } });
    expect(wrong.body.error.code).toBe('INVITE_REQUIRED');
    const withCode = await h.call('POST', `/communities/${g.id}/members`, {
      token: a.token,
      body: { code: g.staff.inviteCode.toLowerCase() },
    });
    expect(withCode.body.status).toBe('active');
    // Rotating the code: the old one stops working at once.
    const rotated = await h.call('PATCH', `/communities/${g.id}`, {
      token: owner.token,
      body: { rotateInviteCode: true, joinRule: 'approval' },
    });
    expect(rotated.body.staff.inviteCode).not.toBe(g.staff.inviteCode);
    expect((await h.call('POST', `/communities/${g.id}/members`, { token: b.token, body: { code: g.staff.inviteCode } })).status).toBe(403);
    const pending = await h.call('POST', `/communities/${g.id}/members`, { token: b.token, body: {} });
    expect(pending.body.status).toBe('pending');
    // Pending sees the private page (they stand in it) but is no member yet.
    expect((await h.call('GET', `/communities/${g.id}`, { token: b.token })).body.myStatus).toBe('pending');
    expect((await h.call('POST', `/communities/${g.id}/members/${b.userId}/approve`, { token: owner.token })).body.status).toBe('active');
    // Block: out, and no way back by joining, following or an invitation link.
    expect((await h.call('POST', `/communities/${g.id}/members/${c.userId}/block`, { token: owner.token })).body.status).toBe('blocked');
    const blocked = await h.call('POST', `/communities/${g.id}/members`, { token: c.token, body: { code: rotated.body.staff.inviteCode } });
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe('BLOCKED');
    const inv = await h.call('POST', `/communities/${g.id}/invitations`, { token: owner.token, body: { role: 'helper' } });
    expect((await h.call('POST', `${inv.body.path}/accept`, { token: c.token })).status).toBe(403);
    // Nobody acts on the owner.
    expect((await h.call('POST', `/communities/${g.id}/leave`, { token: owner.token })).status).toBe(409);
    const view = await h.call('GET', `/communities/${g.id}`, { token: owner.token });
    expect(view.body.staff.counts).toEqual(await countsInTable(g.id));
    expect(view.body.staff.counts).toEqual({ active: 3, pending: 0, follower: 0, blocked: 1 });
  });

  it('an invitation is accepted once, however many tap it at once, and dies with its inviter’s rights', async () => {
    const [owner, admin] = await Promise.all([h.login('i-owner'), h.login('i-admin')]);
    const takers = await Promise.all(Array.from({ length: 12 }, (_, i) => h.login(`i-taker${i}`)));
    const g = await community(owner);
    const inv = await h.call('POST', `/communities/${g.id}/invitations`, { token: owner.token, body: { role: 'helper' } });
    const answers = await Promise.all(takers.map((t) => h.call('POST', `${inv.body.path}/accept`, { token: t.token })));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    expect(answers.filter((r) => r.status !== 200).every((r) => r.status === 404)).toBe(true);
    const team = await h.call('GET', `/communities/${g.id}/team`, { token: owner.token });
    expect(team.body.team).toHaveLength(2);
    // An admin's link stops working once the admin is off the team.
    const adminInv = await h.call('POST', `/communities/${g.id}/invitations`, { token: owner.token, body: { role: 'admin' } });
    expect((await h.call('POST', `${adminInv.body.path}/accept`, { token: admin.token })).status).toBe(200);
    const helperLink = await h.call('POST', `/communities/${g.id}/invitations`, { token: admin.token, body: { role: 'helper' } });
    expect(helperLink.status).toBe(201);
    // An admin may not invite admins.
    expect((await h.call('POST', `/communities/${g.id}/invitations`, { token: admin.token, body: { role: 'admin' } })).status).toBe(403);
    expect((await h.call('DELETE', `/communities/${g.id}/team/${admin.userId}`, { token: owner.token })).status).toBe(200);
    const late = await h.call('POST', `${helperLink.body.path}/accept`, { token: takers[5]!.token });
    expect(late.status).toBe(403);
    // Expired links are gone (72 hours).
    const old = await h.call('POST', `/communities/${g.id}/invitations`, { token: owner.token, body: { role: 'helper' } });
    h.clock.advance(73 * 3_600_000);
    expect((await h.call('POST', `${old.body.path}/accept`, { token: takers[6]!.token })).status).toBe(404);
    h.clock.set(T0);
  });

  it('hundreds joining, leaving, following and being moved at once: counts equal the items', async () => {
    const owner = await h.login('c-owner');
    const g = await community(owner, { joinRule: 'approval', public: true });
    const users = await Promise.all(Array.from({ length: 120 }, (_, i) => h.login(`c-user${i}`, `邻居${i}`)));
    // Each user fires a mix: join twice, follow, leave (some), and the owner approves / blocks some at the same time.
    const requests = users.flatMap((u, i) => {
      const ops = [
        h.call('POST', `/communities/${g.id}/members`, { token: u.token, body: {} }),
        h.call('POST', `/communities/${g.id}/members`, { token: u.token, body: i % 3 === 0 ? { code: g.staff.inviteCode } : {} }),
        h.call('PUT', `/communities/${g.id}/following`, { token: u.token, body: { following: i % 2 === 0 } }),
      ];
      if (i % 5 === 0) ops.push(h.call('POST', `/communities/${g.id}/leave`, { token: u.token }));
      if (i % 4 === 0) ops.push(h.call('POST', `/communities/${g.id}/members/${u.userId}/approve`, { token: owner.token }));
      if (i % 7 === 0) ops.push(h.call('POST', `/communities/${g.id}/members/${u.userId}/block`, { token: owner.token }));
      return ops;
    });
    const answers = await Promise.all(requests);
    expect(
      answers.filter((r) => r.status >= 500),
      'no 500s',
    ).toEqual([]);
    for (const r of answers) expect([200, 204, 403, 404, 409]).toContain(r.status);
    const view = await h.call('GET', `/communities/${g.id}`, { token: owner.token });
    expect(view.body.staff.counts).toEqual(await countsInTable(g.id));
    expect(view.body.memberCount).toBe(view.body.staff.counts.active);
    // Blocked ones are blocked whatever raced with the block.
    // (A filter applies within each page read: follow the cursor to the end.)
    const blocked: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { members: Array<{ userId: string }>; nextCursor: string | null } } = await h.call(
        'GET',
        `/communities/${g.id}/members?status=blocked&limit=50${cursor ? `&cursor=${cursor}` : ''}`,
        { token: owner.token },
      );
      blocked.push(...page.body.members.map((m) => m.userId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(blocked.sort()).toEqual(
      users
        .filter((_, i) => i % 7 === 0)
        .map((u) => u.userId)
        .sort(),
    );
  }, 120_000);

  it('the team is at most 50: of 55 invitations accepted at once, 49 join the owner and 6 are told 409', async () => {
    const owner = await h.login('t-owner');
    const g = await community(owner);
    const people = await Promise.all(Array.from({ length: 55 }, (_, i) => h.login(`t-${i}`)));
    const links = await Promise.all(
      people.map(() => h.call('POST', `/communities/${g.id}/invitations`, { token: owner.token, body: { role: 'helper' } })),
    );
    const answers = await Promise.all(people.map((p, i) => h.call('POST', `${links[i]!.body.path}/accept`, { token: p.token })));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(49);
    expect(answers.filter((r) => r.status === 409).map((r) => r.body.error.code)).toEqual(Array(6).fill('CONFLICT'));
    expect((await h.call('GET', `/communities/${g.id}/team`, { token: owner.token })).body.team).toHaveLength(50);
  }, 60_000);

  it('the member book: search by nickname and tag, notes by the team, one member reads their own', async () => {
    const [owner, helperUser, m1, m2] = await Promise.all([
      h.login('m-owner'),
      h.login('m-helper'),
      h.login('m-1', '王阿姨'),
      h.login('m-2', '李叔'),
    ]);
    const g = await community(owner);
    const inv = await h.call('POST', `/communities/${g.id}/invitations`, { token: owner.token, body: { role: 'helper' } });
    await h.call('POST', `${inv.body.path}/accept`, { token: helperUser.token });
    await Promise.all([m1, m2].map((m) => h.call('POST', `/communities/${g.id}/members`, { token: m.token, body: {} })));
    const noted = await h.call('PATCH', `/communities/${g.id}/members/${m1.userId}`, {
      token: helperUser.token,
      body: { note: '只要青皮', tags: ['熟客', '熟客', '3号楼'] },
    });
    expect(noted.status).toBe(200);
    expect(noted.body.tags).toEqual(['熟客', '3号楼']);
    const byName = await h.call('GET', `/communities/${g.id}/members?q=${encodeURIComponent('阿姨')}`, { token: helperUser.token });
    expect(byName.body.members.map((m: { userId: string }) => m.userId)).toEqual([m1.userId]);
    const byTag = await h.call('GET', `/communities/${g.id}/members?tag=${encodeURIComponent('3号楼')}`, { token: owner.token });
    expect(byTag.body.members.map((m: { userId: string }) => m.userId)).toEqual([m1.userId]);
    expect((await h.call('GET', `/communities/${g.id}/members/${m1.userId}`, { token: m1.token })).body.note).toBe('只要青皮');
    expect((await h.call('GET', `/communities/${g.id}/members/${m1.userId}`, { token: m2.token })).status).toBe(403);
    // Paging: one member a page, every member once.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { members: Array<{ userId: string }>; nextCursor: string | null } } = await h.call(
        'GET',
        `/communities/${g.id}/members?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        { token: owner.token },
      );
      seen.push(...page.body.members.map((m) => m.userId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([owner.userId, helperUser.userId, m1.userId, m2.userId].sort());
    // My communities, with names.
    const mine = await h.call('GET', '/me/communities', { token: m1.token });
    expect(mine.body.memberships).toMatchObject([{ communityId: g.id, communityName: '阳光花园邻里团', status: 'active', role: 'member' }]);
  });
});
