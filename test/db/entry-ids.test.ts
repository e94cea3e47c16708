import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireCampaign } from '../../shared/campaigns/campaigns.js';
import { claimMember, counterUpdate, limitedItems, putEntry } from '../../shared/entries/commands.js';
import { JOIN_LEASE_MS, requestHash } from '../../shared/entries/entries.js';
import { getEntryRecord, locateJoin } from '../../shared/entries/lookup.js';
import { repairCampaign } from '../../shared/settlement/settle.js';
import { entryIds, keys } from '../../shared/table/keys.js';
import type { EntryRecord } from '../../shared/table/records.js';
import { JOIN_RING_SIZE } from '../../shared/table/records.js';
import { GSI_BY_OWNER } from '../../shared/table/schema.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';
import { expectInvariants } from '../helpers/invariants.js';

/**
 * Entries are keyed by their number and named `e<seq>_<token>`; the claim only knows the token.
 * These tests pin down what that key design must still guarantee: ids that do not name a stored
 * entry are 404 (guessed tokens too), and a claim finds its entry however long ago the STATE ring
 * forgot it (ALREADY_JOINED, Idempotency-Key replays), also when gsi1 does not have it.
 */
let h: Harness;
let leader: { token: string; userId: string };

beforeAll(async () => {
  h = await harness();
  leader = await h.login('leader', '团长');
});

async function campaign(stock: number | null = 500) {
  h.clock.set(T0);
  return h.createCampaign(leader.token, { minParticipants: 1, items: [{ name: '荔枝', unitPrice: 1000, stock }] });
}

const join = (campaignId: string, token: string, qty = 1, idempotencyKey?: string) =>
  h.call('POST', `/campaigns/${campaignId}/entries`, {
    token,
    body: { items: [{ itemId: 'i1', qty }] },
    ...(idempotencyKey ? { headers: { 'idempotency-key': idempotencyKey } } : {}),
  });

/** More joins than the ring remembers, so the ring no longer knows the earlier ones. */
async function pushRingPast(campaignId: string, prefix: string) {
  const others = await Promise.all(Array.from({ length: JOIN_RING_SIZE + 2 }, (_, i) => h.login(`${prefix}-${i}`)));
  for (const o of others) expect((await join(campaignId, o.token)).status).toBe(201);
}

