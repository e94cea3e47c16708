import { BatchWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { putEntry } from '../../shared/entries/index.js';
import { entryIds, keys } from '../../shared/table/index.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';
import { recordRequests } from '../helpers/requests.js';

/** GET /campaigns/{id}/entries.txt and …/entries/text: the leader's copy for the group chat. */
let h: Harness;
type User = { token: string; userId: string };
let leader: User;
let helper: User;
let wang: User;
let li: User;
let zhao: User;
let campaignId: string;

const join = (id: string, user: User, body: Record<string, unknown>) =>
  h.call('POST', `/campaigns/${id}/entries`, { token: user.token, body });

beforeAll(async () => {
  h = await harness();
  h.clock.set(T0);
  leader = await h.login('ct-leader', '团长');
  helper = await h.login('ct-helper', '助手');
  wang = await h.login('ct-wang', '王小明');
  li = await h.login('ct-li', '李四');
  zhao = await h.login('ct-zhao', '赵六');
  const c = await h.createCampaign(leader.token);
  campaignId = c.id;
  expect((await h.call('POST', `/campaigns/${c.id}/helpers`, { token: leader.token, body: { userId: helper.userId } })).status).toBe(201);
  expect((await join(c.id, wang, { items: [{ itemId: 'i1', qty: 2 }], pickupPointId: 'p1', phone: '13800138000' })).status).toBe(201);
  const zhaoEntry = await join(c.id, zhao, { items: [{ itemId: 'i1', qty: 4 }] });
  expect(zhaoEntry.status).toBe(201);
  expect((await join(c.id, li, { items: [{ itemId: 'i1', qty: 1 }], note: '晚上\n取' })).status).toBe(201);
  // Cancelled: left out, and 李四 keeps number 3.
  expect((await h.call('DELETE', `/campaigns/${c.id}/entries/${zhaoEntry.body.id}`, { token: zhao.token })).status).toBe(200);
});

const HEADER = ['周六 阳光玫瑰葡萄 团购', '已接龙 3 份，再 17 份解锁 ¥35.90'];

describe('the group-chat copy of the 接龙 list', () => {
  it('is plain UTF-8 text with masked names for the public and for members, never a phone', async () => {
    for (const token of [undefined, wang.token, li.token]) {
      const res = await h.call('GET', `/campaigns/${campaignId}/entries.txt`, token ? { token } : {});
      expect(res.status, res.text).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(res.text).toBe(
        [...HEADER, '1. 王* 阳光玫瑰 2斤装 2斤×2 3号楼门卫室', '3. 李* 阳光玫瑰 2斤装 2斤×1 备注: 晚上 取', ''].join('\n'),
      );
      expect(res.text).not.toContain('13800138000');
    }
  });

  it('shows full names to the leader and helpers, and is not kept by shared caches', async () => {
    for (const token of [leader.token, helper.token]) {
      const res = await h.call('GET', `/campaigns/${campaignId}/entries.txt`, { token });
      expect(res.status, res.text).toBe(200);
      expect(res.text).toBe(
        [...HEADER, '1. 王小明 阳光玫瑰 2斤装 2斤×2 3号楼门卫室', '3. 李四 阳光玫瑰 2斤装 2斤×1 备注: 晚上 取', ''].join('\n'),
      );
      expect(res.headers.get('cache-control')).toBe('private, no-store');
    }
  });

  it('the JSON variant carries the same text', async () => {
    for (const token of [undefined, leader.token]) {
      const init = token ? { token } : {};
      const txt = await h.call('GET', `/campaigns/${campaignId}/entries.txt`, init);
      const json = await h.call('GET', `/campaigns/${campaignId}/entries/text`, init);
      expect(json.status, json.text).toBe(200);
      expect(json.body).toEqual({ text: txt.text, lines: 2, truncated: false });
    }
  });

  it('the header follows the live tiers up to "已达最低价"', async () => {
    const c = await h.createCampaign(leader.token, {
      title: '土鸡蛋',
      tierBasis: 'participants',
      items: [{ name: '土鸡蛋', unitPrice: 1290, stock: 100, tiers: [{ threshold: 2, unitPrice: 990 }] }],
    });
    await join(c.id, wang, { items: [{ itemId: 'i1', qty: 3 }] });
    expect((await h.call('GET', `/campaigns/${c.id}/entries.txt`)).text.split('\n')[1]).toBe('已接龙 1 人，再 1 人解锁 ¥9.90');
    await join(c.id, li, { items: [{ itemId: 'i1', qty: 1 }] });
    expect((await h.call('GET', `/campaigns/${c.id}/entries.txt`)).text.split('\n')[1]).toBe('已接龙 2 人，已达最低价 ¥9.90');
  });

  it('a draft is 404 to outsiders, as elsewhere, and shown to its leader and helpers', async () => {
    const draft = await h.createCampaign(leader.token, { draft: true });
    expect((await h.call('POST', `/campaigns/${draft.id}/helpers`, { token: leader.token, body: { userId: helper.userId } })).status).toBe(
      201,
    );
    for (const path of [`/campaigns/${draft.id}/entries.txt`, `/campaigns/${draft.id}/entries/text`]) {
      expect((await h.call('GET', path)).status).toBe(404);
      expect((await h.call('GET', path, { token: wang.token })).body.error.code).toBe('NOT_FOUND');
      expect((await h.call('GET', path, { token: leader.token })).status).toBe(200);
      expect((await h.call('GET', path, { token: helper.token })).status).toBe(200);
    }
    expect((await h.call('GET', '/campaigns/nope/entries.txt')).status).toBe(404);
  });

  it('both are declared in the OpenAPI document: text/plain and the ChatText JSON', async () => {
    const doc = (await h.call('GET', '/openapi.json')).body;
    expect(doc.paths['/campaigns/{id}/entries.txt'].get.responses['200'].content).toHaveProperty(['text/plain']);
    expect(doc.paths['/campaigns/{id}/entries/text'].get.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ChatText',
    });
    expect(Object.keys(doc.components.schemas.ChatText.properties)).toEqual(['text', 'lines', 'truncated']);
  });

  it('a large list stops at 2,000 lines with "…共 N 人", and stops reading once past the cap', async () => {
    const N = 3100;
    const c = await h.createCampaign(leader.token, { title: '大团', items: [{ name: '大米', unitPrice: 5990, stock: null }] });
    // Seeded as joins write them (entry items only), then counters that match: 3,100 joins over HTTP would take minutes.
    const now = h.clock.now().toISOString();
    const records = Array.from({ length: N }, (_, i) => {
      const seq = i + 1;
      return putEntry(h.tableName, {
        ...{ id: entryIds.of(seq, `seed${seq}`), campaignId: c.id, campaignTitle: '大团', seq, userId: `u_seed${seq}` },
        ...{ nickname: `邻居${seq}`, items: [{ itemId: 'i1', qty: 1 }], note: null, pickupPointId: null, phone: null },
        ...{ status: seq === 2 ? 'cancelled' : 'active', createdAt: now, updatedAt: now, version: 1 },
      }).Item!;
    });
    for (let i = 0; i < records.length; i += 25) {
      let batch = records.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      while (batch.length) {
        const out = await h.db.doc.send(new BatchWriteCommand({ RequestItems: { [h.tableName]: batch } }));
        batch = (out.UnprocessedItems?.[h.tableName] ?? []) as typeof batch;
      }
    }
    await h.db.doc.send(
      new UpdateCommand({
        TableName: h.tableName,
        Key: keys.campaignState(c.id),
        UpdateExpression: 'SET #seq = :n, #participants = :p, #sold = :sold',
        ExpressionAttributeNames: { '#seq': 'seq', '#participants': 'participants', '#sold': 'sold' },
        ExpressionAttributeValues: { ':n': N, ':p': N - 1, ':sold': { i1: N - 1 } },
      }),
    );
    const { result, sent } = await recordRequests(h.db.doc, () => h.call('GET', `/campaigns/${c.id}/entries/text`));
    expect(result.status, result.text).toBe(200);
    const rows = result.body.text.trimEnd().split('\n');
    expect(result.body).toMatchObject({ lines: 2000, truncated: true });
    expect(rows).toHaveLength(2 + 2000 + 1);
    expect(rows[1]).toBe(`已接龙 ${N - 1} 份，单价 ¥59.90`);
    expect(rows.slice(2, 4)).toEqual(['1. 邻* 大米×1', '3. 邻* 大米×1']);
    expect(rows.at(-2)).toBe('2001. 邻* 大米×1');
    expect(rows.at(-1)).toBe(`…共 ${N - 1} 人`);
    // Three pages of 1,000 hold the 2,001st active line: the fourth is never read.
    const pages = sent.filter((s) => s.command === 'QueryCommand' && s.input.ExpressionAttributeValues?.[':entry'] === 'ENTRY#');
    expect(pages).toHaveLength(3);
  }, 60_000);
});
