import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CallResult, type Harness, harness, T0 } from '../helpers/harness.js';
import { expectInvariants } from '../helpers/invariants.js';
import {
  type Account,
  accounts,
  bodyErrors,
  bodyHash,
  type CampaignCfg,
  campaignCfgArb,
  campaignRequest,
  countOutcome,
  describeResult,
  errorCode,
  expectedSettlement,
  expectLinePricesFinal,
  expectSettlementPagesEqual,
  itemId,
  type JoinBody,
  type Line,
  linesArb,
  NOTES,
  printOutcomeStats,
  projectSettlement,
  validLinesArb,
} from './support.js';

/**
 * Concurrent variant: after a few sequential joins (some cancelled), one batch of 20–60 requests
 * (joins with Idempotency-Keys from a small pool and bodies from a small pool, so that duplicate
 * taps and same-key retries with the same and with other bodies collide; changes and cancels of
 * the earlier entries by their owners and the leader; sometimes a close and a settle in the
 * middle; reads) is fired at once with Promise.all. Which requests win is not predictable, so
 * afterwards we check what must hold whatever the interleaving:
 *
 *  - no 5xx; each response's code is one the contract allows for that request; a request whose
 *    body alone is invalid is never accepted;
 *  - every invariant of the contract on the final state (sold, remaining ≥ 0, one active entry per
 *    user, perPersonLimit, seq 1..N without holes);
 *  - accepted joins = entries: N = entries before the batch + fresh 201s of the batch, the fresh
 *    ones hold exactly the numbers after those, each with its request's user and items;
 *  - at most one new entry per user; one Idempotency-Key (per user) answers with one entry only,
 *    the earlier join's when the key was used before the batch; 422 only when that key was sent
 *    with another body; ALREADY_JOINED names an existing entry of that user;
 *  - no false SOLD_OUT: for a rejected request of q units of item i, the final remaining of i is
 *    < q + (units of i that successful cancels/changes of the batch could have given back). With
 *    no such cancels or changes, that is: the final state really has fewer than q left;
 *  - a settlement (in the batch or after it) equals the one computed from the final active
 *    entries, and repeats identically.
 */

/** PROPERTY_RUNS=n for a longer soak; the default keeps the suite quick on two cores. */
const NUM_RUNS = Number(process.env.PROPERTY_RUNS ?? 10);
/**
 * After this, fast-check stops and reports what it has (a failure found by then still comes with
 * its seed and the counterexample shrunk so far) before vitest's timeout could kill it silently.
 */
const TIME_LIMIT_MS = Number(process.env.PROPERTY_TIME_LIMIT_MS ?? 150_000);

interface PreJoin {
  join: boolean;
  body: number;
  key: string | undefined;
  cancel: boolean;
}

type Op =
  | { kind: 'join'; user: number; body: number; key: string | undefined; note: string | undefined }
  | { kind: 'patch'; user: number; items: Line[] | undefined; note: string | undefined }
  | { kind: 'cancel'; user: number }
  | { kind: 'leaderCancel'; pick: number }
  | { kind: 'close' }
  | { kind: 'settle' }
  | { kind: 'getCampaign' }
  | { kind: 'list' };

interface Scenario {
  cfg: CampaignCfg;
  bodies: Line[][];
  pre: PreJoin[];
  ops: Op[];
}

const KEYS = ['k1', 'k2'] as const;

