import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { issueToken } from '../../shared/auth/index.js';
import { type Harness, harness } from '../helpers/harness.js';
import { recordRequests } from '../helpers/requests.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});

describe('the bearer check under a storm of distinct members', () => {
  it('reads the erasure register once, not one user item per member; an erased member is still refused', async () => {
    const members = await Promise.all(
      Array.from({ length: 40 }, (_, i) => issueToken(h.deps.tokens, { id: `u_storm${i}`, nickname: `邻居${i}` })),
    );
    const { result, sent } = await recordRequests(h.db.doc, () =>
      Promise.all(members.map((token) => h.call('GET', '/me/entries', { token }))),
    );
    expect(result.every((r) => r.status === 200)).toBe(true);
    const userReads = sent.filter((r) => r.command === 'GetItemCommand' && String(r.input.Key?.pk).startsWith('USER#'));
    expect(userReads).toHaveLength(0);
    const registerReads = sent.filter((r) => r.command === 'BatchGetItemCommand' && JSON.stringify(r.input).includes('ERASURES'));
    expect(registerReads).toHaveLength(1);

    // One of them erases their account; a fresh app instance (another Lambda) refuses the old token.
    const victim = await h.login('bearer-cost-erased', '将注销');
    expect((await h.call('DELETE', '/me', { token: victim.token })).status).toBe(200);
    const fresh = createApp({ ...h.deps });
    const get = (token: string) => fresh.request('/me/entries', { headers: { authorization: `Bearer ${token}` } });
    expect((await get(victim.token)).status).toBe(401);
    expect((await get(members[0]!)).status).toBe(200);
  });
});
