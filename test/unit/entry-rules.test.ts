import { describe, expect, it } from 'vitest';
import { checkEntryLines, checkPickupPoint, quantityDelta } from '../../shared/domain/entry-rules.js';
import type { EntryLine } from '../../shared/domain/types.js';
import { type AppError, LimitExceededError, ValidationError } from '../../shared/errors.js';
import { definition, item, pickup } from './fixtures.js';

const def = definition({
  items: [item({ id: 'a', perPersonLimit: 5 }), item({ id: 'b', perPersonLimit: null }), item({ id: 'c', perPersonLimit: 1, stock: 3 })],
  pickupPoints: [pickup('p1', '3号楼门卫室'), pickup('p2', '南门快递柜')],
});

function thrown(fn: () => void): AppError {
  try {
    fn();
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected an error, nothing was thrown');
}

describe('checkEntryLines: accepted lines', () => {
  it.each<{ name: string; lines: EntryLine[] }>([
    { name: 'one item, under its limit', lines: [{ itemId: 'a', qty: 1 }] },
    { name: 'exactly at the per-person limit', lines: [{ itemId: 'a', qty: 5 }] },
    { name: 'limit 1, qty 1', lines: [{ itemId: 'c', qty: 1 }] },
    { name: 'no limit, large qty', lines: [{ itemId: 'b', qty: 10_000 }] },
    {
      name: 'every item once, any order',
      lines: [
        { itemId: 'c', qty: 1 },
        { itemId: 'b', qty: 7 },
        { itemId: 'a', qty: 5 },
      ],
    },
  ])('$name', ({ lines }) => {
    expect(() => checkEntryLines(def, lines)).not.toThrow();
  });
});

describe('checkEntryLines: rejected lines', () => {
  it.each<{
    name: string;
    lines: EntryLine[];
    error: typeof ValidationError | typeof LimitExceededError;
    status: number;
    code: string;
    details: Record<string, unknown>;
  }>([
    {
      name: 'unknown item',
      lines: [{ itemId: 'zzz', qty: 1 }],
      error: ValidationError,
      status: 400,
      code: 'VALIDATION_FAILED',
      details: { fields: [{ path: 'items.0.itemId', message: expect.any(String) }] },
    },
    {
      name: 'unknown item after a good one: the path names its index',
      lines: [
        { itemId: 'a', qty: 1 },
        { itemId: 'zzz', qty: 1 },
      ],
      error: ValidationError,
      status: 400,
      code: 'VALIDATION_FAILED',
      details: { fields: [{ path: 'items.1.itemId', message: expect.any(String) }] },
    },
    {
      name: 'the same item twice',
      lines: [
        { itemId: 'a', qty: 1 },
        { itemId: 'b', qty: 1 },
        { itemId: 'a', qty: 2 },
      ],
      error: ValidationError,
      status: 400,
      code: 'VALIDATION_FAILED',
      details: { fields: [{ path: 'items.2.itemId', message: expect.any(String) }] },
    },
    {
      name: 'the same item twice, each under the limit but together over it',
      lines: [
        { itemId: 'a', qty: 3 },
        { itemId: 'a', qty: 3 },
      ],
      error: ValidationError,
      status: 400,
      code: 'VALIDATION_FAILED',
      details: { fields: [{ path: 'items.1.itemId', message: expect.any(String) }] },
    },
    {
      name: 'one over the per-person limit',
      lines: [{ itemId: 'a', qty: 6 }],
      error: LimitExceededError,
      status: 409,
      code: 'LIMIT_EXCEEDED',
      details: { itemId: 'a', limit: 5, requested: 6 },
    },
    {
      name: 'limit 1, qty 2, after an unlimited line',
      lines: [
        { itemId: 'b', qty: 50 },
        { itemId: 'c', qty: 2 },
      ],
      error: LimitExceededError,
      status: 409,
      code: 'LIMIT_EXCEEDED',
      details: { itemId: 'c', limit: 1, requested: 2 },
    },
  ])('$name → $code', ({ lines, error, status, code, details }) => {
    const err = thrown(() => checkEntryLines(def, lines));
    expect(err).toBeInstanceOf(error);
    expect(err.status).toBe(status);
    expect(err.code).toBe(code);
    expect(err.details).toEqual(details);
  });
});

describe('checkPickupPoint', () => {
  it.each([
    { name: 'null (no pickup point chosen)', id: null },
    { name: 'undefined (not sent)', id: undefined },
    { name: 'a pickup point of the campaign', id: 'p1' },
    { name: 'another one', id: 'p2' },
  ])('accepts $name', ({ id }) => {
    expect(() => checkPickupPoint(def, id)).not.toThrow();
  });

  it.each([
    { name: 'an unknown id', id: 'p9' },
    { name: 'an empty string', id: '' },
    { name: 'a case variant of a real id', id: 'P1' },
  ])('rejects $name with VALIDATION_FAILED naming pickupPointId', ({ id }) => {
    const err = thrown(() => checkPickupPoint(def, id));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.status).toBe(400);
    expect(err.details).toEqual({ fields: [{ path: 'pickupPointId', message: expect.any(String) }] });
  });

  it('a campaign without pickup points rejects any id', () => {
    expect(() => checkPickupPoint(definition({ pickupPoints: [] }), 'p1')).toThrow(ValidationError);
  });
});

describe('quantityDelta: per-item change in units from before to after', () => {
  it.each<{ name: string; before: EntryLine[]; after: EntryLine[]; delta: Record<string, number> }>([
    {
      name: 'join',
      before: [],
      after: [
        { itemId: 'a', qty: 2 },
        { itemId: 'b', qty: 1 },
      ],
      delta: { a: 2, b: 1 },
    },
    {
      name: 'cancel',
      before: [
        { itemId: 'a', qty: 2 },
        { itemId: 'b', qty: 1 },
      ],
      after: [],
      delta: { a: -2, b: -1 },
    },
    { name: 'increase', before: [{ itemId: 'a', qty: 2 }], after: [{ itemId: 'a', qty: 5 }], delta: { a: 3 } },
    { name: 'decrease', before: [{ itemId: 'a', qty: 5 }], after: [{ itemId: 'a', qty: 1 }], delta: { a: -4 } },
    {
      name: 'unchanged, lines reordered',
      before: [
        { itemId: 'a', qty: 2 },
        { itemId: 'b', qty: 1 },
      ],
      after: [
        { itemId: 'b', qty: 1 },
        { itemId: 'a', qty: 2 },
      ],
      delta: {},
    },
    { name: 'swap one item for another', before: [{ itemId: 'a', qty: 2 }], after: [{ itemId: 'b', qty: 2 }], delta: { a: -2, b: 2 } },
    {
      name: 'mixed: keep a, lower b, add c',
      before: [
        { itemId: 'a', qty: 2 },
        { itemId: 'b', qty: 3 },
      ],
      after: [
        { itemId: 'a', qty: 2 },
        { itemId: 'b', qty: 1 },
        { itemId: 'c', qty: 4 },
      ],
      delta: { b: -2, c: 4 },
    },
    { name: 'nothing to nothing', before: [], after: [], delta: {} },
  ])('$name', ({ before, after, delta }) => {
    const out = quantityDelta(before, after);
    expect(Object.fromEntries(out)).toEqual(delta);
    for (const v of out.values()) expect(v).not.toBe(0);
  });
});
