import { describe, expect, it } from 'vitest';
import { basisFor, formatYuan, nextTierAt, priceItems, unitPriceAt } from '../../shared/domain/pricing.js';
import type { Tier } from '../../shared/domain/types.js';
import { item } from './fixtures.js';

// The contract's example item: ¥39.90, ¥35.90 from 20 units, ¥32.90 from 50 units.
const grapes = item({
  id: 'grapes',
  unitPrice: 3990,
  tiers: [
    { threshold: 20, unitPrice: 3590 },
    { threshold: 50, unitPrice: 3290 },
  ],
});
const noTiers = item({ id: 'eggs', unitPrice: 1290, tiers: [] });
const free = item({ id: 'signup', unitPrice: 0, tiers: [] });
const single = item({ id: 'single', unitPrice: 1000, tiers: [{ threshold: 10, unitPrice: 900 }] });
// The maximum of 10 tiers, written out by hand: threshold 10k → 1000 − 50k fen.
const tenTiers: Tier[] = [
  { threshold: 10, unitPrice: 950 },
  { threshold: 20, unitPrice: 900 },
  { threshold: 30, unitPrice: 850 },
  { threshold: 40, unitPrice: 800 },
  { threshold: 50, unitPrice: 750 },
  { threshold: 60, unitPrice: 700 },
  { threshold: 70, unitPrice: 650 },
  { threshold: 80, unitPrice: 600 },
  { threshold: 90, unitPrice: 550 },
  { threshold: 100, unitPrice: 500 },
];
const many = item({ id: 'many', unitPrice: 1000, tiers: tenTiers });

describe('unitPriceAt: the highest tier whose threshold is at most the basis, else the base price', () => {
  it.each([
    { name: 'two tiers, nothing sold', it: grapes, basis: 0, price: 3990 },
    { name: 'two tiers, one below the first threshold', it: grapes, basis: 19, price: 3990 },
    { name: 'two tiers, exactly the first threshold', it: grapes, basis: 20, price: 3590 },
    { name: 'two tiers, one above the first threshold', it: grapes, basis: 21, price: 3590 },
    { name: 'two tiers, one below the second threshold', it: grapes, basis: 49, price: 3590 },
    { name: 'two tiers, exactly the second threshold', it: grapes, basis: 50, price: 3290 },
    { name: 'two tiers, one above the top threshold', it: grapes, basis: 51, price: 3290 },
    { name: 'two tiers, far above the top threshold', it: grapes, basis: 100_000, price: 3290 },
    { name: 'no tiers, nothing sold', it: noTiers, basis: 0, price: 1290 },
    { name: 'no tiers, much sold', it: noTiers, basis: 999, price: 1290 },
    { name: 'free item (报名), nothing sold', it: free, basis: 0, price: 0 },
    { name: 'free item (报名), many signed up', it: free, basis: 500, price: 0 },
    { name: 'single tier, one below', it: single, basis: 9, price: 1000 },
    { name: 'single tier, exactly', it: single, basis: 10, price: 900 },
    { name: 'single tier, above', it: single, basis: 11, price: 900 },
    { name: 'ten tiers, below the first', it: many, basis: 9, price: 1000 },
    { name: 'ten tiers, exactly the first', it: many, basis: 10, price: 950 },
    { name: 'ten tiers, between 5th and 6th', it: many, basis: 55, price: 750 },
    { name: 'ten tiers, exactly the 6th', it: many, basis: 60, price: 700 },
    { name: 'ten tiers, one below the top', it: many, basis: 99, price: 550 },
    { name: 'ten tiers, exactly the top', it: many, basis: 100, price: 500 },
    { name: 'ten tiers, above the top', it: many, basis: 10_000, price: 500 },
  ])('$name: basis $basis → $price fen', ({ it: def, basis, price }) => {
    expect(unitPriceAt(def, basis)).toBe(price);
  });

  it('every tier of the ten is reached at exactly its threshold and not one unit before', () => {
    for (const [k, tier] of tenTiers.entries()) {
      expect(unitPriceAt(many, tier.threshold)).toBe(tier.unitPrice);
      const previousPrice = k === 0 ? 1000 : tenTiers[k - 1]!.unitPrice;
      expect(unitPriceAt(many, tier.threshold - 1)).toBe(previousPrice);
    }
  });
});

