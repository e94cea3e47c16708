import { beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness } from '../helpers/harness.js';
import { recordRequests } from '../helpers/requests.js';

let h: Harness;
let leader: { token: string; userId: string };
let helper: { token: string; userId: string };
let member: { token: string; userId: string };
let campaignId: string;

beforeAll(async () => {
  h = await harness();
  leader = await h.login('pl-leader', '团长');
  helper = await h.login('pl-helper', '助手');
  member = await h.login('pl-member', '王小明');
  const c = await h.createCampaign(leader.token);
  campaignId = c.id;
  await h.call('POST', `/campaigns/${c.id}/helpers`, { token: leader.token, body: { userId: helper.userId } });
  expect(
    (await h.call('POST', `/campaigns/${c.id}/entries`, { token: member.token, body: { items: [{ itemId: 'i1', qty: 1 }] } })).status,
  ).toBe(201);
});

/** The entries Query a list request sent (the only Query on the base table's ENTRY# range). */
async function listQuery(token: string | undefined, limit: number) {
  const { result, sent } = await recordRequests(h.db.doc, () =>
    h.call('GET', `/campaigns/${campaignId}/entries?limit=${limit}`, token ? { token } : {}),
  );
  expect(result.status, result.text).toBe(200);
  const queries = sent.filter((s) => s.command === 'QueryCommand' && s.input.ExpressionAttributeValues?.[':entry'] === 'ENTRY#');
  expect(queries).toHaveLength(1);
  return queries[0]!.input;
}

describe('public pages of the 接龙 list are cheap', () => {
  it('an anonymous limit=1000 is clamped to 100 and read eventually consistent', async () => {
    const input = await listQuery(undefined, 1000);
    expect(input.Limit).toBe(100);
    expect(input.ConsistentRead).toBe(false);
  });

  it('a signed-in member who is not staff gets the same public page (their own line came with the join)', async () => {
    const input = await listQuery(member.token, 1000);
    expect(input.Limit).toBe(100);
    expect(input.ConsistentRead).toBe(false);
  });

  it('the leader and helpers keep 1,000-row, strongly consistent pages', async () => {
    for (const token of [leader.token, helper.token]) {
      const input = await listQuery(token, 1000);
      expect(input.Limit).toBe(1000);
      expect(input.ConsistentRead).toBe(true);
    }
  });

  it('the OpenAPI document says so', async () => {
    const doc = await h.call('GET', '/openapi.json');
    const limit = doc.body.paths['/campaigns/{id}/entries'].get.parameters.find((p: any) => p.name === 'limit');
    expect(limit.description).toMatch(/\b100\b/);
    expect(limit.description).toMatch(/1000/);
  });
});
