import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FaultInjector, type FaultKind } from '../helpers/faults.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';
import { expectInvariants } from '../helpers/invariants.js';

/**
 * DynamoDB failures injected below the SDK's retry layer (see helpers/faults.ts). After retries,
 * by the SDK or by the client with the same Idempotency-Key: no acknowledged join lost, no stock
 * leaked, no duplicate entry, numbers still 1..N.
 */
const faults = new FaultInjector();
let h: Harness;
let leader: { token: string; userId: string };

beforeAll(async () => {
  h = await harness({ faults });
  leader = await h.login('leader', '团长');
});
beforeEach(() => faults.clear());

// The injector sees marshalled requests: attribute values are {S: ...}.
const isClaim = (input: any) => String(input.Key?.sk?.S).startsWith('MEMBER#') && String(input.UpdateExpression).includes('#state = :held');
const isReserve = (input: any) => input.Key?.sk?.S === '#STATE' && String(input.UpdateExpression).includes('#seq = #seq + :one');
const isEntry = (input: any) => input.Item?.type?.S === 'entry';

const steps: Array<[string, string, (input: any) => boolean]> = [
  ['claim', 'UpdateItemCommand', isClaim],
  ['reserve', 'UpdateItemCommand', isReserve],
  ['entry', 'PutItemCommand', isEntry],
];

async function campaign(stock = 40) {
  h.clock.set(T0);
  return h.createCampaign(leader.token, { minParticipants: 1, items: [{ name: '草莓', unitPrice: 2500, stock, perPersonLimit: 3 }] });
}

async function members(prefix: string, n: number) {
  return Promise.all(Array.from({ length: n }, (_, i) => h.login(`${prefix}-${i}`)));
}

/** Join, retrying like a mini-program would on 5xx: same body, same Idempotency-Key. */
async function joinWithRetries(campaignId: string, token: string, key: string, qty = 1) {
  for (let attempt = 0; ; attempt++) {
    const res = await h.call('POST', `/campaigns/${campaignId}/entries`, {
      token,
      body: { items: [{ itemId: 'i1', qty }] },
      headers: { 'idempotency-key': key },
    });
    if (res.status < 500 || attempt >= 5) return res;
  }
}

describe.each(steps)('a fault at the %s step', (step, command, when) => {
  it.each<FaultKind>(['error', 'lost'])('%s on the first attempts: every join lands once, numbers stay 1..N', async (kind) => {
    const c = await campaign();
    const ms = await members(`${step}-${kind}`, 20);
    faults.add(command, kind, 8, when);
    const results = await Promise.all(ms.map((m, i) => joinWithRetries(c.id, m.token, `k-${i}`)));
    expect(faults.injected.length).toBeGreaterThan(0);
    expect(results.map((r) => r.status)).toEqual(ms.map(() => 201));
    const { active, campaign: after } = await expectInvariants(h, c.id, leader.token);
    expect(active).toHaveLength(20);
    expect(after.items[0]).toMatchObject({ sold: 20, remaining: 20 });
    expect(new Set(results.map((r) => r.body.id)).size).toBe(20);
  });
});

describe('faults at a household slot claim (slot k ≥ 1)', () => {
  const isSlotClaim = (input: any) =>
    String(input.Key?.sk?.S).startsWith('MEMBER#') && String(input.UpdateExpression).includes('#slot = :claim');
  it.each<FaultKind>(['error', 'lost'])('%s: each key lands once, in its own slot, at most 3 per member', async (kind) => {
    h.clock.set(T0);
    const c = await h.createCampaign(leader.token, {
      minParticipants: 1,
      maxEntriesPerUser: 3,
      items: [{ name: '草莓', unitPrice: 2500, stock: 100, perPersonLimit: 3 }],
    });
    const ms = await members(`slot-${kind}`, 8);
    faults.add('UpdateItemCommand', kind, 10, isSlotClaim);
    // Each member sends three keys at once: the second and third go to slots 1 and 2.
    const results = await Promise.all(ms.flatMap((m, i) => [0, 1, 2].map((j) => joinWithRetries(c.id, m.token, `h-${i}-${j}`))));
    expect(faults.injected.length).toBeGreaterThan(0);
    const codes = results.map((r) => (r.status === 201 ? 201 : r.body.error.code));
    expect(
      codes.filter((code) => code !== 201 && code !== 'CONFLICT'),
      JSON.stringify(codes),
    ).toEqual([]);
    const { active } = await expectInvariants(h, c.id, leader.token);
    const accepted = results.filter((r) => r.status === 201);
    expect(new Set(accepted.map((r) => r.body.id)).size).toBe(accepted.length);
    expect(active).toHaveLength(accepted.length);
    // A CONFLICT is a retry later, with the same key: it lands then, once.
    const late = await Promise.all(
      results.flatMap((r, n) =>
        r.status === 201 ? [] : [joinWithRetries(c.id, ms[Math.floor(n / 3)]!.token, `h-${Math.floor(n / 3)}-${n % 3}`)],
      ),
    );
    expect(late.map((r) => r.status)).toEqual(late.map(() => 201));
    const after = await expectInvariants(h, c.id, leader.token);
    expect(after.active).toHaveLength(24);
  });
});

