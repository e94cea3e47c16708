import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { getCampaign } from '../../shared/campaigns/index.js';
import { EMPTY_BOOK, getMembership, type MemberBook } from '../../shared/communities/index.js';
import { addCounters, type Counters, shanghaiDay, zeroCounters } from '../../shared/domain/index.js';
import { allEntries } from '../../shared/entries/index.js';
import { sweepAndWork } from '../../shared/jobs/index.js';
import { createLogger } from '../../shared/logger.js';
import { communityNumbers, recordRefund } from '../../shared/numbers/index.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';

/**
 * The member book and the community's numbers are kept by events (fold, pickups, refunds,
 * no-shows); here random histories of a community's campaigns (members join, change, cancel; the
 * campaign settles or fails; pickups before and after the fold, refunds, a closed pickup, a member
 * erased) are recomputed naively from the entries themselves and the refunds and closes the
 * history made, and the stored book and numbers must equal that recomputation.
 */
type Step =
  | { kind: 'join'; member: number; qty: number; item: 'i1' | 'i2' }
  | { kind: 'change'; member: number; qty: number }
  | { kind: 'cancel'; member: number };
type After = { kind: 'pickup'; member: number } | { kind: 'refund'; member: number; full: boolean } | { kind: 'close' };

interface CampaignPlan {
  gapDays: number;
  minParticipants: number;
  steps: Step[];
  pickupBeforeFold: number | null;
  after: After[];
}

const MEMBERS = 4;
const member = fc.nat(MEMBERS - 1);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('join' as const),
      member,
      qty: fc.integer({ min: 1, max: 3 }),
      item: fc.constantFrom('i1' as const, 'i2' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('change' as const), member, qty: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), member }) },
);
const afterArb: fc.Arbitrary<After> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('pickup' as const), member }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('refund' as const), member, full: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const) }) },
);
const planArb: fc.Arbitrary<CampaignPlan> = fc.record({
  gapDays: fc.constantFrom(1, 20, 45, 100),
  minParticipants: fc.constantFrom(1, 1, 1, 3),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 8 }),
  pickupBeforeFold: fc.option(member),
  after: fc.array(afterArb, { maxLength: 6 }),
});
const historyArb = fc.record({
  campaigns: fc.array(planArb, { minLength: 1, maxLength: 3 }),
  erase: fc.option(fc.record({ member, afterCampaign: fc.nat(2) })),
});

const PRICES: Record<string, number> = { i1: 3990, i2: 1000 };
const DAY = 86_400_000;
const logger = createLogger('silent');

let h: Harness;
let owner: { token: string; userId: string };
let run = 0;
/** what the runs exercised: the property must have seen each at least once */
const seen = { returning: 0, repeat30: 0, pickupsBeforeFold: 0, noShows: 0, refunds: 0, erased: 0, failed: 0 };

beforeAll(async () => {
  h = await harness();
  owner = await h.login('np-owner', '团长');
});

// The naive model keeps the same shape as the stored book (shared/communities MemberBook).
type Book = MemberBook;
const emptyBook = (): Book => ({ ...EMPTY_BOOK });

async function ok(method: string, path: string, token: string, status: number, body?: unknown) {
  const res = await h.call(method, path, { token, ...(body !== undefined ? { body } : {}) });
  expect(res.status, `${method} ${path}: ${res.text.slice(0, 200)}`).toBe(status);
  return res;
}

type History = typeof historyArb extends fc.Arbitrary<infer T> ? T : never;