describe('nextTierAt: the next tier to unlock and how much more basis it needs', () => {
  it.each([
    { name: 'two tiers, nothing sold', it: grapes, basis: 0, next: { threshold: 20, unitPrice: 3590, needed: 20 } },
    { name: 'two tiers, one short of the first', it: grapes, basis: 19, next: { threshold: 20, unitPrice: 3590, needed: 1 } },
    { name: 'two tiers, at the first', it: grapes, basis: 20, next: { threshold: 50, unitPrice: 3290, needed: 30 } },
    { name: 'two tiers, one short of the top', it: grapes, basis: 49, next: { threshold: 50, unitPrice: 3290, needed: 1 } },
    { name: 'two tiers, at the top', it: grapes, basis: 50, next: null },
    { name: 'two tiers, above the top', it: grapes, basis: 77, next: null },
    { name: 'no tiers', it: noTiers, basis: 0, next: null },
    { name: 'free item', it: free, basis: 3, next: null },
    { name: 'single tier, below', it: single, basis: 4, next: { threshold: 10, unitPrice: 900, needed: 6 } },
    { name: 'single tier, at it', it: single, basis: 10, next: null },
    { name: 'ten tiers, nothing sold', it: many, basis: 0, next: { threshold: 10, unitPrice: 950, needed: 10 } },
    { name: 'ten tiers, between 5th and 6th', it: many, basis: 55, next: { threshold: 60, unitPrice: 700, needed: 5 } },
    { name: 'ten tiers, one short of the top', it: many, basis: 99, next: { threshold: 100, unitPrice: 500, needed: 1 } },
    { name: 'ten tiers, at the top', it: many, basis: 100, next: null },
  ])('$name: basis $basis', ({ it: def, basis, next }) => {
    expect(nextTierAt(def, basis)).toEqual(next);
  });

  it('buying exactly `needed` more reaches the advertised price', () => {
    for (const def of [grapes, single, many]) {
      for (let basis = 0; basis <= 110; basis++) {
        const next = nextTierAt(def, basis);
        if (next === null) continue;
        expect(next.needed).toBeGreaterThan(0);
        expect(unitPriceAt(def, basis + next.needed)).toBe(next.unitPrice);
        expect(unitPriceAt(def, basis + next.needed - 1)).not.toBe(next.unitPrice);
      }
    }
  });
});

describe('basisFor', () => {
  it.each([
    { tierBasis: 'quantity' as const, sold: 7, participants: 3, basis: 7 },
    { tierBasis: 'participants' as const, sold: 7, participants: 3, basis: 3 },
    { tierBasis: 'quantity' as const, sold: 0, participants: 5, basis: 0 },
    { tierBasis: 'participants' as const, sold: 40, participants: 0, basis: 0 },
  ])('$tierBasis with sold $sold and $participants participants → $basis', ({ tierBasis, sold, participants, basis }) => {
    expect(basisFor(tierBasis, sold, participants)).toBe(basis);
  });
});

describe('priceItems', () => {
  // one item with tiers, one without, one with a single tier at 3 and nothing sold yet
  const three = item({ id: 'three', unitPrice: 1000, tiers: [{ threshold: 3, unitPrice: 800 }] });
  const items = [grapes, noTiers, three];
  const sold = { grapes: 20, eggs: 5 };

  it('quantity basis: each item is priced by its own units sold (missing from sold → 0)', () => {
    expect(priceItems('quantity', items, sold, 3)).toEqual([
      { itemId: 'grapes', basis: 20, currentUnitPrice: 3590, nextTier: { threshold: 50, unitPrice: 3290, needed: 30 } },
      { itemId: 'eggs', basis: 5, currentUnitPrice: 1290, nextTier: null },
      { itemId: 'three', basis: 0, currentUnitPrice: 1000, nextTier: { threshold: 3, unitPrice: 800, needed: 3 } },
    ]);
  });

  it('participants basis: every item is priced by the number of active entries', () => {
    expect(priceItems('participants', items, sold, 3)).toEqual([
      { itemId: 'grapes', basis: 3, currentUnitPrice: 3990, nextTier: { threshold: 20, unitPrice: 3590, needed: 17 } },
      { itemId: 'eggs', basis: 3, currentUnitPrice: 1290, nextTier: null },
      { itemId: 'three', basis: 3, currentUnitPrice: 800, nextTier: null },
    ]);
  });

  it('keeps the order of the items and handles a free list', () => {
    const priced = priceItems('quantity', [free, grapes], { signup: 12 }, 12);
    expect(priced.map((p) => p.itemId)).toEqual(['signup', 'grapes']);
    expect(priced[0]).toEqual({ itemId: 'signup', basis: 12, currentUnitPrice: 0, nextTier: null });
    expect(priced[1]?.currentUnitPrice).toBe(3990);
  });

  it('no items → no prices', () => {
    expect(priceItems('quantity', [], {}, 0)).toEqual([]);
  });
});

describe('formatYuan: integer fen → yuan text with two decimals', () => {
  it.each([
    { fen: 0, text: '0.00' },
    { fen: 5, text: '0.05' },
    { fen: 10, text: '0.10' },
    { fen: 99, text: '0.99' },
    { fen: 100, text: '1.00' },
    { fen: 1290, text: '12.90' },
    { fen: 3990, text: '39.90' },
    { fen: 123_456_789, text: '1234567.89' },
    { fen: -5, text: '-0.05' },
    { fen: -1290, text: '-12.90' },
    { fen: -100, text: '-1.00' },
  ])('$fen → $text', ({ fen, text }) => {
    expect(formatYuan(fen)).toBe(text);
  });

  it('has no floating-point artefacts for any amount up to ¥100 (every fen value)', () => {
    for (let fen = 0; fen <= 10_000; fen++) {
      const yuan = Math.floor(fen / 100);
      const cents = fen % 100;
      expect(formatYuan(fen)).toBe(`${yuan}.${cents < 10 ? '0' : ''}${cents}`);
    }
  });
});