describe('a reserve whose every attempt is lost after committing', () => {
  it('is recognized by the join ring: one number, one entry, no leaked stock', async () => {
    const c = await campaign();
    const [m] = await members('ring', 1);
    faults.add('UpdateItemCommand', 'lost', 3, isReserve); // all 3 SDK attempts commit, all responses lost
    const res = await joinWithRetries(c.id, m!.token, 'ring-key', 2);
    expect(res.status).toBe(201);
    expect(res.body.seq).toBe(1);
    const { campaign: after } = await expectInvariants(h, c.id, leader.token);
    expect(after.items[0]).toMatchObject({ sold: 2, remaining: 38 });
  });
});

describe('a database that stays down', () => {
  it('answers 503 with Retry-After, writes nothing half, and the same key succeeds later', async () => {
    const c = await campaign();
    const [m] = await members('down', 1);
    faults.add('UpdateItemCommand', 'error', 3, isReserve);
    const down = await h.call('POST', `/campaigns/${c.id}/entries`, {
      token: m!.token,
      body: { items: [{ itemId: 'i1', qty: 1 }] },
      headers: { 'idempotency-key': 'down-1' },
    });
    expect(down.status).toBe(503);
    expect(down.body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(down.headers.get('retry-after')).toBe('1');
    const before = await expectInvariants(h, c.id, leader.token);
    expect(before.entries).toHaveLength(0);
    const later = await h.call('POST', `/campaigns/${c.id}/entries`, {
      token: m!.token,
      body: { items: [{ itemId: 'i1', qty: 1 }] },
      headers: { 'idempotency-key': 'down-1' },
    });
    expect(later.status).toBe(201);
    expect(later.body.seq).toBe(1);
  });
});

describe('transaction conflicts (real DynamoDB cancels one of two transactions on an item)', () => {
  it('changes and cancels retry through injected conflicts and keep every invariant', async () => {
    const c = await campaign();
    const ms = await members('tx', 12);
    const entries = await Promise.all(ms.map((m, i) => joinWithRetries(c.id, m.token, `tx-${i}`)));
    faults.add('TransactWriteItemsCommand', 'conflict', 15);
    const ops = await Promise.all(
      ms.map((m, i) =>
        i % 2 === 0
          ? h.call('PATCH', `/campaigns/${c.id}/entries/${entries[i]!.body.id}`, {
              token: m.token,
              body: { items: [{ itemId: 'i1', qty: 3 }] },
            })
          : h.call('DELETE', `/campaigns/${c.id}/entries/${entries[i]!.body.id}`, { token: m.token }),
      ),
    );
    expect(faults.injected.filter((f) => f.kind === 'conflict').length).toBe(15);
    expect(ops.map((r) => r.status)).toEqual(ms.map(() => 200));
    const { active, campaign: after } = await expectInvariants(h, c.id, leader.token);
    expect(active).toHaveLength(6);
    expect(after.items[0]).toMatchObject({ sold: 18, remaining: 22 });
  });

  it('creating and settling a campaign retry through conflicts too', async () => {
    faults.add('TransactWriteItemsCommand', 'conflict', 2);
    const c = await campaign();
    const [m] = await members('txs', 1);
    await joinWithRetries(c.id, m!.token, 'x');
    await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token });
    faults.add('TransactWriteItemsCommand', 'conflict', 2);
    const settled = await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token });
    expect(settled.status).toBe(200);
    expect(settled.body).toMatchObject({ status: 'settled', entryCount: 1, total: 2500 });
  });
});

describe('an entry write that keeps failing after the number was taken', () => {
  it('answers 503, and the retry with the same key resumes the same join from the ring: same number, no hole', async () => {
    const c = await campaign();
    const [a, b] = await members('resume', 2);
    // every attempt of the entry write fails: the SDK's 3, times our 4 rounds
    faults.add('PutItemCommand', 'error', 12, isEntry);
    const first = await h.call('POST', `/campaigns/${c.id}/entries`, {
      token: a!.token,
      body: { items: [{ itemId: 'i1', qty: 2 }] },
      headers: { 'idempotency-key': 'resume-1' },
    });
    expect(first.status).toBe(503);
    faults.clear();
    const other = await h.call('POST', `/campaigns/${c.id}/entries`, { token: b!.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    expect(other.body.seq).toBe(2);
    const retry = await h.call('POST', `/campaigns/${c.id}/entries`, {
      token: a!.token,
      body: { items: [{ itemId: 'i1', qty: 2 }] },
      headers: { 'idempotency-key': 'resume-1' },
    });
    expect(retry.status).toBe(201);
    expect(retry.body.seq).toBe(1);
    const { entries, campaign: after } = await expectInvariants(h, c.id, leader.token);
    expect(entries.map((e) => [e.seq, e.status])).toEqual([
      [1, 'active'],
      [2, 'active'],
    ]);
    expect(after.items[0]).toMatchObject({ sold: 3, remaining: 37 });
  });
});