function scenarioArb(): fc.Arbitrary<Scenario> {
  return campaignCfgArb.chain((cfg) => {
    const user = fc.integer({ min: 0, max: cfg.users - 1 });
    const key = fc.option(fc.constantFrom(...KEYS), { nil: undefined, freq: 3 });
    const bodyIdx = fc.oneof({ weight: 4, arbitrary: fc.nat(1) }, { weight: 1, arbitrary: fc.constant(2) });
    const op: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 12,
        arbitrary: fc.record({
          kind: fc.constant('join' as const),
          user,
          body: bodyIdx,
          key,
          note: fc.option(fc.constantFrom(...NOTES), { nil: undefined, freq: 4 }),
        }),
      },
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant('patch' as const),
          user,
          items: fc.option(fc.oneof({ weight: 4, arbitrary: validLinesArb(cfg) }, { weight: 1, arbitrary: linesArb(cfg) }), {
            nil: undefined,
            freq: 5,
          }),
          note: fc.option(fc.constantFrom(...NOTES), { nil: undefined }),
        }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), user }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('leaderCancel' as const), pick: fc.nat(20) }) },
      { weight: 1, arbitrary: fc.constantFrom({ kind: 'getCampaign' as const }, { kind: 'list' as const }) },
    );
    return fc
      .record({
        cfg: fc.constant(cfg),
        // two bodies within the limits, one anything (often over a limit, or malformed)
        bodies: fc.tuple(validLinesArb(cfg), validLinesArb(cfg), linesArb(cfg)),
        pre: fc.array(
          fc.record({
            join: fc.oneof({ weight: 2, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
            body: fc.nat(1),
            key,
            cancel: fc.boolean(),
          }),
          { minLength: cfg.users, maxLength: cfg.users },
        ),
        ops: fc.array(op, { minLength: 20, maxLength: 60 }),
        // about one batch in three has the leader closing, one in three settling, in the middle of it
        closeAt: fc.oneof({ weight: 1, arbitrary: fc.nat() }, { weight: 2, arbitrary: fc.constant(undefined) }),
        settleAt: fc.oneof({ weight: 1, arbitrary: fc.nat() }, { weight: 2, arbitrary: fc.constant(undefined) }),
      })
      .map(({ cfg, bodies, pre, ops, closeAt, settleAt }) => {
        const all = [...ops];
        if (closeAt !== undefined) all.splice(closeAt % (all.length + 1), 0, { kind: 'close' });
        if (settleAt !== undefined) all.splice(settleAt % (all.length + 1), 0, { kind: 'settle' });
        return { cfg, bodies, pre, ops: all };
      });
  });
}

let h: Harness;
let leader: Account;
let members: Account[];

beforeAll(async () => {
  h = await harness();
  [leader] = (await accounts(h, 'conc-leader', 1)) as [Account];
  members = await accounts(h, 'conc-member', 8);
});
afterAll(() => printOutcomeStats('concurrent property: outcomes'));

function allowed(res: CallResult, codes: Array<string | number>, what: string) {
  countOutcome(what, res);
  expect(res.status, `${what}: no 5xx (${describeResult(res)})`).toBeLessThan(500);
  expect(codes, `${what}: ${describeResult(res)}`).toContain(errorCode(res));
}

const joinBody = (s: Scenario, body: number, note: string | undefined): JoinBody => ({
  items: s.bodies[body]!,
  ...(note !== undefined ? { note } : {}),
});