describe('entry ids: e<seq>_<token>', () => {
  it('an accepted join is named by its number and token, and that id reads, changes and cancels it', async () => {
    const c = await campaign();
    const m = await h.login('ids-1');
    const res = await join(c.id, m.token, 2);
    expect(res.status).toBe(201);
    expect(entryIds.parse(res.body.id)).toMatchObject({ seq: 1 });
    const stored = (await h.db.doc.send(new GetCommand({ TableName: h.db.tableName, Key: keys.entry(c.id, 1) }))).Item!;
    expect(stored).toMatchObject({ id: res.body.id, seq: 1, type: 'entry' });
    expect(stored).not.toHaveProperty('lsi1sk');
    expect((await h.call('PATCH', `/campaigns/${c.id}/entries/${res.body.id}`, { token: m.token, body: { note: '改' } })).status).toBe(200);
    expect((await h.call('DELETE', `/campaigns/${c.id}/entries/${res.body.id}`, { token: m.token })).status).toBe(200);
  });

  it('a guessed token at a real number, or a real id in another campaign, is 404 and changes nothing', async () => {
    const c = await campaign();
    const other = await campaign();
    const m = await h.login('ids-2');
    const real = (await join(c.id, m.token)).body.id as string;
    const guessed = entryIds.of(1, 'aaaaaaaaaaaa');
    const voidLike = entryIds.void(1);
    for (const id of [guessed, voidLike, real.slice(0, -1), `${real}x`, real.replace(/^e1_/, 'e2_')]) {
      expect((await h.call('PATCH', `/campaigns/${c.id}/entries/${id}`, { token: m.token, body: { note: 'x' } })).body.error.code, id).toBe(
        'NOT_FOUND',
      );
      expect((await h.call('DELETE', `/campaigns/${c.id}/entries/${id}`, { token: leader.token })).body.error.code, id).toBe('NOT_FOUND');
    }
    expect((await h.call('DELETE', `/campaigns/${other.id}/entries/${real}`, { token: leader.token })).body.error.code).toBe('NOT_FOUND');
    expect(await getEntryRecord(h.db, c.id, guessed)).toBeNull();
    const { entries } = await expectInvariants(h, c.id, leader.token);
    expect(entries).toMatchObject([{ id: real, status: 'active', note: null }]);
  });

  it('pickup marks with a guessed token at a real number are 404, not a mark on someone else', async () => {
    const c = await campaign();
    const m = await h.login('ids-3');
    const real = (await join(c.id, m.token)).body.id as string;
    expect((await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token })).status).toBe(200);
    expect((await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token })).status).toBe(200);
    const guessed = entryIds.of(1, 'bbbbbbbbbbbb');
    expect((await h.call('POST', `/campaigns/${c.id}/entries/${guessed}/pickup`, { token: leader.token })).body.error.code).toBe(
      'NOT_FOUND',
    );
    expect((await h.call('DELETE', `/campaigns/${c.id}/entries/${guessed}/pickup`, { token: leader.token })).body.error.code).toBe(
      'NOT_FOUND',
    );
    expect((await h.call('POST', `/campaigns/${c.id}/entries/${real}/pickup`, { token: leader.token })).body).toMatchObject({
      entryId: real,
      pickedUp: true,
    });
  });
});

describe('a claim finds its entry after the ring has moved on', () => {
  it('ALREADY_JOINED names the entry', async () => {
    const c = await campaign();
    const m = await h.login('ring-1');
    const first = await join(c.id, m.token);
    await pushRingPast(c.id, 'ring-1-o');
    const again = await join(c.id, m.token);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'ALREADY_JOINED', details: { entryId: first.body.id } });
  });

  it('ALREADY_JOINED names the entry also when gsi1 does not have it (index lag, erased index keys)', async () => {
    const c = await campaign();
    const m = await h.login('ring-2');
    const first = await join(c.id, m.token);
    await pushRingPast(c.id, 'ring-2-o');
    await h.db.doc.send(
      new UpdateCommand({
        TableName: h.db.tableName,
        Key: keys.entry(c.id, 1),
        UpdateExpression: 'REMOVE #pk, #sk',
        ExpressionAttributeNames: { '#pk': GSI_BY_OWNER.partitionKey, '#sk': GSI_BY_OWNER.sortKey },
      }),
    );
    const again = await join(c.id, m.token);
    expect(again.body.error).toMatchObject({ code: 'ALREADY_JOINED', details: { entryId: first.body.id } });
  });

  it('an Idempotency-Key retry is answered with the first entry, open or closed', async () => {
    const c = await campaign();
    const m = await h.login('ring-3');
    const first = await join(c.id, m.token, 2, 'ring-3-key');
    await pushRingPast(c.id, 'ring-3-o');
    const replay = await join(c.id, m.token, 2, 'ring-3-key');
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.id).toBe(first.body.id);
    expect((await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token })).status).toBe(200);
    const afterClose = await join(c.id, m.token, 2, 'ring-3-key');
    expect(afterClose.status).toBe(201);
    expect(afterClose.body.id).toBe(first.body.id);
  });

  it('after a cancel and a rejoin, each key replays its own entry', async () => {
    const c = await campaign();
    const m = await h.login('ring-4');
    const first = await join(c.id, m.token, 1, 'ring-4-a');
    expect((await h.call('DELETE', `/campaigns/${c.id}/entries/${first.body.id}`, { token: m.token })).status).toBe(200);
    const second = await join(c.id, m.token, 1, 'ring-4-b');
    expect(second.body.seq).toBe(2);
    await pushRingPast(c.id, 'ring-4-o');
    expect((await join(c.id, m.token, 1, 'ring-4-a')).body).toMatchObject({ id: first.body.id, status: 'cancelled' });
    expect((await join(c.id, m.token, 1, 'ring-4-b')).body).toMatchObject({ id: second.body.id, status: 'active' });
  });

  it('locateJoin: ring, then gsi1, then the list; unknown for a join that never took a number', async () => {
    const c = await campaign();
    const m = await h.login('ring-5');
    const first = await join(c.id, m.token);
    const claim = (await h.db.doc.send(new GetCommand({ TableName: h.db.tableName, Key: keys.member(c.id, m.userId) }))).Item!;
    const ref = { userId: m.userId, token: claim.token as string, createdAt: claim.createdAt as string };
    expect(await locateJoin(h.db, c.id, ref)).toMatchObject({ kind: 'entry', entry: { id: first.body.id } });
    await pushRingPast(c.id, 'ring-5-o');
    expect(await locateJoin(h.db, c.id, ref, false)).toMatchObject({ kind: 'entry', entry: { id: first.body.id } });
    expect(await locateJoin(h.db, c.id, { ...ref, token: 'nosuchtoken' })).toEqual({ kind: 'unknown' });
  });
});

