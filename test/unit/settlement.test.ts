import { describe, expect, it } from 'vitest';
import { afterSaleRefundable, entryDue, type SettlementSummary, settleEntry, summarize } from '../../shared/domain/settlement.js';
import type { CampaignDefinition, Entry, EntryLine } from '../../shared/domain/types.js';
import { definition, entry, item } from './fixtures.js';

const SETTLED_AT = '2026-12-03T12:00:05.000Z';

const grapes = item({
  id: 'g',
  name: '阳光玫瑰',
  spec: '2斤',
  unitPrice: 3990,
  tiers: [
    { threshold: 20, unitPrice: 3590 },
    { threshold: 50, unitPrice: 3290 },
  ],
});
const eggs = item({ id: 'e', name: '土鸡蛋', spec: '30枚', unitPrice: 1290 });
const signup = item({ id: 'f', name: '报名', unitPrice: 0 });

function entries(...lines: EntryLine[][]): Entry[] {
  return lines.map((items, i) => entry({ id: `e${i + 1}`, seq: i + 1, userId: `u${i + 1}`, nickname: `用户${i + 1}`, items }));
}

/** The whole bill: summary plus every entry's lines, as the API returns it. */
function settle(def: CampaignDefinition, active: Entry[]) {
  const summary = summarize(def, active, SETTLED_AT);
  return { summary, bills: active.map((e) => settleEntry(summary, e)) };
}

function expectConsistent(summary: SettlementSummary, bills: ReturnType<typeof settleEntry>[]) {
  // total = Σ item amounts = Σ entry amounts; every entry amount = Σ its lines; all integer fen
  expect(summary.total).toBe(summary.items.reduce((s, i) => s + i.amount, 0));
  expect(summary.total).toBe(bills.reduce((s, b) => s + b.amount, 0));
  for (const b of bills) {
    expect(b.amount).toBe(b.items.reduce((s, l) => s + l.amount, 0));
    for (const l of b.items) {
      expect(Number.isInteger(l.amount)).toBe(true);
      expect(Number.isInteger(l.unitPrice)).toBe(true);
    }
  }
  for (const i of summary.items) {
    expect(Number.isInteger(i.amount)).toBe(true);
    expect(Number.isInteger(i.finalUnitPrice)).toBe(true);
  }
}

describe('summarize + settleEntry: a settled group (quantity basis, several items)', () => {
  const def = definition({ id: 'c9', items: [grapes, eggs, signup], minParticipants: 3 });
  // grapes 10 + 8 + 4 = 22 → tier 20 reached → ¥35.90 for everyone; eggs 1 + 2 = 3 → no tiers
  const active = entries(
    [
      { itemId: 'g', qty: 10 },
      { itemId: 'e', qty: 1 },
    ],
    [{ itemId: 'g', qty: 8 }],
    [
      { itemId: 'g', qty: 4 },
      { itemId: 'e', qty: 2 },
    ],
  );
  const { summary, bills } = settle(def, active);

  it('summary: status, counts, per-item quantity, final price, amount and total', () => {
    expect(summary).toEqual({
      campaignId: 'c9',
      status: 'settled',
      settledAt: SETTLED_AT,
      entryCount: 3,
      items: [
        { itemId: 'g', name: '阳光玫瑰', spec: '2斤', quantity: 22, finalUnitPrice: 3590, amount: 22 * 3590 },
        { itemId: 'e', name: '土鸡蛋', spec: '30枚', quantity: 3, finalUnitPrice: 1290, amount: 3 * 1290 },
        { itemId: 'f', name: '报名', spec: null, quantity: 0, finalUnitPrice: 0, amount: 0 },
      ],
      total: 78_980 + 3_870,
    });
  });

  it('every participant pays the tier price the group reached, not the price when they joined', () => {
    expect(bills.map((b) => b.amount)).toEqual([10 * 3590 + 1290, 8 * 3590, 4 * 3590 + 2 * 1290]);
    expect(bills[0]?.items).toEqual([
      { itemId: 'g', qty: 10, unitPrice: 3590, amount: 35_900 },
      { itemId: 'e', qty: 1, unitPrice: 1290, amount: 1_290 },
    ]);
  });

  it('copies the entry identity and contact fields into the bill', () => {
    const e = entry({
      id: 'eX',
      seq: 7,
      userId: 'uX',
      nickname: '王小明',
      phone: '13800138000',
      pickupPointId: 'p1',
      note: '放门口',
      items: [{ itemId: 'e', qty: 1 }],
    });
    expect(settleEntry(summary, e)).toEqual({
      entryId: 'eX',
      seq: 7,
      userId: 'uX',
      nickname: '王小明',
      phone: '13800138000',
      pickupPointId: 'p1',
      note: '放门口',
      items: [{ itemId: 'e', qty: 1, unitPrice: 1290, amount: 1290 }],
      amount: 1290,
      pointsDiscount: 0,
      pointsUsed: 0,
    });
  });

  it('totals add up in integer fen', () => {
    expectConsistent(summary, bills);
  });
});

