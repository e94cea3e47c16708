import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommunity } from '../../shared/communities/index.js';
import type { PointsEvent } from '../../shared/domain/index.js';
import { InsufficientPointsError } from '../../shared/errors.js';
import { allPointsEvents, applyPointsEvent, getPointsBalance, putPointsRules, reversePoints } from '../../shared/points/index.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';

/**
 * The points invariant under random histories of one member, with repeats (the same ref sent
 * again) and bursts of concurrent requests: after every history
 *   - the totals equal the ledger: balance = Σ earned − (Σ spent − Σ released) − Σ reversed;
 *   - the balance was never negative (every spend that the balance did not cover was refused);
 *   - every ref is in the ledger at most once.
 */
type Op =
  | { kind: 'earn'; ref: number; points: number }
  | { kind: 'spend'; ref: number; points: number }
  | { kind: 'release'; ref: number; points: number }
  | { kind: 'reverse'; ref: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('earn' as const), ref: fc.nat(6), points: fc.integer({ min: 1, max: 50 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('spend' as const), ref: fc.nat(6), points: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('release' as const), ref: fc.nat(6), points: fc.integer({ min: 1, max: 20 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reverse' as const), ref: fc.nat(6) }) },
);

/** A history: rounds, each a few ops sent at once (Promise.all). */
const historyArb = fc.array(fc.array(opArb, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 6 });

const TITLES = [
  { minPoints: 20, title: '团友' },
  { minPoints: 80, title: '铁杆团友' },
];

describe('points ledger (property)', () => {
  let h: Harness;
  let run = 0;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.db.doc.destroy());

  async function community(withTitles: boolean) {
    const id = `m_prop${++run}`;
    await createCommunity(
      h.db,
      { id, ownerId: 'u_owner', name: 'p', description: '', joinRule: 'open', public: false, cover: null, createdAt: T0 },
      { nickname: 'owner' },
    );
    if (withTitles)
      await putPointsRules(
        h.db,
        id,
        {
          earn: { joinSucceeded: 0, paidOnTime: 0, pickedUp: 0, reviewed: 0, referral: 0 },
          spend: { enabled: true, fenPerPoint: 1, maxFenPerEntry: 100, maxPercentOfEntry: 10 },
          titles: TITLES,
        },
        'u_owner',
      );
    return id;
  }

  async function send(cid: string, userId: string, op: Op, titles: typeof TITLES): Promise<void> {
    const at = h.clock.now().toISOString();
    try {
      if (op.kind === 'reverse') await reversePoints(h.db, cid, userId, `e${op.ref}`, titles);
      else {
        const prefix = op.kind === 'earn' ? 'e' : op.kind === 'spend' ? 's' : 'r';
        await applyPointsEvent(
          h.db,
          op.kind,
          { communityId: cid, userId, ref: `${prefix}${op.ref}`, points: op.points, reason: op.kind, at },
          titles,
        );
      }
    } catch (err) {
      if (!(err instanceof InsufficientPointsError)) throw err;
    }
  }

  it('balance = Σ earned − Σ spent − Σ reversed, never negative, whatever the order and repeats', async () => {
    await fc.assert(
      fc.asyncProperty(historyArb, fc.boolean(), async (history, withTitles) => {
        const cid = await community(withTitles);
        const userId = 'u_member';
        let lowest = 0;
        for (const round of history) {
          await Promise.all(round.map((op) => send(cid, userId, op, withTitles ? TITLES : [])));
          const b = await getPointsBalance(h.db, cid, userId);
          lowest = Math.min(lowest, b?.balance ?? 0);
        }
        const events = await allPointsEvents(h.db, cid, userId);
        const sum = (kind: PointsEvent['kind']) => events.filter((e) => e.kind === kind).reduce((s, e) => s + e.points, 0);
        const b = (await getPointsBalance(h.db, cid, userId)) ?? { earned: 0, spent: 0, reversed: 0, balance: 0 };
        expect(b.earned).toBe(sum('earn'));
        expect(b.spent).toBe(sum('spend') - sum('release'));
        expect(b.reversed).toBe(sum('reverse'));
        expect(b.balance).toBe(sum('earn') - (sum('spend') - sum('release')) - sum('reverse'));
        expect(b.balance).toBeGreaterThanOrEqual(0);
        expect(lowest).toBeGreaterThanOrEqual(0);
        expect(new Set(events.map((e) => e.ref)).size).toBe(events.length);
        // A reversal never takes back more than its earn gave.
        for (const r of events.filter((e) => e.kind === 'reverse')) {
          const earned = events.find((e) => e.ref === r.of);
          expect(earned?.kind).toBe('earn');
          expect(r.points).toBeLessThanOrEqual(earned!.points);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('200 concurrent spends on one balance never overdraw it', async () => {
    const cid = await community(false);
    const userId = 'u_spender';
    await applyPointsEvent(h.db, 'earn', { communityId: cid, userId, ref: 'seed', points: 500, reason: 'seed', at: T0 }, []);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        applyPointsEvent(h.db, 'spend', { communityId: cid, userId, ref: `spend${i}`, points: 7, reason: 'spend', at: T0 }, []),
      ),
    );
    const ok = outcomes.filter((o) => o.status === 'fulfilled' && o.value.applied).length;
    const refused = outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof InsufficientPointsError).length;
    const other = outcomes.filter((o) => o.status === 'rejected' && !(o.reason instanceof InsufficientPointsError));
    // Conflicts that outlast the retries answer 409 CONFLICT; none of them may have written anything.
    for (const o of other) expect((o as PromiseRejectedResult).reason.code).toBe('CONFLICT');
    const b = await getPointsBalance(h.db, cid, userId);
    expect(ok).toBeLessThanOrEqual(Math.floor(500 / 7));
    expect(b!.balance).toBe(500 - ok * 7);
    expect(b!.balance).toBeGreaterThanOrEqual(0);
    expect(ok + refused + other.length).toBe(200);
    const events = await allPointsEvents(h.db, cid, userId);
    expect(events.filter((e) => e.kind === 'spend')).toHaveLength(ok);
    // With enough retries the balance is spent down to what 7 no longer fits into.
    expect(b!.balance).toBeLessThan(7 + 7 * other.length);
  });
});
