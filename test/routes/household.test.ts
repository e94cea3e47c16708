import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../shared/table/keys.js';
import { campaignBody, type Harness, harness, T0 } from '../helpers/harness.js';
import { recordRequests } from '../helpers/requests.js';

/** Household entries: a campaign's maxEntriesPerUser N lets one account hold up to N active entries, each its own number. */
let h: Harness;
let leader: { token: string; userId: string };
let k = 0;

beforeAll(async () => {
  h = await harness();
  leader = await h.login('hh-leader', '团长');
});

const member = () => h.login(`hh-m-${k++}`, `成员${k}`);
const campaign = (overrides: Record<string, unknown> = {}) => {
  h.clock.set(T0);
  return h.createCampaign(leader.token, { maxEntriesPerUser: 3, ...overrides });
};
const join = (c: { id: string }, token: string, qty = 1, key?: string) =>
  h.call('POST', `/campaigns/${c.id}/entries`, {
    token,
    body: { items: [{ itemId: 'i1', qty }] },
    ...(key ? { headers: { 'idempotency-key': key } } : {}),
  });
const mine = (c: { id: string }, token: string) => h.call('GET', `/campaigns/${c.id}/entries/mine`, { token });
const claimItem = async (campaignId: string, userId: string) =>
  (await h.db.doc.send(new GetCommand({ TableName: h.db.tableName, Key: keys.member(campaignId, userId), ConsistentRead: true }))).Item;

