import { describe, expect, it } from 'vitest';
import { checkShortage, deliveredLines, type Shortage, ShortagePlanner, shortageFingerprint } from '../../shared/domain/index.js';

/** The allocation rules of a shortage (shared/domain/shortage.ts), pure. */
function allocate(allocation: 'fifo' | 'pro-rata', qtys: number[], delivered: number): number[] {
  const sold = qtys.reduce((s, q) => s + q, 0);
  const short = checkShortage(new Map([['i1', sold]]), { items: [{ itemId: 'i1', delivered }], allocation });
  const planner = new ShortagePlanner(allocation, short);
  const entries = qtys.map((qty, i) => ({ seq: i + 1, items: [{ itemId: 'i1', qty }] }));
  for (const e of entries) planner.add(e);
  const shortage: Shortage = { items: [{ itemId: 'i1', delivered }], allocation, rules: planner.rules(), recordedAt: '', recordedBy: '' };
  return entries.map((e) => deliveredLines(shortage, e.seq, e.items)[0]!.qty);
}

describe('shortage allocation', () => {
  it('fifo fills in 接龙 order and cuts one entry', () => {
    expect(allocate('fifo', [3, 2, 4, 1], 6)).toEqual([3, 2, 1, 0]);
    expect(allocate('fifo', [3, 2, 4, 1], 5)).toEqual([3, 2, 0, 0]);
    expect(allocate('fifo', [3, 2, 4, 1], 0)).toEqual([0, 0, 0, 0]);
    expect(allocate('fifo', [3, 2, 4, 1], 9)).toEqual([3, 2, 4, 0]);
  });

  it('pro-rata: floors, then the rest one each in 接龙 order to entries with a remainder', () => {
    expect(allocate('pro-rata', [3, 2, 4, 1], 6)).toEqual([2, 2, 2, 0]);
    expect(allocate('pro-rata', [3, 2, 4, 1], 0)).toEqual([0, 0, 0, 0]);
    expect(allocate('pro-rata', [1, 1, 1], 2)).toEqual([1, 1, 0]);
    expect(allocate('pro-rata', [5, 5], 5)).toEqual([3, 2]);
  });

  it('always hands out exactly what was delivered, never more than an entry ordered', () => {
    const cases: Array<[number[], number]> = [
      [[7, 1, 3, 2, 9], 13],
      [[1, 1, 1, 1, 1, 1, 1], 3],
      [[10], 4],
      [[2, 3, 5, 7, 11], 1],
    ];
    for (const [qtys, delivered] of cases)
      for (const allocation of ['fifo', 'pro-rata'] as const) {
        const got = allocate(allocation, qtys, delivered);
        expect(
          got.reduce((s, q) => s + q, 0),
          `${allocation} ${qtys} ${delivered}`,
        ).toBe(delivered);
        for (const [i, q] of got.entries()) expect(q).toBeLessThanOrEqual(qtys[i]!);
      }
  });

  it('refuses more than sold, unknown and repeated items; the fingerprint ignores item order', () => {
    const sold = new Map([
      ['i1', 10],
      ['i2', 3],
    ]);
    expect(() => checkShortage(sold, { items: [{ itemId: 'i1', delivered: 11 }], allocation: 'fifo' })).toThrow(/more than the 10 sold/);
    expect(() => checkShortage(sold, { items: [{ itemId: 'i9', delivered: 1 }], allocation: 'fifo' })).toThrow(/No item i9/);
    expect(() =>
      checkShortage(sold, {
        items: [
          { itemId: 'i1', delivered: 1 },
          { itemId: 'i1', delivered: 1 },
        ],
        allocation: 'fifo',
      }),
    ).toThrow(/twice/);
    // Delivered in full: nothing to share out.
    expect(checkShortage(sold, { items: [{ itemId: 'i2', delivered: 3 }], allocation: 'fifo' })).toEqual([]);
    const a = {
      items: [
        { itemId: 'i1', delivered: 1 },
        { itemId: 'i2', delivered: 2 },
      ],
      allocation: 'fifo' as const,
    };
    const b = {
      items: [
        { itemId: 'i2', delivered: 2 },
        { itemId: 'i1', delivered: 1 },
      ],
      allocation: 'fifo' as const,
    };
    expect(shortageFingerprint(a)).toBe(shortageFingerprint(b));
  });
});
