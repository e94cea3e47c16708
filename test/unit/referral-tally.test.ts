import { describe, expect, it } from 'vitest';
import { tallyReferrals } from '../../shared/domain/referrals.js';
import { definition, entry, item, state } from './fixtures.js';

describe('tallyReferrals', () => {
  const def = definition({
    items: [item({ id: 'i1', unitPrice: 1000, tiers: [{ threshold: 10, unitPrice: 800 }] }), item({ id: 'i2', unitPrice: 250 })],
  });

  it('counts active referred entries only, at each item’s current price, largest amount first', () => {
    const entries = [
      entry({ id: 'e1', seq: 1, userId: 'u1', referredBy: 'ra', items: [{ itemId: 'i1', qty: 2 }] }),
      entry({
        id: 'e2',
        seq: 2,
        userId: 'u2',
        referredBy: 'rb',
        items: [
          { itemId: 'i1', qty: 1 },
          { itemId: 'i2', qty: 4 },
        ],
      }),
      entry({ id: 'e3', seq: 3, userId: 'u3', referredBy: 'rb', items: [{ itemId: 'i2', qty: 1 }] }),
      entry({ id: 'e4', seq: 4, userId: 'u4', referredBy: 'ra', status: 'cancelled', items: [{ itemId: 'i1', qty: 5 }] }),
      entry({ id: 'e5', seq: 5, userId: 'u5', referredBy: 'ra', status: 'pending_payment', items: [{ itemId: 'i1', qty: 5 }] }),
      entry({ id: 'e6', seq: 6, userId: 'u6', referredBy: 'rb', status: 'expired', items: [{ itemId: 'i1', qty: 5 }] }),
      entry({ id: 'e7', seq: 7, userId: 'u7', items: [{ itemId: 'i1', qty: 9 }] }), // nobody referred it
    ];
    // 12 units of i1 sold: its tier price (800) applies.
    expect(tallyReferrals(def, state({ sold: { i1: 12, i2: 5 }, participants: 4 }), entries)).toEqual([
      { referrerId: 'rb', joins: 2, units: 6, amount: 800 + 5 * 250 },
      { referrerId: 'ra', joins: 1, units: 2, amount: 2 * 800 },
    ]);
    // Below the tier: base price.
    expect(tallyReferrals(def, state({ sold: { i1: 3 }, participants: 1 }), entries.slice(0, 1))).toEqual([
      { referrerId: 'ra', joins: 1, units: 2, amount: 2000 },
    ]);
  });

  it('is empty without referred entries', () => {
    expect(tallyReferrals(def, state(), [entry({ id: 'e1', seq: 1, userId: 'u1', items: [{ itemId: 'i1', qty: 1 }] })])).toEqual([]);
  });
});
