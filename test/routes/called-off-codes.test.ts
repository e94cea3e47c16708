import { beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, T0 } from '../helpers/harness.js';

/** After a call-off, the codes that hand things over stop working: nothing is picked up or claimed. */
let h: Harness;
let leader: { token: string; userId: string };

beforeAll(async () => {
  h = await harness();
  leader = await h.login('co-leader', '团长');
});

describe('codes of a called-off campaign', () => {
  it('a settled campaign called off shows no pickup code, scans nothing, and its staff entries cannot be claimed', async () => {
    h.clock.set(T0);
    const c = await h.createCampaign(leader.token, { minParticipants: 1 });
    const member = await h.login('co-member', '会员');
    const join = await h.call('POST', `/campaigns/${c.id}/entries`, { token: member.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    const staff = await h.call('POST', `/campaigns/${c.id}/staff-entries`, {
      token: leader.token,
      body: { name: '王阿姨', items: [{ itemId: 'i1', qty: 1 }] },
    });
    expect(staff.status).toBe(201);
    expect((await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token })).status).toBe(200);
    expect((await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token })).status).toBe(200);
    const code = await h.call('GET', `/campaigns/${c.id}/entries/${join.body.id}/pickup-code`, { token: member.token });
    expect(code.status).toBe(200);

    expect((await h.call('POST', `/campaigns/${c.id}/call-off`, { token: leader.token, body: { reason: '供应商断货' } })).status).toBe(200);
    const after = await h.call('GET', `/campaigns/${c.id}/entries/${join.body.id}/pickup-code`, { token: member.token });
    expect(after.status).toBe(409);
    expect((await h.call('POST', `/campaigns/${c.id}/pickups/scan`, { token: leader.token, body: { code: code.body.code } })).status).toBe(
      409,
    );
    const claim = await h.call('POST', `/campaigns/${c.id}/entries/claim`, {
      token: (await h.login('co-wang', '王阿姨')).token,
      body: { code: staff.body.claimCode },
    });
    expect(claim.status).toBe(409);
    // The settlement sheet keeps who ordered what, each line cancelled and owing nothing, and says why.
    const sheet = await h.call('GET', `/campaigns/${c.id}/settlement.csv?totals=1`, { token: leader.token });
    const rows = sheet.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(rows[1]).toBe('1,会员,,,阳光玫瑰 2斤装(2斤)×1,1,0.00,,已取消,0.00,0.00,0.00');
    expect(rows[2]).toMatch(/^2,王阿姨,.*,0\.00,,已取消,0\.00,0\.00,0\.00$/);
    expect(rows.find((r) => r.startsWith('团购已取消'))).toMatch(/^团购已取消,供应商断货（2026-12-01T00:00:00\.000Z）；已付款项全部退回$/);
    const page = await h.app.request(`/s/${c.shareCode}`, { headers: { accept: 'text/html' } });
    expect(await page.text()).toContain('已取消');
  });
});