async function runScenario(s: Scenario) {
  const { cfg } = s;
  h.clock.set(T0);
  const campaign = await h.createCampaign(leader.token, campaignRequest(cfg));
  const id = campaign.id as string;
  const users = members.slice(0, cfg.users);
  const entriesPath = `/campaigns/${id}/entries`;

  // Before the batch, one after another: some members join (some with a key), some cancel again.
  const pre = new Map<number, { id: string; key: string | undefined; hash: string; items: Line[] }>();
  for (const [u, p] of s.pre.entries()) {
    if (!p.join) continue;
    const body = joinBody(s, p.body, undefined);
    const res = await h.call('POST', entriesPath, { token: users[u]!.token, body, headers: p.key ? { 'idempotency-key': p.key } : {} });
    if (res.status !== 201) continue;
    pre.set(u, { id: res.body.id, key: p.key, hash: bodyHash(body), items: body.items });
    if (p.cancel) expect((await h.call('DELETE', `${entriesPath}/${res.body.id}`, { token: users[u]!.token })).status).toBe(200);
  }
  const before = await expectInvariants(h, id, leader.token);
  const preCount = before.entries.length;
  const preById = new Map(before.entries.map((e) => [e.id as string, e]));

  // The batch: every request starts before any is answered.
  const hasClose = s.ops.some((o) => o.kind === 'close');
  // changes and own cancels come mostly from members whose earlier entry is still active
  const activeOwners = [...pre].filter(([, p]) => preById.get(p.id)?.status === 'active').map(([u]) => u);
  const owner = (u: number) => (activeOwners.length && u % 4 !== 3 ? activeOwners[u % activeOwners.length]! : u);
  // biome-ignore lint/suspicious/useIterableCallbackReturn: the switch covers every Op kind; tsc checks the return type
  const requests = s.ops.map((op): { op: Op; body?: JoinBody; entryId?: string; promise: Promise<CallResult> } => {
    switch (op.kind) {
      case 'join': {
        const body = joinBody(s, op.body, op.note);
        return {
          op,
          body,
          promise: h.call('POST', entriesPath, {
            token: users[op.user]!.token,
            body,
            headers: op.key ? { 'idempotency-key': op.key } : {},
          }),
        };
      }
      case 'patch': {
        const u = owner(op.user);
        const entryId = pre.get(u)?.id ?? 'e_no_such_entry';
        const body = { ...(op.items ? { items: op.items } : {}), ...(op.note !== undefined ? { note: op.note } : {}) };
        return { op, entryId, promise: h.call('PATCH', `${entriesPath}/${entryId}`, { token: users[u]!.token, body }) };
      }
      case 'cancel': {
        const u = owner(op.user);
        const entryId = pre.get(u)?.id ?? 'e_no_such_entry';
        return { op, entryId, promise: h.call('DELETE', `${entriesPath}/${entryId}`, { token: users[u]!.token }) };
      }
      case 'leaderCancel': {
        const ids = [...preById.keys()];
        const entryId = ids.length ? ids[op.pick % ids.length]! : 'e_no_such_entry';
        return { op, entryId, promise: h.call('DELETE', `${entriesPath}/${entryId}`, { token: leader.token }) };
      }
      case 'close':
        return { op, promise: h.call('POST', `/campaigns/${id}/close`, { token: leader.token }) };
      case 'settle':
        return { op, promise: h.call('POST', `/campaigns/${id}/settle`, { token: leader.token }) };
      case 'getCampaign':
        return { op, promise: h.call('GET', `/campaigns/${id}`) };
      case 'list':
        return { op, promise: h.call('GET', `${entriesPath}?limit=100`, { token: leader.token }) };
    }
  });
  const results = await Promise.all(requests.map((r) => r.promise));
  const done = requests.map((r, i) => ({ ...r, res: results[i]! }));

  // ---- each response on its own
  const notOpen = hasClose ? ['CAMPAIGN_NOT_OPEN'] : [];
  for (const { op, body, entryId, res } of done) {
    switch (op.kind) {
      case 'join': {
        const invalid = bodyErrors(cfg, body!.items);
        if (invalid.size > 0) {
          allowed(res, [...invalid, 'ALREADY_JOINED', 'IDEMPOTENCY_KEY_REUSED', 'CONFLICT', ...notOpen], 'join (invalid body)');
        } else allowed(res, [201, 'SOLD_OUT', 'ALREADY_JOINED', 'IDEMPOTENCY_KEY_REUSED', 'CONFLICT', ...notOpen], 'join');
        break;
      }
      case 'patch': {
        const invalid = op.items ? [...bodyErrors(cfg, op.items)] : [];
        const ghost = entryId === 'e_no_such_entry';
        if (invalid.length > 0 || ghost)
          allowed(res, [...invalid, 'NOT_FOUND', 'INVALID_STATE', 'CONFLICT', 'SOLD_OUT', ...notOpen], 'patch (invalid)');
        else allowed(res, [200, 'SOLD_OUT', 'INVALID_STATE', 'CONFLICT', ...notOpen], 'patch');
        break;
      }
      case 'cancel':
      case 'leaderCancel':
        allowed(res, entryId === 'e_no_such_entry' ? ['NOT_FOUND'] : [200, 'INVALID_STATE', 'CONFLICT', ...notOpen], op.kind);
        if (res.status === 200) expect(res.body).toMatchObject({ id: entryId, status: 'cancelled' });
        break;
      case 'close':
        allowed(res, [200], 'close');
        break;
      case 'settle':
        allowed(res, [200, 'INVALID_STATE', 'CONFLICT'], 'settle');
        break;
      case 'getCampaign': {
        allowed(res, [200], 'read');
        for (const item of res.body.items) {
          expect(item.sold).toBeGreaterThanOrEqual(0);
          if (item.stock !== null) expect(item.remaining).toBe(item.stock - item.sold);
          if (item.stock !== null) expect(item.remaining, 'remaining ≥ 0 at every moment').toBeGreaterThanOrEqual(0);
        }
        expect(res.body.participantCount).toBeGreaterThanOrEqual(0);
        expect(res.body.participantCount).toBeLessThanOrEqual(cfg.users);
        break;
      }
      case 'list': {
        allowed(res, [200], 'read');
        const seqs = res.body.entries.map((e: any) => e.seq);
        expect(seqs, 'seq strictly increasing').toEqual([...new Set<number>(seqs)].sort((a, b) => a - b));
        break;
      }
    }
  }

  // ---- the final state
  const { entries, active } = await expectInvariants(h, id, leader.token);
  const byId = new Map(entries.map((e) => [e.id as string, e]));
  for (const e of entries) expect(e.userId, `seq ${e.seq} is a real entry, not a void line`).toBeTruthy();
  for (const e of before.entries) {
    const now = byId.get(e.id)!;
    expect({ id: now.id, seq: now.seq, userId: now.userId }, 'earlier entries keep their numbers').toEqual({
      id: e.id,
      seq: e.seq,
      userId: e.userId,
    });
  }

  const joins = done.filter((d) => d.op.kind === 'join') as Array<(typeof done)[number] & { op: Extract<Op, { kind: 'join' }> }>;
  const fresh = joins.filter((d) => d.res.status === 201 && d.res.headers.get('idempotent-replayed') !== 'true');
  expect(entries.length, 'every entry is an acknowledged join: N = entries before + fresh 201s').toBe(preCount + fresh.length);
  expect(
    fresh.map((d) => d.res.body.seq).sort((a, b) => a - b),
    'the batch took exactly the numbers after the earlier ones',
  ).toEqual(Array.from({ length: fresh.length }, (_, i) => preCount + i + 1));
  for (const d of fresh) {
    const e = byId.get(d.res.body.id);
    expect(e, `accepted join ${d.res.body.id} is in the list`).toBeDefined();
    expect({ seq: e.seq, userId: e.userId, items: e.items, status: e.status }).toEqual({
      seq: d.res.body.seq,
      userId: users[d.op.user]!.userId,
      items: d.body!.items,
      status: 'active',
    });
  }
  const freshPerUser = new Map<number, number>();
  for (const d of fresh) freshPerUser.set(d.op.user, (freshPerUser.get(d.op.user) ?? 0) + 1);
  for (const [u, n] of freshPerUser) expect(n, `u${u}: at most one new entry in the batch`).toBe(1);

  // Idempotency-Key: one key, one entry; the earlier one if the key was used before the batch
  const byKey = new Map<string, typeof joins>();
  for (const d of joins) if (d.op.key) byKey.set(`${d.op.user}/${d.op.key}`, [...(byKey.get(`${d.op.user}/${d.op.key}`) ?? []), d]);
  for (const [k, ds] of byKey) {
    const ok = ds.filter((d) => d.res.status === 201);
    const ids = new Set(ok.map((d) => d.res.body.id));
    expect(ids.size, `key ${k}: every 201 is the same entry`).toBeLessThanOrEqual(1);
    expect(new Set(ok.map((d) => bodyHash(d.body!))).size, `key ${k}: 201s only for one body`).toBeLessThanOrEqual(1);
    const earlier = pre.get(ds[0]!.op.user);
    if (earlier && earlier.key === ds[0]!.op.key) {
      for (const d of ok) expect(d.res.body.id, `key ${k} was used before the batch: its entry`).toBe(earlier.id);
      for (const d of ds) if (bodyHash(d.body!) !== earlier.hash) expect(d.res.status, `key ${k} with another body`).not.toBe(201);
    }
    for (const d of ds.filter((x) => errorCode(x.res) === 'IDEMPOTENCY_KEY_REUSED')) {
      const otherBody =
        ds.some((x) => bodyHash(x.body!) !== bodyHash(d.body!)) ||
        (earlier !== undefined && earlier.key === d.op.key && earlier.hash !== bodyHash(d.body!));
      expect(otherBody, `key ${k}: 422 only when the key came with another body`).toBe(true);
    }
  }
  for (const d of joins.filter((x) => errorCode(x.res) === 'ALREADY_JOINED')) {
    const e = byId.get(d.res.body.error.details?.entryId);
    expect(e?.userId, `ALREADY_JOINED names an existing entry of that user (${describeResult(d.res)})`).toBe(users[d.op.user]!.userId);
  }

  // No false SOLD_OUT
  const released = new Map<string, number>();
  const touched = done.filter(
    (d) => (d.op.kind === 'cancel' || d.op.kind === 'leaderCancel' || d.op.kind === 'patch') && d.res.status === 200,
  );
  for (const d of touched) {
    const e0 = preById.get(d.entryId!);
    if (!e0) continue;
    // each successful change or cancel of e gives back at most the most e ever held of the item
    const patches = done.filter((x) => x.op.kind === 'patch' && x.entryId === d.entryId && x.res.status === 200);
    for (let i = 0; i < cfg.items.length; i++) {
      const most = Math.max(
        e0.items.find((l: Line) => l.itemId === itemId(i))?.qty ?? 0,
        ...patches.map((x) => (x.res.body.items as Line[]).find((l) => l.itemId === itemId(i))?.qty ?? 0),
      );
      released.set(itemId(i), (released.get(itemId(i)) ?? 0) + most);
    }
  }
  const finalCampaign = (await h.call('GET', `/campaigns/${id}`)).body;
  for (const d of done.filter((x) => errorCode(x.res) === 'SOLD_OUT')) {
    const { itemId: item, remaining, requested } = d.res.body.error.details;
    expect(remaining, `SOLD_OUT was true when decided: ${describeResult(d.res)}`).toBeLessThan(requested);
    const final = finalCampaign.items.find((i: any) => i.id === item);
    expect(final.remaining, `no false SOLD_OUT (${describeResult(d.res)}; released ≤ ${released.get(item) ?? 0})`).toBeLessThan(
      requested + (released.get(item) ?? 0),
    );
  }

  // Settlement: the one made in the batch (if any) and the one made now agree with the final entries
  const expected = expectedSettlement(
    cfg,
    id,
    active.map((e) => ({ id: e.id, seq: e.seq, userId: e.userId, items: e.items })),
  );
  const settledInBatch = done.find((d) => d.op.kind === 'settle' && d.res.status === 200)?.res.body;
  if (settledInBatch)
    expect(projectSettlement(settledInBatch), 'the settlement made during the batch is that of the final entries').toEqual(expected);
  if (finalCampaign.status === 'open') expect((await h.call('POST', `/campaigns/${id}/close`, { token: leader.token })).status).toBe(200);
  const settled = await h.call('POST', `/campaigns/${id}/settle`, { token: leader.token });
  expect(settled.status, describeResult(settled)).toBe(200);
  expect(projectSettlement(settled.body)).toEqual(expected);
  expectLinePricesFinal(settled.body);
  if (settledInBatch) expect(settled.body).toEqual(settledInBatch);
  const again = await h.call('POST', `/campaigns/${id}/settle`, { token: leader.token });
  expect(again.body, 'settling again returns the same settlement').toEqual(settled.body);
  await expectSettlementPagesEqual(h, id, leader.token, settled.body, 3);
  // and the list is frozen now (a member with an active entry may hear ALREADY_JOINED first)
  const late = await h.call('POST', entriesPath, { token: users[0]!.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
  const hasActive = active.some((e) => e.userId === users[0]!.userId);
  expect(hasActive ? ['CAMPAIGN_NOT_OPEN', 'ALREADY_JOINED'] : ['CAMPAIGN_NOT_OPEN'], describeResult(late)).toContain(errorCode(late));
  expect((await expectInvariants(h, id, leader.token)).entries).toEqual(entries);
}

describe('property: concurrent batches of requests', () => {
  it(
    'whatever the interleaving, the final state keeps every invariant and agrees with the responses',
    async () => {
      await fc.assert(fc.asyncProperty(scenarioArb(), runScenario), {
        numRuns: NUM_RUNS,
        interruptAfterTimeLimit: TIME_LIMIT_MS,
        markInterruptAsFailure: false,
      });
    },
    TIME_LIMIT_MS + 30_000,
  );
});
