import { beforeAll, describe, expect, it } from 'vitest';
import { sweepAndWork } from '../../shared/jobs/index.js';
import { createLogger } from '../../shared/logger.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';

let h: Harness;
let leader: { token: string; userId: string };
let member: { token: string; userId: string };
let helper: { token: string; userId: string };

beforeAll(async () => {
  h = await harness();
  leader = await h.login('draft-leader', '团长');
  member = await h.login('draft-member', '邻居');
  helper = await h.login('draft-helper', '助手');
});

async function draft(overrides: Record<string, unknown> = {}) {
  h.clock.set(T0);
  const c = await h.createCampaign(leader.token, { draft: true, minParticipants: 1, ...overrides });
  await h.call('POST', `/campaigns/${c.id}/helpers`, { token: leader.token, body: { userId: helper.userId } });
  return c;
}

describe('drafts', () => {
  it('are seen only by the leader and helpers; for everyone else they do not exist', async () => {
    const c = await draft();
    expect(c.status).toBe('draft');
    expect(c.acceptingEntries).toBe(false);
    for (const token of [undefined, member.token]) {
      for (const path of [`/campaigns/${c.id}`, `/s/${c.shareCode}`, `/campaigns/${c.id}/entries`]) {
        const res = await h.call('GET', path, token ? { token } : {});
        expect(res.status, `${path} ${token ? 'member' : 'anonymous'}`).toBe(404);
      }
    }
    expect(
      (await h.call('POST', `/campaigns/${c.id}/entries`, { token: member.token, body: { items: [{ itemId: 'i1', qty: 1 }] } })).status,
    ).toBe(404);
    expect((await h.call('GET', `/campaigns/${c.id}`, { token: leader.token })).body.status).toBe('draft');
    expect((await h.call('GET', `/campaigns/${c.id}`, { token: helper.token })).body.status).toBe('draft');
    expect((await h.call('GET', '/me/campaigns', { token: leader.token })).body.campaigns.map((x: any) => x.id)).toContain(c.id);
    const leaderJoin = await h.call('POST', `/campaigns/${c.id}/entries`, {
      token: leader.token,
      body: { items: [{ itemId: 'i1', qty: 1 }] },
    });
    expect(leaderJoin.body.error).toMatchObject({ code: 'CAMPAIGN_NOT_OPEN', details: { reason: 'draft' } });
  });

  it('can be edited, then published; members join; publishing again is 200', async () => {
    const c = await draft();
    expect(
      (
        await h.call('PATCH', `/campaigns/${c.id}`, {
          token: leader.token,
          body: { title: '改好了', stock: [{ itemId: 'i1', stock: 50 }] },
        })
      ).body,
    ).toMatchObject({ title: '改好了', status: 'draft' });
    expect((await h.call('POST', `/campaigns/${c.id}/publish`, { token: member.token })).status).toBe(404);
    expect((await h.call('POST', `/campaigns/${c.id}/publish`, { token: helper.token })).status).toBe(403);
    const published = await h.call('POST', `/campaigns/${c.id}/publish`, { token: leader.token });
    expect(published.body).toMatchObject({ status: 'open', acceptingEntries: true, items: [{ stock: 50 }] });
    expect((await h.call('POST', `/campaigns/${c.id}/publish`, { token: leader.token })).status).toBe(200);
    const joined = await h.call('POST', `/campaigns/${c.id}/entries`, { token: member.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    expect(joined.status).toBe(201);
    expect(joined.body.seq).toBe(1);
  });

  it('are not settled by the sweep; an expired draft needs a new deadline before it is published', async () => {
    const c = await draft();
    h.clock.set('2026-12-04T00:00:00.000Z');
    expect((await sweepAndWork(h.db, createLogger('silent'), h.deps.money)).settled).not.toContain(c.id);
    const late = await h.call('POST', `/campaigns/${c.id}/publish`, { token: leader.token });
    expect(late.body.error.code).toBe('INVALID_STATE');
    expect(
      (await h.call('PATCH', `/campaigns/${c.id}`, { token: leader.token, body: { closesAt: '2026-12-06T00:00:00.000Z' } })).status,
    ).toBe(200);
    expect((await h.call('POST', `/campaigns/${c.id}/publish`, { token: leader.token })).body.status).toBe('open');
    h.clock.set('2026-12-06T00:00:00.000Z');
    expect((await sweepAndWork(h.db, createLogger('silent'), h.deps.money)).settled).toContain(c.id);
  });

  it('cannot be closed or settled', async () => {
    const c = await draft();
    expect((await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token })).body.error.code).toBe('INVALID_STATE');
    expect((await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token })).body.error.code).toBe('INVALID_STATE');
  });
});
