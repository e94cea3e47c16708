import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addEffect,
  DEFAULT_POINTS_RULES,
  EMPTY_BALANCE,
  maxReservablePoints,
  pointsDiscount,
  pointsRulesProblem,
  settlementEarnings,
  titleFor,
} from '../../shared/domain/index.js';

const rules = {
  earn: { joinSucceeded: 10, paidOnTime: 5, pickedUp: 3, reviewed: 2, referral: 7 },
  spend: { enabled: true, fenPerPoint: 10, maxFenPerEntry: 500, maxPercentOfEntry: 20 },
  titles: [
    { minPoints: 10, title: '团友' },
    { minPoints: 100, title: '铁杆' },
  ],
};

describe('points rules (pure)', () => {
  it('defaults earn nothing and spend nothing', () => {
    expect(
      settlementEarnings(
        DEFAULT_POINTS_RULES,
        { id: 'e1_a', campaignId: 'c', userId: 'u' },
        { succeeded: true, paidOnTime: true, referrerId: 'r' },
      ),
    ).toEqual([]);
    expect(maxReservablePoints(DEFAULT_POINTS_RULES.spend, 10_000)).toBe(0);
  });

  it('settlement earnings: only a group that succeeded; no self-referral; guests earn nothing', () => {
    const entry = { id: 'e1_a', campaignId: 'c', userId: 'u' };
    expect(settlementEarnings(rules, entry, { succeeded: true, paidOnTime: false, referrerId: null }).map((e) => e.reason)).toEqual([
      'joinSucceeded',
    ]);
    expect(settlementEarnings(rules, entry, { succeeded: true, paidOnTime: true, referrerId: 'u' }).map((e) => e.reason)).toEqual([
      'joinSucceeded',
      'paidOnTime',
    ]);
    expect(settlementEarnings(rules, { ...entry, userId: 'g_guest' }, { succeeded: true, paidOnTime: true, referrerId: 'r' })).toEqual([]);
    expect(settlementEarnings(rules, entry, { succeeded: false, paidOnTime: true, referrerId: 'r' })).toEqual([]);
  });

  it('titles: the highest reached; rules need ascending thresholds', () => {
    expect(titleFor(rules.titles, 9)).toBeNull();
    expect(titleFor(rules.titles, 10)).toBe('团友');
    expect(titleFor(rules.titles, 1000)).toBe('铁杆');
    expect(pointsRulesProblem(rules)).toBeNull();
    expect(pointsRulesProblem({ ...rules, titles: [...rules.titles].reverse() })).not.toBeNull();
  });

  it('the discount is whole points, within every limit, never more than the amount', () => {
    fc.assert(
      fc.property(
        fc.nat(10_000),
        fc.integer({ min: 1, max: 100 }),
        fc.nat(100_000),
        fc.integer({ min: 0, max: 100 }),
        fc.nat(1_000_000),
        (points, fenPerPoint, maxFenPerEntry, maxPercentOfEntry, amount) => {
          const d = pointsDiscount({ points, ref: 'h', fenPerPoint, maxFenPerEntry, maxPercentOfEntry }, amount);
          expect(d.fen).toBe(d.points * fenPerPoint);
          expect(d.points).toBeLessThanOrEqual(points);
          expect(d.fen).toBeLessThanOrEqual(maxFenPerEntry);
          expect(d.fen * 100).toBeLessThanOrEqual(amount * maxPercentOfEntry);
          expect(d.fen).toBeLessThanOrEqual(amount);
          // One more point would break a limit (or there is none left to use).
          const more = (d.points + 1) * fenPerPoint;
          expect(d.points === points || more > maxFenPerEntry || more * 100 > amount * maxPercentOfEntry || more > amount).toBe(true);
        },
      ),
    );
  });

  it('every event keeps balance = earned − spent − reversed', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('earn', 'spend', 'release', 'reverse' as const), fc.nat(100))), (ops) => {
        let b = EMPTY_BALANCE;
        for (const [kind, p] of ops) b = addEffect(b, kind, p);
        expect(b.balance).toBe(b.earned - b.spent - b.reversed);
      }),
    );
  });
});