describe('maxEntriesPerUser: the campaign option', () => {
  it('defaults to 1 and shows in the campaign view', async () => {
    h.clock.set(T0);
    expect((await h.createCampaign(leader.token)).maxEntriesPerUser).toBe(1);
    expect((await campaign()).maxEntriesPerUser).toBe(3);
  });

  it.each([0, 11, 1.5, '2', null])('%j is 400 VALIDATION_FAILED', async (value) => {
    h.clock.set(T0);
    const res = await h.call('POST', '/campaigns', {
      token: leader.token,
      body: { ...campaignBody(), maxEntriesPerUser: value },
    });
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('an edit may raise it (more joins are then accepted), never lower it', async () => {
    const c = await campaign({ maxEntriesPerUser: 1 });
    const m = await member();
    expect((await join(c, m.token)).status).toBe(201);
    expect((await join(c, m.token)).status).toBe(409);
    const raised = await h.call('PATCH', `/campaigns/${c.id}`, { token: leader.token, body: { maxEntriesPerUser: 2 } });
    expect(raised.status, raised.text).toBe(200);
    expect(raised.body.maxEntriesPerUser).toBe(2);
    expect((await join(c, m.token)).status).toBe(201);
    const lowered = await h.call('PATCH', `/campaigns/${c.id}`, { token: leader.token, body: { maxEntriesPerUser: 1 } });
    expect(lowered.status).toBe(409);
    expect(lowered.body.error.code).toBe('INVALID_STATE');
    const invalid = await h.call('PATCH', `/campaigns/${c.id}`, { token: leader.token, body: { maxEntriesPerUser: 0 } });
    expect(invalid.status).toBe(400);
  });
});

describe('joining a household campaign (N = 3)', () => {
  it('three joins get three numbers; a fourth is ALREADY_JOINED naming the limit; a cancel frees a slot', async () => {
    const c = await campaign();
    const m = await member();
    const joins = [await join(c, m.token, 1), await join(c, m.token, 2), await join(c, m.token, 3)];
    expect(joins.map((j) => j.status)).toEqual([201, 201, 201]);
    expect(joins.map((j) => j.body.seq)).toEqual([1, 2, 3]);
    expect(new Set(joins.map((j) => j.body.id)).size).toBe(3);
    const fourth = await join(c, m.token);
    expect(fourth.status).toBe(409);
    expect(fourth.body.error).toMatchObject({ code: 'ALREADY_JOINED', details: { entryId: joins[0]!.body.id, limit: 3 } });
    expect(fourth.body.error.message).toContain('3');

    const list = await mine(c, m.token);
    expect(list.status, list.text).toBe(200);
    expect(list.body).toMatchObject({ maxEntriesPerUser: 3, entriesLeft: 0 });
    expect(list.body.entries.map((e: { id: string }) => e.id)).toEqual(joins.map((j) => j.body.id));

    expect((await h.call('DELETE', `/campaigns/${c.id}/entries/${joins[1]!.body.id}`, { token: m.token })).status).toBe(200);
    expect((await mine(c, m.token)).body.entriesLeft).toBe(1);
    const again = await join(c, m.token, 4);
    expect(again.status, again.text).toBe(201);
    expect(again.body.seq).toBe(4);
    expect((await join(c, m.token)).status).toBe(409);

    const view = await h.call('GET', `/campaigns/${c.id}`);
    expect(view.body.participantCount).toBe(3);
    expect(view.body.items[0].sold).toBe(1 + 3 + 4);
    const everything = await h.call('GET', '/me/entries', { token: m.token });
    expect(everything.body.entries).toHaveLength(4);
  });

  it('PATCH changes that entry only; cancel of one keeps the others', async () => {
    const c = await campaign();
    const m = await member();
    const [a, b] = [await join(c, m.token, 1), await join(c, m.token, 1)];
    const changed = await h.call('PATCH', `/campaigns/${c.id}/entries/${b.body.id}`, {
      token: m.token,
      body: { items: [{ itemId: 'i1', qty: 4 }], note: '给妈妈的' },
    });
    expect(changed.status, changed.text).toBe(200);
    const entries = (await mine(c, m.token)).body.entries;
    expect(entries.find((e: { id: string }) => e.id === a.body.id)).toMatchObject({ items: [{ itemId: 'i1', qty: 1 }], note: null });
    expect(entries.find((e: { id: string }) => e.id === b.body.id)).toMatchObject({ items: [{ itemId: 'i1', qty: 4 }], note: '给妈妈的' });
    expect((await h.call('GET', `/campaigns/${c.id}`)).body.items[0].sold).toBe(5);
  });

  it('perPersonLimit bounds each entry', async () => {
    const c = await campaign();
    const m = await member();
    expect((await join(c, m.token, 5)).status).toBe(201);
    expect((await join(c, m.token, 5)).status).toBe(201);
    const over = await join(c, m.token, 6);
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe('LIMIT_EXCEEDED');
  });

  it('an Idempotency-Key retry returns the same entry and takes no slot, also 10 copies at once', async () => {
    const c = await campaign();
    const m = await member();
    const first = await join(c, m.token, 1, 'key-a');
    const retry = await join(c, m.token, 1, 'key-a');
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.id).toBe(first.body.id);

    // A second entry under another key, sent ten times at once: one slot, one entry.
    const copies = await Promise.all(Array.from({ length: 10 }, () => join(c, m.token, 2, 'key-b')));
    expect(copies.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(new Set(copies.map((r) => r.body.id)).size).toBe(1);
    expect(copies[0]!.body.id).not.toBe(first.body.id);
    expect((await mine(c, m.token)).body.entriesLeft).toBe(1);

    const third = await join(c, m.token, 3, 'key-c');
    expect(third.status).toBe(201);
    // All slots full: the keys are still answered with their own entries, a new key is ALREADY_JOINED.
    for (const [key, id, qty] of [
      ['key-a', first.body.id, 1],
      ['key-b', copies[0]!.body.id, 2],
      ['key-c', third.body.id, 3],
    ] as const) {
      const replay = await join(c, m.token, qty, key);
      expect(replay.status).toBe(201);
      expect(replay.body.id).toBe(id);
    }
    expect((await join(c, m.token, 1, 'key-d')).body.error.code).toBe('ALREADY_JOINED');
    expect((await join(c, m.token, 2, 'key-a')).status).toBe(422); // the same key, another body
    const view = await h.call('GET', `/campaigns/${c.id}`);
    expect(view.body).toMatchObject({ participantCount: 3 });
    expect(view.body.items[0].sold).toBe(6);
  });

  it('a replay of a cancelled entry’s key returns it and takes no slot', async () => {
    const c = await campaign();
    const m = await member();
    const first = await join(c, m.token, 1, 'k1');
    await join(c, m.token, 1, 'k2');
    expect((await h.call('DELETE', `/campaigns/${c.id}/entries/${first.body.id}`, { token: m.token })).status).toBe(200);
    const late = await join(c, m.token, 1, 'k1');
    expect(late.status).toBe(201);
    expect(late.body).toMatchObject({ id: first.body.id, status: 'cancelled' });
    expect((await mine(c, m.token)).body.entriesLeft).toBe(2);
  });

  it('a blocked member is refused whichever slot is free; cancelEntries cancels all of their entries', async () => {
    const c = await campaign();
    const [a, b] = [await member(), await member()];
    expect((await join(c, a.token)).status).toBe(201);
    expect((await h.call('POST', `/campaigns/${c.id}/blocks`, { token: leader.token, body: { userId: a.userId } })).status).toBe(201);
    const refused = await join(c, a.token);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('BLOCKED');

    const entries = [await join(c, b.token), await join(c, b.token), await join(c, b.token)];
    const blocked = await h.call('POST', `/campaigns/${c.id}/blocks`, {
      token: leader.token,
      body: { userId: b.userId, cancelEntries: true },
    });
    expect(blocked.status, blocked.text).toBe(201);
    expect(blocked.body.cancelledEntryId).toBe(entries[0]!.body.id);
    expect(blocked.body.cancelledEntryIds).toEqual(entries.map((e) => e.body.id));
    expect((await h.call('GET', `/campaigns/${c.id}`)).body.participantCount).toBe(1);
    expect((await join(c, b.token)).status).toBe(403);
  });

  it('a member with free slots takes over a staff entry into one of them', async () => {
    const c = await campaign({ maxEntriesPerUser: 2 });
    const m = await member();
    const own = await join(c, m.token);
    const entered = await h.call('POST', `/campaigns/${c.id}/staff-entries`, {
      token: leader.token,
      body: { name: '王阿姨', items: [{ itemId: 'i1', qty: 2 }] },
    });
    expect(entered.status, entered.text).toBe(201);
    const claimed = await h.call('POST', `/campaigns/${c.id}/entries/claim`, { token: m.token, body: { code: entered.body.claimCode } });
    expect(claimed.status, claimed.text).toBe(200);
    expect((await mine(c, m.token)).body.entries.map((e: { id: string }) => e.id)).toEqual([own.body.id, entered.body.id]);
    expect((await join(c, m.token)).status).toBe(409);
    // Its slot is freed by its cancel, like any entry's.
    expect((await h.call('DELETE', `/campaigns/${c.id}/entries/${entered.body.id}`, { token: m.token })).status).toBe(200);
    expect((await join(c, m.token)).status).toBe(201);

    // A member whose slots are full cannot take one over.
    const another = await h.call('POST', `/campaigns/${c.id}/staff-entries`, {
      token: leader.token,
      body: { name: '李阿姨', items: [{ itemId: 'i1', qty: 1 }] },
    });
    const full = await h.call('POST', `/campaigns/${c.id}/entries/claim`, { token: m.token, body: { code: another.body.claimCode } });
    expect(full.status).toBe(409);
    expect(full.body.error.code).toBe('ALREADY_JOINED');
  });

  it('DELETE /me anonymises every entry and scrubs the request hashes of every slot', async () => {
    const c = await campaign();
    const m = await member();
    for (const key of ['e1', 'e2', 'e3']) {
      const res = await h.call('POST', `/campaigns/${c.id}/entries`, {
        token: m.token,
        body: { items: [{ itemId: 'i1', qty: 1 }], phone: '13800138000', note: '3号楼' },
        headers: { 'idempotency-key': key },
      });
      expect(res.status).toBe(201);
    }
    const before = await claimItem(c.id, m.userId);
    expect(before).toMatchObject({ slot1: { state: 'held' }, slot2: { state: 'held' } });
    expect((await h.call('DELETE', '/me', { token: m.token })).status).toBe(200);
    const list = await h.call('GET', `/campaigns/${c.id}/entries`, { token: leader.token });
    const lines = list.body.entries.filter((e: { userId: string }) => e.userId === m.userId);
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatchObject({ nickname: '已注销用户', phone: null, note: null });
    const after = await claimItem(c.id, m.userId);
    expect(after).toMatchObject({ requestHash: 'erased', slot1: { requestHash: 'erased' }, slot2: { requestHash: 'erased' } });
    expect(Object.keys(after!).filter((a) => a.startsWith('idem_') || a === 'idempotencyKey')).toEqual([]);
  });
});

describe('what a household join costs', () => {
  it('into slot 1: the failed slot-0 claim and the slot-1 claim, then reserve and entry; no read', async () => {
    const c = await campaign();
    const m = await member();
    await join(c, m.token);
    const { result, sent } = await recordRequests(h.db.doc, () => join(c, m.token, 1, 'second'));
    expect(result.status).toBe(201);
    expect(sent.map((s) => s.command)).toEqual(['UpdateItemCommand', 'UpdateItemCommand', 'UpdateItemCommand', 'PutItemCommand']);
    expect(sent[1]!.input.ExpressionAttributeNames['#slot']).toBe('slot1');
  });

  it('the claim item of three slots and three long keys stays under 1 KB: the slot-2 claim write is 1 WCU (the failed slot-0 attempt costs 1 more)', async () => {
    const c = await campaign();
    const m = await member();
    const units: Record<string, number> = {};
    // The app's own context: its join reports each write's consumed capacity there (the bench's hook).
    const db = h.db as { onCapacity?: (label: string, capacity: ConsumedCapacity | ConsumedCapacity[] | undefined) => void };
    db.onCapacity = (label, capacity) => {
      units[label] = (units[label] ?? 0) + (Array.isArray(capacity) ? 0 : (capacity?.CapacityUnits ?? 0));
    };
    try {
      for (const key of ['home-1', 'home-2']) await join(c, m.token, 1, `${key}-${'x'.repeat(36)}`);
      for (const label of Object.keys(units)) delete units[label];
      expect((await join(c, m.token, 1, `home-3-${'x'.repeat(36)}`)).status).toBe(201);
    } finally {
      delete db.onCapacity;
    }
    expect(units).toEqual({ 'join.claim': 1, 'join.reserve': 1, 'join.entry': 2 });
  });
});

describe('a one-entry campaign (N = 1) is as before', () => {
  it('three writes per join, the same claim item, ALREADY_JOINED without a limit', async () => {
    const c = await campaign({ maxEntriesPerUser: 1 });
    const m = await member();
    await join(c, (await member()).token); // the campaign is in the process's cache now
    const { result, sent } = await recordRequests(h.db.doc, () => join(c, m.token, 1, 'only'));
    expect(result.status).toBe(201);
    expect(sent.map((s) => s.command)).toEqual(['UpdateItemCommand', 'UpdateItemCommand', 'PutItemCommand']);
    const claim = await claimItem(c.id, m.userId);
    const attributes = Object.keys(claim!).map((a) => (a.startsWith('idem_') ? 'idem_…' : a));
    expect(attributes.sort()).toEqual(
      ['pk', 'sk', 'type', 'userId', 'token', 'state', 'requestHash', 'createdAt', 'idempotencyKey', 'idem_…'].sort(),
    );
    const second = await join(c, m.token);
    expect(second.status).toBe(409);
    expect(second.body.error.details).toEqual({ entryId: result.body.id });
    expect((await mine(c, m.token)).body).toMatchObject({ maxEntriesPerUser: 1, entriesLeft: 0, entries: [{ id: result.body.id }] });
  });
});