describe('the final basis decides the tier (quantity basis), for everyone', () => {
  it.each([
    { name: 'one below the first threshold', qtys: [10, 9], price: 3990 },
    { name: 'exactly the first threshold', qtys: [10, 10], price: 3590 },
    { name: 'one above the first threshold', qtys: [11, 10], price: 3590 },
    { name: 'one below the top threshold', qtys: [25, 24], price: 3590 },
    { name: 'exactly the top threshold', qtys: [25, 25], price: 3290 },
    { name: 'above the top threshold', qtys: [40, 40], price: 3290 },
  ])('$name: $qtys → $price fen each', ({ qtys, price }) => {
    const def = definition({ items: [grapes], minParticipants: 1 });
    const { summary, bills } = settle(def, entries(...qtys.map((qty) => [{ itemId: 'g', qty }])));
    const total = qtys.reduce((a, b) => a + b, 0);
    expect(summary.items[0]).toMatchObject({ quantity: total, finalUnitPrice: price, amount: total * price });
    expect(bills.map((b) => b.items[0]?.unitPrice)).toEqual(qtys.map(() => price));
    expect(bills.map((b) => b.amount)).toEqual(qtys.map((q) => q * price));
    expect(summary.total).toBe(total * price);
    expectConsistent(summary, bills);
  });
});

describe("participants basis: the number of active entries decides every item's tier", () => {
  const perHead = item({
    id: 'p',
    unitPrice: 1000,
    tiers: [
      { threshold: 3, unitPrice: 800 },
      { threshold: 5, unitPrice: 600 },
    ],
  });
  const other = item({ id: 'q', unitPrice: 500, tiers: [{ threshold: 3, unitPrice: 450 }] });
  const def = definition({ tierBasis: 'participants', items: [perHead, other], minParticipants: 1 });

  it.each([
    // 2 people buying 20 units: the unit count does not matter, 2 < 3 → base price
    { name: '2 participants, many units', lines: [[{ itemId: 'p', qty: 10 }], [{ itemId: 'p', qty: 10 }]], p: 1000, q: 500 },
    // 3 people, 6 units: threshold 3 reached by heads (quantity basis would have given 600)
    {
      name: '3 participants, 2 units each',
      lines: [[{ itemId: 'p', qty: 2 }], [{ itemId: 'p', qty: 2 }], [{ itemId: 'p', qty: 2 }]],
      p: 800,
      q: 450,
    },
    // 5 people, one unit each → top tier; q is priced by heads too, although only one bought it
    {
      name: '5 participants, one of them also buys q',
      lines: [
        [
          { itemId: 'p', qty: 1 },
          { itemId: 'q', qty: 1 },
        ],
        [{ itemId: 'p', qty: 1 }],
        [{ itemId: 'p', qty: 1 }],
        [{ itemId: 'p', qty: 1 }],
        [{ itemId: 'p', qty: 1 }],
      ],
      p: 600,
      q: 450,
    },
  ])('$name → p at $p, q at $q', ({ lines, p, q }) => {
    const active = entries(...lines);
    const { summary, bills } = settle(def, active);
    const qtyOf = (id: string) =>
      lines
        .flat()
        .filter((l) => l.itemId === id)
        .reduce((s, l) => s + l.qty, 0);
    expect(summary.status).toBe('settled');
    expect(summary.items).toEqual([
      { itemId: 'p', name: perHead.name, spec: null, quantity: qtyOf('p'), finalUnitPrice: p, amount: qtyOf('p') * p },
      { itemId: 'q', name: other.name, spec: null, quantity: qtyOf('q'), finalUnitPrice: q, amount: qtyOf('q') * q },
    ]);
    expect(summary.total).toBe(qtyOf('p') * p + qtyOf('q') * q);
    expectConsistent(summary, bills);
  });
});

