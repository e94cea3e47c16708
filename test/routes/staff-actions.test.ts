import { beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, T0 } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});

const join = { items: [{ itemId: 'i1', qty: 1 }], pickupPointId: 'p1', phone: '13800138000' };

describe('staff actions are recorded with who did them', () => {
  it("the leader's, a helper's and a community admin's changes to entries and money; never a member's own", async () => {
    const [leader, helper, admin, a, b] = await Promise.all([
      h.login('sa-leader'),
      h.login('sa-helper'),
      h.login('sa-admin'),
      h.login('sa-a'),
      h.login('sa-b'),
    ]);
    const g = (await h.call('POST', '/communities', { token: leader.token, body: { name: '邻里' } })).body;
    const inv = await h.call('POST', `/communities/${g.id}/invitations`, { token: leader.token, body: { role: 'admin' } });
    expect((await h.call('POST', `${inv.body.path}/accept`, { token: admin.token })).status).toBe(200);
    const campaign = await h.createCampaign(leader.token, {
      opensAt: T0,
      closesAt: '2026-12-03T12:00:00.000Z',
      minParticipants: 1,
      communityId: g.id,
    });
    const id = campaign.id;
    await h.call('POST', `/campaigns/${id}/helpers`, { token: leader.token, body: { userId: helper.userId } });
    // Newest first is by time: a second between actions gives them an order.
    const tick = () => h.clock.advance(1000);
    tick();
    const ea = (await h.call('POST', `/campaigns/${id}/entries`, { token: a.token, body: join })).body.id;
    const eb = (await h.call('POST', `/campaigns/${id}/entries`, { token: b.token, body: join })).body.id;
    // A member cancelling their own entry is theirs, not a staff action.
    expect((await h.call('DELETE', `/campaigns/${id}/entries/${eb}`, { token: b.token })).status).toBe(200);
    // Refused attempts are not actions.
    expect((await h.call('POST', `/campaigns/${id}/settle`, { token: helper.token })).status).toBe(403);
    expect((await h.call('POST', `/campaigns/${id}/close`, { token: admin.token })).status).toBe(200);
    tick();
    expect((await h.call('POST', `/campaigns/${id}/settle`, { token: leader.token })).status).toBe(200);
    tick();
    expect((await h.call('POST', `/campaigns/${id}/entries/${ea}/pickup`, { token: helper.token })).status).toBe(200);
    tick();
    expect(
      (await h.call('PUT', `/campaigns/${id}/entries/${ea}/payment`, { token: admin.token, body: { status: 'paid', amount: 100 } })).status,
    ).toBe(200);
    const page = await h.call('GET', `/campaigns/${id}/staff-actions`, { token: helper.token });
    expect(page.status).toBe(200);
    const actions = page.body.actions.map((x: { actorId: string; role: string; operation: string; entryId: string | null }) => [
      x.actorId,
      x.role,
      x.operation,
      x.entryId,
    ]);
    expect(actions).toEqual([
      [admin.userId, 'staff', 'PUT /campaigns/{id}/entries/{entryId}/payment', ea],
      [helper.userId, 'staff', 'POST /campaigns/{id}/entries/{entryId}/pickup', ea],
      [leader.userId, 'leader', 'POST /campaigns/{id}/settle', null],
      [admin.userId, 'staff', 'POST /campaigns/{id}/close', null],
      [leader.userId, 'leader', 'POST /campaigns/{id}/helpers', null],
    ]);
    // A member cannot read them.
    expect((await h.call('GET', `/campaigns/${id}/staff-actions`, { token: a.token })).status).toBe(403);
  });

  it("the leader cancelling a member's entry is recorded", async () => {
    const [leader, m] = await Promise.all([h.login('sb-leader'), h.login('sb-m')]);
    const campaign = await h.createCampaign(leader.token);
    const e = (await h.call('POST', `/campaigns/${campaign.id}/entries`, { token: m.token, body: join })).body.id;
    expect((await h.call('DELETE', `/campaigns/${campaign.id}/entries/${e}`, { token: leader.token })).status).toBe(200);
    const page = await h.call('GET', `/campaigns/${campaign.id}/staff-actions`, { token: leader.token });
    expect(page.body.actions).toMatchObject([
      { actorId: leader.userId, role: 'leader', operation: 'DELETE /campaigns/{id}/entries/{entryId}', entryId: e },
    ]);
  });
});