async function playAndCheck(history: History) {
  const r = run++;
  h.clock.set(T0);
  const users = await Promise.all(Array.from({ length: MEMBERS }, (_, i) => h.login(`np${r}-${i}`, `团友${i}`)));
  const communityId = (await ok('POST', '/communities', owner.token, 201, { name: `社群${r}` })).body.id as string;
  // Two of them stand in the community; the others only buy (customers of the member book).
  for (const u of users.slice(0, 2)) await ok('POST', `/communities/${communityId}/members`, u.token, 200, {});
  const erased = new Set<number>();
  const refunds = new Map<string, number>(); // entryId → fen the history refunded
  let refundNo = 0;
  const closed = new Set<string>();
  const campaignIds: string[] = [];
  let start = Date.parse(T0);
  for (const [k, plan] of history.campaigns.entries()) {
    start += plan.gapDays * DAY;
    h.clock.set(new Date(start).toISOString());
    const c = await h.createCampaign(owner.token, {
      title: `第${k}团`,
      communityId,
      minParticipants: plan.minParticipants,
      opensAt: new Date(start).toISOString(),
      closesAt: new Date(start + 2 * DAY).toISOString(),
      items: [
        { name: '葡萄', unitPrice: PRICES.i1, stock: 1000 },
        { name: '苹果', unitPrice: PRICES.i2, stock: 1000 },
      ],
      pickupPoints: [{ name: '门卫室' }],
    });
    campaignIds.push(c.id);
    const active = new Map<number, { id: string; item: string }>();
    for (const step of plan.steps) {
      if (erased.has(step.member)) continue;
      const u = users[step.member]!;
      h.clock.advance(60_000);
      const mine = active.get(step.member);
      if (step.kind === 'join' && !mine) {
        const res = await ok('POST', `/campaigns/${c.id}/entries`, u.token, 201, {
          items: [{ itemId: step.item, qty: step.qty }],
          pickupPointId: 'p1',
        });
        active.set(step.member, { id: res.body.id, item: step.item });
      } else if (step.kind === 'change' && mine) {
        await ok('PATCH', `/campaigns/${c.id}/entries/${mine.id}`, u.token, 200, { items: [{ itemId: mine.item, qty: step.qty }] });
      } else if (step.kind === 'cancel' && mine) {
        await ok('DELETE', `/campaigns/${c.id}/entries/${mine.id}`, u.token, 200);
        active.delete(step.member);
      }
    }
    await ok('POST', `/campaigns/${c.id}/close`, owner.token, 200);
    const settled = await ok('POST', `/campaigns/${c.id}/settle`, owner.token, 200);
    const succeeded = settled.body.status !== 'failed';
    if (!succeeded) seen.failed++;
    const pick = async (m: number) => {
      const e = active.get(m);
      if (!e || !succeeded) return;
      await ok('POST', `/campaigns/${c.id}/entries/${e.id}/pickup`, owner.token, 200);
    };
    if (plan.pickupBeforeFold !== null && active.has(plan.pickupBeforeFold) && succeeded) {
      await pick(plan.pickupBeforeFold);
      seen.pickupsBeforeFold++;
    }
    await sweepAndWork(h.db, logger, h.deps.money);
    for (const a of plan.after) {
      h.clock.advance(3_600_000);
      if (a.kind === 'pickup') await pick(a.member);
      else if (a.kind === 'close' && succeeded) {
        await ok('POST', `/campaigns/${c.id}/pickups/close`, owner.token, 200);
        closed.add(c.id);
      } else if (a.kind === 'refund') {
        const e = active.get(a.member);
        if (!e) continue;
        const folded = settled.body.entries.find((x: { entryId: string }) => x.entryId === e.id);
        const due = folded.amount - folded.pointsDiscount;
        const amount = a.full ? due - (refunds.get(e.id) ?? 0) : Math.max(1, Math.floor(due / 3));
        if (amount <= 0) continue;
        const counted = await recordRefund(h.db, c.id, e.id, amount, `ref-${refundNo++}`);
        expect(counted).toBe(succeeded);
        if (counted) {
          refunds.set(e.id, (refunds.get(e.id) ?? 0) + amount);
          seen.refunds++;
        }
      }
    }
    if (history.erase && history.erase.afterCampaign === k && !erased.has(history.erase.member)) {
      await ok('DELETE', '/me', users[history.erase.member]!.token, 200);
      erased.add(history.erase.member);
      seen.erased++;
    }
  }

  // The naive recomputation: campaigns in the order they were settled (and folded), from their entries.
  const books = new Map<string, Book>();
  let totals = zeroCounters();
  const daily = new Map<string, Counters>();
  const onDay = (day: string, c: Partial<Counters>) => daily.set(day, addCounters(daily.get(day) ?? zeroCounters(), c));
  for (const id of campaignIds) {
    const snapshot = (await getCampaign(h.db, id))!;
    if (snapshot.settlement!.status === 'failed') continue;
    const settleDay = shanghaiDay(snapshot.settlement!.settledAt);
    const byUser = new Map<string, Array<{ createdAt: string; qty: number; amount: number; picked: boolean; id: string }>>();
    for await (const e of allEntries(h.db, id)) {
      if (e.status !== 'active' || e.void) continue;
      const qty = e.items.reduce((s, l) => s + l.qty, 0);
      const amount = e.items.reduce((s, l) => s + l.qty * PRICES[l.itemId]!, 0);
      const picked = (e as { pickedUpAt?: string }).pickedUpAt !== undefined;
      byUser.set(e.userId, [...(byUser.get(e.userId) ?? []), { createdAt: e.createdAt, qty, amount, picked, id: e.id }]);
    }
    const c: Counters = { ...zeroCounters(), campaigns: 1 };
    for (const [userId, list] of byUser) {
      const book = books.get(userId) ?? emptyBook();
      const first = list.map((e) => e.createdAt).sort()[0]!;
      const last = list
        .map((e) => e.createdAt)
        .sort()
        .at(-1)!;
      const returning = book.campaigns > 0;
      const gap = returning && book.lastJoinAt ? Math.abs(Date.parse(first) - Date.parse(book.lastJoinAt)) : Number.POSITIVE_INFINITY;
      c.purchases++;
      if (returning) c.returning++;
      else c.newMembers++;
      if (gap <= 30 * DAY) c.repeat30++;
      if (gap <= 90 * DAY) c.repeat90++;
      book.campaigns++;
      book.firstJoinAt = book.firstJoinAt && book.firstJoinAt < first ? book.firstJoinAt : first;
      book.lastJoinAt = book.lastJoinAt && book.lastJoinAt > last ? book.lastJoinAt : last;
      for (const e of list) {
        c.entries++;
        c.units += e.qty;
        c.revenue += e.amount;
        book.units += e.qty;
        book.amount += e.amount;
        const refunded = refunds.get(e.id) ?? 0;
        book.refunded += refunded;
        totals.refunded += refunded;
        if (e.picked) {
          book.pickups++;
          totals.pickups++;
        } else if (closed.has(id)) {
          book.noShows++;
          totals.noShows++;
        }
      }
      books.set(userId, book);
    }
    totals = addCounters(totals, c);
    onDay(settleDay, { ...c, refunded: 0 });
    seen.returning += c.returning;
    seen.repeat30 += c.repeat30;
  }
  seen.noShows += totals.noShows;

  for (const [i, u] of users.entries()) {
    const m = await getMembership(h.db, communityId, u.userId);
    const expected = books.get(u.userId);
    if (!expected) {
      expect(m?.book?.campaigns ?? 0, `user ${i}`).toBe(0);
      continue;
    }
    expect(m?.book, `user ${i}`).toEqual(expected);
    if (erased.has(i)) {
      expect(m?.nickname).toBe('已注销用户');
      expect(m?.note).toBeUndefined();
    }
  }
  const numbers = await communityNumbers(h.db, communityId, 366, h.clock.now());
  expect(numbers.totals).toEqual(totals);
  // The days hold what the totals hold: fold counters on the settle day, later events on theirs.
  const sumOfDays = numbers.days.reduce((acc, d) => {
    const { day: _day, ...counters } = d;
    return addCounters(acc, counters);
  }, zeroCounters());
  expect(sumOfDays).toEqual(totals);
  for (const [day, c] of daily) {
    const stored = numbers.days.find((d) => d.day === day)!;
    for (const name of [
      'purchases',
      'newMembers',
      'returning',
      'repeat30',
      'repeat90',
      'entries',
      'units',
      'revenue',
      'campaigns',
    ] as const)
      expect(stored[name], `${day} ${name}`).toBe(c[name]);
  }
}

describe('member book and numbers: property', () => {
  it('after random histories the member book and the numbers equal a naive recomputation from the entries', async () => {
    await fc.assert(
      fc.asyncProperty(historyArb, (history) => playAndCheck(history)),
      { numRuns: 25, endOnFailure: true },
    );
    // The runs exercised what the property is about.
    for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(0);
  }, 600_000);
});