describe('failed: fewer active entries than minParticipants → every amount is 0', () => {
  it.each([
    { name: 'two of three needed', minParticipants: 3, people: 2, status: 'failed' },
    { name: 'nobody joined', minParticipants: 1, people: 0, status: 'failed' },
    { name: 'one short of ten', minParticipants: 10, people: 9, status: 'failed' },
    { name: 'exactly the minimum', minParticipants: 3, people: 3, status: 'settled' },
    { name: 'one more than the minimum', minParticipants: 3, people: 4, status: 'settled' },
  ])('$name ($people of $minParticipants) → $status', ({ minParticipants, people, status }) => {
    const def = definition({ items: [grapes, eggs], minParticipants });
    const active = entries(
      ...Array.from({ length: people }, () => [
        { itemId: 'g', qty: 10 },
        { itemId: 'e', qty: 1 },
      ]),
    );
    const { summary, bills } = settle(def, active);
    expect(summary.status).toBe(status);
    expect(summary.entryCount).toBe(people);
    expect(summary.items.map((i) => i.quantity)).toEqual([10 * people, people]);
    if (status === 'failed') {
      expect(summary.total).toBe(0);
      expect(summary.items.map((i) => i.amount)).toEqual([0, 0]);
      expect(bills.map((b) => b.amount)).toEqual(bills.map(() => 0));
      expect(bills.flatMap((b) => b.items.map((l) => l.amount))).toEqual(bills.flatMap(() => [0, 0]));
    } else {
      expect(summary.total).toBeGreaterThan(0);
      expect(bills.every((b) => b.amount > 0)).toBe(true);
    }
    expectConsistent(summary, bills);
  });
});

describe('free sign-up list (报名接龙): everything costs 0', () => {
  it('settles with total 0 and zero bills', () => {
    const def = definition({ items: [signup], minParticipants: 2 });
    const { summary, bills } = settle(def, entries([{ itemId: 'f', qty: 1 }], [{ itemId: 'f', qty: 2 }]));
    expect(summary).toMatchObject({ status: 'settled', entryCount: 2, total: 0 });
    expect(summary.items).toEqual([{ itemId: 'f', name: '报名', spec: null, quantity: 3, finalUnitPrice: 0, amount: 0 }]);
    expect(bills.map((b) => b.amount)).toEqual([0, 0]);
  });
});

describe('settleEntry is a pure function of the stored summary', () => {
  it('the same summary and entry always give the same bill', () => {
    const def = definition({ items: [grapes, eggs] });
    const active = entries([
      { itemId: 'g', qty: 3 },
      { itemId: 'e', qty: 2 },
    ]);
    const summary = summarize(def, active, SETTLED_AT);
    const frozen = structuredClone(summary);
    expect(settleEntry(summary, active[0]!)).toEqual(settleEntry(frozen, active[0]!));
    expect(summary).toEqual(frozen);
  });

  it("uses the summary's final price even when it differs from the item's base price", () => {
    const summary: SettlementSummary = {
      campaignId: 'c1',
      status: 'settled',
      settledAt: SETTLED_AT,
      entryCount: 1,
      total: 3 * 3290,
      items: [{ itemId: 'g', name: '阳光玫瑰', spec: '2斤', quantity: 3, finalUnitPrice: 3290, amount: 3 * 3290 }],
    };
    const bill = settleEntry(summary, entry({ id: 'e1', seq: 1, userId: 'u1', items: [{ itemId: 'g', qty: 3 }] }));
    expect(bill.items).toEqual([{ itemId: 'g', qty: 3, unitPrice: 3290, amount: 9870 }]);
    expect(bill.amount).toBe(9870);
  });
});

describe('afterSaleRefundable', () => {
  it('without points, the goods come back at their price', () => {
    expect(afterSaleRefundable({ amount: 7180, pointsDiscount: 0 }, 3590)).toBe(3590);
  });

  it("with points, the points' share stays out, rounded up", () => {
    // 2 × 3590 paid with 1000 fen of points off: one unit gives back 3590 − ⌈1000 × 3590 / 7180⌉ = 3090.
    expect(afterSaleRefundable({ amount: 7180, pointsDiscount: 1000 }, 3590)).toBe(3090);
    expect(afterSaleRefundable({ amount: 3, pointsDiscount: 1 }, 1)).toBe(0);
  });

  it('any split of the goods into requests never gives back more than the entry paid', () => {
    for (const [amount, pointsDiscount] of [
      [7180, 1000],
      [3590, 650],
      [9870, 2000],
      [101, 37],
    ] as const) {
      for (let first = 0; first <= amount; first += Math.max(1, Math.floor(amount / 37))) {
        const back =
          afterSaleRefundable({ amount, pointsDiscount }, first) + afterSaleRefundable({ amount, pointsDiscount }, amount - first);
        expect(back).toBeLessThanOrEqual(entryDue({ amount, pointsDiscount }));
      }
    }
  });
});
