import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireCampaign } from '../../shared/campaigns/campaigns.js';
import { claimMember, counterUpdate, limitedItems, putEntry } from '../../shared/entries/commands.js';
import { JOIN_LEASE_MS, requestHash } from '../../shared/entries/entries.js';
import { repairCampaign } from '../../shared/settlement/settle.js';
import { entryIds } from '../../shared/table/keys.js';
import type { EntryRecord, MemberRecord } from '../../shared/table/records.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';
import { expectInvariants } from '../helpers/invariants.js';

/**
 * A join is three writes (claim, reserve, entry). These tests stop a join after each of the first
 * two, as a crashed Lambda would, and check that nothing is oversold or lost and how it heals.
 */
let h: Harness;
let leader: { token: string; userId: string };

beforeAll(async () => {
  h = await harness();
  leader = await h.login('leader', '团长');
});

async function scarceCampaign() {
  h.clock.set(T0);
  return h.createCampaign(leader.token, { minParticipants: 1, items: [{ name: '山竹', unitPrice: 3000, stock: 5 }] });
}

/** Perform a join's first steps only, like a process that died right after them. */
async function crashedJoin(
  campaignId: string,
  userId: string,
  qty: number,
  steps: 1 | 2,
  idempotencyKey?: string,
  slot = 0,
): Promise<{ token: string; seq?: number }> {
  const snapshot = await requireCampaign(h.db, campaignId);
  const now = h.clock.now();
  const token = `crashed${userId.replace(/[^0-9a-z]/g, '')}`.slice(0, 32);
  const items = [{ itemId: 'i1', qty }];
  const claim: MemberRecord = {
    userId,
    token,
    state: 'held',
    createdAt: now.toISOString(),
    requestHash: requestHash(campaignId, { userId, nickname: 'x', items, note: null, pickupPointId: null, phone: null }),
    ...(idempotencyKey ? { idempotencyKey } : {}),
  };
  await h.db.doc.send(new UpdateCommand(claimMember(h.db.tableName, campaignId, claim, slot)));
  if (steps === 1) return { token };
  const out = await h.db.doc.send(
    new UpdateCommand(
      counterUpdate(h.db.tableName, campaignId, {
        units: new Map([['i1', qty]]),
        participants: 1,
        takeNumber: true,
        joinToken: token,
        limited: limitedItems(snapshot.def),
        requireOpenAt: now.toISOString(),
      }),
    ),
  );
  return { token, seq: out.Attributes?.seq as number };
}

const join = (campaignId: string, token: string, qty: number) =>
  h.call('POST', `/campaigns/${campaignId}/entries`, { token, body: { items: [{ itemId: 'i1', qty }] } });

describe('a join that died after claiming (step 1)', () => {
  it('blocks the user only until the lease runs out; then their retry takes over', async () => {
    const c = await scarceCampaign();
    const m = await h.login('crash1');
    await crashedJoin(c.id, m.userId, 1, 1);
    const blocked = await join(c.id, m.token, 1);
    expect(blocked.status).toBe(409);
    h.clock.advance(JOIN_LEASE_MS + 1);
    const retry = await join(c.id, m.token, 1);
    expect(retry.status).toBe(201);
    expect(retry.body.seq).toBe(1);
    await expectInvariants(h, c.id, leader.token);
  });
});

