import { beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, T0 } from '../helpers/harness.js';
import { recordRequests } from '../helpers/requests.js';

let h: Harness;
let leader: { token: string; userId: string };
let helper: { token: string; userId: string };
let k = 0;

beforeAll(async () => {
  h = await harness();
  leader = await h.login('blk-leader', '团长');
  helper = await h.login('blk-helper', '助手');
});

async function campaign() {
  h.clock.set(T0);
  const c = await h.createCampaign(leader.token, { minParticipants: 1 });
  expect((await h.call('POST', `/campaigns/${c.id}/helpers`, { token: leader.token, body: { userId: helper.userId } })).status).toBe(201);
  return c;
}
const member = () => h.login(`blk-m-${k++}`, `成员${k}`);
const join = (c: { id: string }, token: string) =>
  h.call('POST', `/campaigns/${c.id}/entries`, { token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
const block = (c: { id: string }, token: string, body: Record<string, unknown>) =>
  h.call('POST', `/campaigns/${c.id}/blocks`, { token, body });

describe('blocking a member from a campaign', () => {
  it('a blocked member cannot join (403 BLOCKED); unblocked, they can; the list shows who is blocked', async () => {
    const c = await campaign();
    const m = await member();
    const blocked = await block(c, leader.token, { userId: m.userId });
    expect(blocked.status, blocked.text).toBe(201);
    expect(blocked.body).toMatchObject({ userId: m.userId, blockedBy: leader.userId, blockedAt: T0, cancelledEntryId: null });
    const refused = await join(c, m.token);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('BLOCKED');
    const list = await h.call('GET', `/campaigns/${c.id}/blocks`, { token: helper.token });
    expect(list.body.blocks).toEqual([{ userId: m.userId, nickname: expect.any(String), blockedBy: leader.userId, blockedAt: T0 }]);
    expect((await h.call('DELETE', `/campaigns/${c.id}/blocks/${m.userId}`, { token: helper.token })).status).toBe(204);
    expect((await h.call('GET', `/campaigns/${c.id}/blocks`, { token: leader.token })).body.blocks).toEqual([]);
    expect((await join(c, m.token)).status).toBe(201);
    // Removing a block that is not there is 204 too.
    expect((await h.call('DELETE', `/campaigns/${c.id}/blocks/${m.userId}`, { token: leader.token })).status).toBe(204);
  });

  it('blocking keeps an existing entry unless cancelEntries is asked; a cancelled member cannot rejoin', async () => {
    const c = await campaign();
    const [a, b] = [await member(), await member()];
    const ea = await join(c, a.token);
    const eb = await join(c, b.token);
    expect((await block(c, helper.token, { userId: a.userId })).status).toBe(201);
    const kept = await h.call('GET', `/campaigns/${c.id}/entries`, { token: leader.token });
    expect(kept.body.entries.find((e: any) => e.id === ea.body.id).status).toBe('active');
    const withCancel = await block(c, leader.token, { userId: b.userId, cancelEntries: true });
    expect(withCancel.status).toBe(201);
    expect(withCancel.body.cancelledEntryId).toBe(eb.body.id);
    const after = await h.call('GET', `/campaigns/${c.id}/entries`, { token: leader.token });
    expect(after.body.entries.find((e: any) => e.id === eb.body.id).status).toBe('cancelled');
    expect((await h.call('GET', `/campaigns/${c.id}`)).body.participantCount).toBe(1);
    // A cancels their own entry and tries again: still blocked.
    expect((await h.call('DELETE', `/campaigns/${c.id}/entries/${ea.body.id}`, { token: a.token })).status).toBe(200);
    expect((await join(c, a.token)).body.error.code).toBe('BLOCKED');
  });

  it('who may block: leader and helpers; a helper may not cancel entries with it; nobody blocks the leader', async () => {
    const c = await campaign();
    const m = await member();
    const other = await member();
    expect((await block(c, other.token, { userId: m.userId })).status).toBe(403);
    expect((await block(c, m.token, { userId: m.userId })).status).toBe(403);
    const helperCancel = await block(c, helper.token, { userId: m.userId, cancelEntries: true });
    expect(helperCancel.status).toBe(403);
    // Refused before anything was written: m is not blocked.
    expect((await h.call('GET', `/campaigns/${c.id}/blocks`, { token: leader.token })).body.blocks).toEqual([]);
    expect((await block(c, helper.token, { userId: leader.userId })).status).toBe(400);
    expect((await block(c, leader.token, { userId: 'u_nobody' })).status).toBe(404);
    expect((await h.call('GET', `/campaigns/${c.id}/blocks`, { token: other.token })).status).toBe(403);
    expect((await h.call('DELETE', `/campaigns/${c.id}/blocks/${m.userId}`, { token: other.token })).status).toBe(403);
  });

  it('the block check costs the join path no extra request: it is part of the claim write’s condition', async () => {
    const c = await campaign();
    const [warm, plain, blockedMember] = [await member(), await member(), await member()];
    expect((await join(c, warm.token)).status).toBe(201); // the campaign is cached for the join path from here
    expect((await block(c, leader.token, { userId: blockedMember.userId })).status).toBe(201);
    const accepted = await recordRequests(h.db.doc, () => join(c, plain.token));
    expect(accepted.result.status).toBe(201);
    expect(accepted.sent.map((s) => s.command)).toEqual(['UpdateItemCommand', 'UpdateItemCommand', 'PutItemCommand']);
    const refused = await recordRequests(h.db.doc, () => join(c, blockedMember.token));
    expect(refused.result.body.error.code).toBe('BLOCKED');
    expect(refused.sent.map((s) => s.command)).toEqual(['UpdateItemCommand']);
  });
});