describe('taking over a dead join whose number the ring still knows', () => {
  it('tombstones that number: the dead join can never land late, and repair shows it as a void line', async () => {
    const c = await campaign(10);
    const m = await h.login('takeover-1');
    // A join that claimed and reserved, then died before writing its entry.
    const snapshot = await requireCampaign(h.db, c.id);
    const now = h.clock.now().toISOString();
    const token = 'deadjoin0001';
    const items = [{ itemId: 'i1', qty: 2 }];
    await h.db.doc.send(
      new UpdateCommand(
        claimMember(h.db.tableName, c.id, {
          userId: m.userId,
          token,
          state: 'held',
          createdAt: now,
          requestHash: requestHash(c.id, { userId: m.userId, nickname: 'x', items, note: null, pickupPointId: null, phone: null }),
        }),
      ),
    );
    await h.db.doc.send(
      new UpdateCommand(
        counterUpdate(h.db.tableName, c.id, {
          units: new Map([['i1', 2]]),
          participants: 1,
          takeNumber: true,
          joinToken: token,
          limited: limitedItems(snapshot.def),
          requireOpenAt: now,
        }),
      ),
    );

    h.clock.advance(JOIN_LEASE_MS + 1);
    const retry = await join(c.id, m.token, 1);
    expect(retry.status).toBe(201);
    expect(retry.body.seq).toBe(2);
    expect((await h.db.doc.send(new GetCommand({ TableName: h.db.tableName, Key: keys.entry(c.id, 1) }))).Item).toMatchObject({
      type: 'tombstone',
      token,
    });

    const late: EntryRecord = {
      id: entryIds.of(1, token),
      campaignId: c.id,
      campaignTitle: '',
      seq: 1,
      userId: m.userId,
      nickname: 'x',
      items,
      note: null,
      pickupPointId: null,
      phone: null,
      status: 'active',
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    await expect(h.db.doc.send(new PutCommand(putEntry(h.db.tableName, late)))).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });

    const report = await repairCampaign(h.db, (await requireCampaign(h.db, c.id)).def);
    expect(report).toMatchObject({ holesFilled: [1], countersRewritten: true });
    const { entries, campaign: after } = await expectInvariants(h, c.id, leader.token);
    expect(entries.map((e) => [e.seq, e.status, e.userId])).toEqual([
      [1, 'cancelled', ''],
      [2, 'active', m.userId],
    ]);
    expect(after.items[0]).toMatchObject({ sold: 1, remaining: 9 });
  });
});