describe('a join that died after reserving (step 2)', () => {
  it('never oversells: its units stay reserved until repair gives them back and voids its number', async () => {
    const c = await scarceCampaign();
    const dead = await h.login('crash2');
    const { seq, token } = await crashedJoin(c.id, dead.userId, 3, 2);
    expect(seq).toBe(1);
    // Others keep joining: only 2 units are left for them, not 5.
    const a = await h.login('crash2-a');
    const b = await h.login('crash2-b');
    expect((await join(c.id, a.token, 2)).body.seq).toBe(2);
    expect((await join(c.id, b.token, 1)).body.error.code).toBe('SOLD_OUT');

    // Repair while the dead join's lease still runs would be unsafe; it waits and then says so.
    await expect(repairCampaign(h.db, (await requireCampaign(h.db, c.id)).def, 200)).rejects.toMatchObject({ code: 'CONFLICT' });

    h.clock.advance(JOIN_LEASE_MS + 1);
    const report = await repairCampaign(h.db, (await requireCampaign(h.db, c.id)).def);
    expect(report).toMatchObject({ holesFilled: [1], claimsTombstoned: 1, countersRewritten: true });

    const { entries, campaign } = await expectInvariants(h, c.id, leader.token);
    expect(entries.map((e) => [e.seq, e.status])).toEqual([
      [1, 'cancelled'],
      [2, 'active'],
    ]);
    expect(campaign.items[0]).toMatchObject({ sold: 2, remaining: 3 });
    // The units are back on sale.
    expect((await join(c.id, b.token, 3)).status).toBe(201);

    // Had the dead join only been paused, its last write can no longer land.
    const late: EntryRecord = {
      id: entryIds.of(1, token),
      campaignId: c.id,
      campaignTitle: '',
      seq: 1,
      userId: dead.userId,
      nickname: 'x',
      items: [{ itemId: 'i1', qty: 3 }],
      note: null,
      pickupPointId: null,
      phone: null,
      status: 'active',
      createdAt: T0,
      updatedAt: T0,
      version: 1,
    };
    await expect(h.db.doc.send(new PutCommand(putEntry(h.db.tableName, late)))).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });
    // The user whose join died is not stuck with ALREADY_JOINED: their new join is judged on stock
    // (all 5 units are taken now: 2 + 3).
    expect((await join(c.id, dead.token, 1)).body.error.code).toBe('SOLD_OUT');
  });

  it('settling after the deadline heals it automatically and bills only real entries', async () => {
    const c = await scarceCampaign();
    const dead = await h.login('crash3');
    await crashedJoin(c.id, dead.userId, 2, 2);
    const a = await h.login('crash3-a');
    await join(c.id, a.token, 1);
    h.clock.set('2026-12-03T12:00:00.000Z');
    h.clock.advance(JOIN_LEASE_MS + 1);
    const settled = await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token });
    expect(settled.status).toBe(200);
    expect(settled.body).toMatchObject({ entryCount: 1, total: 3000, items: [{ quantity: 1 }] });
    expect(settled.body.entries.map((e: any) => e.seq)).toEqual([2]);
  });

  it('a retry that comes back after repair voided its number releases nothing twice', async () => {
    const c = await scarceCampaign();
    const m = await h.login('crash4');
    await crashedJoin(c.id, m.userId, 2, 2, 'late-key');
    const other = await h.login('crash4-other');
    await join(c.id, other.token, 1);
    h.clock.advance(JOIN_LEASE_MS + 1);
    await repairCampaign(h.db, (await requireCampaign(h.db, c.id)).def);
    const before = await expectInvariants(h, c.id, leader.token);
    expect(before.campaign.items[0]).toMatchObject({ sold: 1, remaining: 4 });
    // The same request comes back: its number was voided and its units recounted by repair.
    const late = await h.call('POST', `/campaigns/${c.id}/entries`, {
      token: m.token,
      body: { items: [{ itemId: 'i1', qty: 2 }] },
      headers: { 'idempotency-key': 'late-key' },
    });
    expect(late.status).toBe(409);
    const after = await expectInvariants(h, c.id, leader.token);
    expect(after.campaign.items[0]).toMatchObject({ sold: 1, remaining: 4 });
    expect(after.entries.map((e) => [e.seq, e.status])).toEqual([
      [1, 'cancelled'],
      [2, 'active'],
    ]);
  });

  it('repair on a healthy campaign changes nothing', async () => {
    const c = await scarceCampaign();
    const a = await h.login('healthy-a');
    await join(c.id, a.token, 2);
    const report = await repairCampaign(h.db, (await requireCampaign(h.db, c.id)).def);
    expect(report).toMatchObject({ holesFilled: [], claimsTombstoned: 0, countersRewritten: false });
  });
});

describe('a household join that died in slot 1', () => {
  it('after its claim: the slot is taken over once the lease runs out; after its number: repair voids it and frees the units', async () => {
    h.clock.set(T0);
    const c = await h.createCampaign(leader.token, {
      minParticipants: 1,
      maxEntriesPerUser: 2,
      items: [{ name: '山竹', unitPrice: 3000, stock: 5 }],
    });
    const m = await h.login('crash-house');
    expect((await join(c.id, m.token, 1)).status).toBe(201); // slot 0
    await crashedJoin(c.id, m.userId, 1, 1, undefined, 1);
    expect((await join(c.id, m.token, 1)).status).toBe(409); // slot 1 in flight, as far as anyone can tell
    h.clock.advance(JOIN_LEASE_MS + 1);
    const retry = await join(c.id, m.token, 1);
    expect(retry.status, retry.text).toBe(201);
    expect(retry.body.seq).toBe(2);
    await expectInvariants(h, c.id, leader.token);

    const n = await h.login('crash-house-2');
    expect((await join(c.id, n.token, 1)).status).toBe(201);
    const dead = await crashedJoin(c.id, n.userId, 2, 2, undefined, 1);
    // Within the lease repair sees the slot's claim in flight and waits, as for slot 0.
    await expect(repairCampaign(h.db, (await requireCampaign(h.db, c.id)).def, 200)).rejects.toMatchObject({ code: 'CONFLICT' });
    h.clock.advance(JOIN_LEASE_MS + 1);
    const report = await repairCampaign(h.db, (await requireCampaign(h.db, c.id)).def);
    expect(report.holesFilled).toEqual([dead.seq]);
    expect(report.countersRewritten).toBe(true);
    const { campaign } = await expectInvariants(h, c.id, leader.token);
    expect(campaign.items[0].sold).toBe(3);
  });
});
