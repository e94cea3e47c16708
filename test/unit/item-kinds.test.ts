import { describe, expect, it } from 'vitest';
import { itemKind, stripKeys } from '../../shared/table/items.js';
import { indexKeys, keys } from '../../shared/table/keys.js';

interface Thing {
  id: string;
  qty: number;
}

describe('itemKind', () => {
  const things = itemKind<Thing>('thing');

  it('adds the keys and the type tag on write, and strips both (index keys too) on read', () => {
    const item = things.toItem(
      { ...keys.payOrder('o1'), ...indexKeys.refundDue('2026-12-02T00:00:00.000Z', 'c1', 'r1') },
      { id: 't1', qty: 2 },
    );
    expect(item).toEqual({
      pk: 'PAYORDER#o1',
      sk: '#ORDER',
      gsi2pk: 'REFUND_DUE',
      gsi2sk: '2026-12-02T00:00:00.000Z#c1#r1',
      type: 'thing',
      id: 't1',
      qty: 2,
    });
    expect(things.fromItem(item)).toEqual({ id: 't1', qty: 2 });
  });

  it('reads an absent item as null', () => {
    expect(things.fromMaybe(undefined)).toBeNull();
    expect(things.fromMaybe({ pk: 'x', sk: 'y', type: 'thing', id: 't2', qty: 0 })).toEqual({ id: 't2', qty: 0 });
  });

  it('stripKeys leaves every other attribute and does not change its input', () => {
    const item = { pk: 'a', sk: 'b', gsi1pk: 'c', gsi1sk: 'd', type: 'x', value: 1, nested: { pk: 'kept' } };
    expect(stripKeys(item)).toEqual({ value: 1, nested: { pk: 'kept' } });
    expect(item.pk).toBe('a');
  });
});
