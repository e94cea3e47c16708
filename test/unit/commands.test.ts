import { describe, expect, it } from 'vitest';
import {
  asTransactUpdate,
  type CounterChange,
  claimMember,
  counterUpdate,
  idempotencyAttribute,
  limitedItems,
  MAX_EXPIRED_HOLDS,
  putEntry,
  releaseClaim,
  releaseExpiredClaim,
  restoreClaim,
  ringPosition,
  seqAtRingPosition,
  takeOverClaim,
  type UpdateInput,
  updateEntry,
} from '../../shared/entries/commands.js';
import type { EntryRecord, MemberRecord, StateRecord } from '../../shared/table/records.js';
import { initialState, JOIN_RING_SIZE, newStateRecord, ringSlot } from '../../shared/table/records.js';
import { applySet, assertPlaceholdersConsistent, evalCondition, type Item } from './expression-eval.js';
import { definition, item } from './fixtures.js';

const TABLE = 'tuangou-test';
const OPENS = '2026-12-01T00:00:00.000Z';
const CLOSES = '2026-12-03T12:00:00.000Z';
const MIDDLE = '2026-12-02T00:00:00.000Z';

// a: limited stock 5, b: unlimited, 'c.d-e': limited, with characters that must never be inlined
const def = definition({
  id: 'c1',
  opensAt: OPENS,
  closesAt: CLOSES,
  items: [item({ id: 'a', stock: 5 }), item({ id: 'b', stock: null }), item({ id: 'c.d-e', stock: 2 })],
});
const limited = limitedItems(def);

/** The campaign's STATE item as it is stored, with its keys. */
function stateItem(overrides: Partial<StateRecord> = {}): Item {
  return { pk: 'CAMPAIGN#c1', sk: '#STATE', type: 'state', ...initialState(def), ...overrides } as unknown as Item;
}

function change(overrides: Partial<CounterChange>): CounterChange {
  return { units: new Map(), participants: 0, takeNumber: false, limited, requireOpenAt: null, joinToken: 'tok-1', ...overrides };
}

/** Runs an update as DynamoDB would: condition first, then SET; null when the condition fails. */
function run(input: UpdateInput, current: Item | undefined): Item | null {
  assertPlaceholdersConsistent(input);
  if (!evalCondition(input.ConditionExpression, input.ExpressionAttributeNames, input.ExpressionAttributeValues, current)) return null;
  return applySet(input.UpdateExpression, input.ExpressionAttributeNames, input.ExpressionAttributeValues, current ?? {});
}

function conditionHolds(
  input: {
    ConditionExpression?: string;
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
  },
  current: Item | undefined,
) {
  return evalCondition(input.ConditionExpression!, input.ExpressionAttributeNames, input.ExpressionAttributeValues, current);
}

describe('limitedItems', () => {
  it('is the items with a stock (0 included), not the unlimited ones', () => {
    expect([...limited].sort()).toEqual(['a', 'c.d-e']);
    const zero = definition({ items: [item({ id: 'z', stock: 0 }), item({ id: 'n', stock: null })] });
    expect([...limitedItems(zero)]).toEqual(['z']);
  });
});

describe('counterUpdate: structure', () => {
  it('targets the campaign STATE item and always requires it to exist and bumps its version', () => {
    const input = counterUpdate(TABLE, 'c1', change({}));
    expect(input.TableName).toBe(TABLE);
    expect(input.Key).toEqual({ pk: 'CAMPAIGN#c1', sk: '#STATE' });
    expect(input.ConditionExpression).toContain('attribute_exists(pk)');
    expect(input.UpdateExpression).toMatch(/^SET /);
    assertPlaceholdersConsistent(input);
  });

  it.each([
    {
      name: 'join',
      c: change({
        units: new Map([
          ['a', 2],
          ['b', 1],
        ]),
        participants: 1,
        takeNumber: true,
        requireOpenAt: MIDDLE,
      }),
    },
    {
      name: 'change',
      c: change({
        units: new Map([
          ['a', 1],
          ['c.d-e', -1],
        ]),
        requireOpenAt: MIDDLE,
      }),
    },
    {
      name: 'cancel',
      c: change({
        units: new Map([
          ['a', -2],
          ['b', -1],
        ]),
        participants: -1,
        requireOpenAt: MIDDLE,
      }),
    },
    { name: 'repair release', c: change({ units: new Map([['a', -2]]), participants: -1 }) },
    { name: 'nothing', c: change({}) },
    { name: 'zero units are skipped', c: change({ units: new Map([['a', 0]]) }) },
  ])('$name: every #name and :value used is defined, and every defined one is used', ({ c }) => {
    expect(() => assertPlaceholdersConsistent(counterUpdate(TABLE, 'c1', c))).not.toThrow();
  });

  it('with requireOpenAt: the condition checks stored status open and opensAt <= now < closesAt', () => {
    const input = counterUpdate(TABLE, 'c1', change({ requireOpenAt: MIDDLE }));
    const names = input.ExpressionAttributeNames!;
    const values = input.ExpressionAttributeValues!;
    expect(Object.values(names)).toEqual(expect.arrayContaining(['status', 'opensAt', 'closesAt']));
    expect(Object.values(values)).toEqual(expect.arrayContaining(['open', MIDDLE]));
  });

  it('without requireOpenAt (repair-time release): no status or window condition at all', () => {
    const input = counterUpdate(TABLE, 'c1', change({ units: new Map([['a', -1]]), participants: -1 }));
    expect(input.ConditionExpression).toBe('attribute_exists(pk)');
    expect(Object.values(input.ExpressionAttributeNames!)).not.toContain('status');
    expect(Object.values(input.ExpressionAttributeValues!)).not.toContain('open');
  });

  it('takeNumber adds the seq increment; otherwise seq is untouched', () => {
    const withNumber = counterUpdate(TABLE, 'c1', change({ takeNumber: true }));
    const without = counterUpdate(TABLE, 'c1', change({}));
    expect(Object.values(withNumber.ExpressionAttributeNames!)).toContain('seq');
    expect(Object.values(without.ExpressionAttributeNames!)).not.toContain('seq');
  });

  it('never inlines an item id into the expression text', () => {
    const input = counterUpdate(TABLE, 'c1', change({ units: new Map([['c.d-e', 1]]), requireOpenAt: MIDDLE }));
    expect(input.UpdateExpression).not.toContain('c.d-e');
    expect(input.ConditionExpression).not.toContain('c.d-e');
    expect(Object.values(input.ExpressionAttributeNames!)).toContain('c.d-e');
  });

  it('stock condition only for increases of limited items', () => {
    const input = counterUpdate(
      TABLE,
      'c1',
      change({
        units: new Map([
          ['a', 3],
          ['b', 4],
          ['c.d-e', -1],
        ]),
      }),
    );
    const nameOf = (id: string) => Object.entries(input.ExpressionAttributeNames!).find(([, v]) => v === id)![0];
    const remainingName = Object.entries(input.ExpressionAttributeNames!).find(([, v]) => v === 'remaining')?.[0];
    expect(remainingName).toBeDefined();
    const conditionMentions = (id: string) => input.ConditionExpression.includes(`${remainingName}.${nameOf(id)}`);
    expect(conditionMentions('a')).toBe(true); // limited, increase
    expect(conditionMentions('b')).toBe(false); // unlimited
    expect(conditionMentions('c.d-e')).toBe(false); // limited, decrease
    expect(input.UpdateExpression).not.toContain(`${remainingName}.${nameOf('b')}`); // unlimited: no remaining at all
  });

  it('asTransactUpdate drops ReturnValues/ReturnConsumedCapacity and keeps ALL_OLD on failure', () => {
    const input = counterUpdate(TABLE, 'c1', change({ takeNumber: true }));
    const tx = asTransactUpdate(input);
    expect('ReturnValues' in tx).toBe(false);
    expect('ReturnConsumedCapacity' in tx).toBe(false);
    expect(tx.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
    expect(tx).toMatchObject({
      TableName: TABLE,
      Key: input.Key,
      UpdateExpression: input.UpdateExpression,
      ConditionExpression: input.ConditionExpression,
    });
  });
});

describe('counterUpdate: behaviour on a STATE item (join, change, cancel)', () => {
  const join = (units: Array<[string, number]>, at = MIDDLE) =>
    counterUpdate(TABLE, 'c1', change({ units: new Map(units), participants: 1, takeNumber: true, requireOpenAt: at }));

  it('a join takes the next number, counts the participant, reserves stock and bumps the version', () => {
    const after = run(
      join([
        ['a', 2],
        ['b', 3],
      ]),
      stateItem({ seq: 11, participants: 4, version: 7 }),
    );
    expect(after).toMatchObject({
      seq: 12,
      participants: 5,
      version: 8,
      sold: { a: 2, b: 3, 'c.d-e': 0 },
      remaining: { a: 3, 'c.d-e': 2 },
    });
    expect(after).not.toBeNull();
    expect(after!.remaining).not.toHaveProperty('b');
  });

  it.each([
    { name: 'exactly the remaining stock', stock: 2, qty: 2, ok: true },
    { name: 'one less than remaining', stock: 3, qty: 2, ok: true },
    { name: 'one more than remaining', stock: 1, qty: 2, ok: false },
    { name: 'sold out', stock: 0, qty: 1, ok: false },
  ])('stock: $name (remaining $stock, qty $qty) → allowed $ok', ({ stock, qty, ok }) => {
    const current = stateItem({ remaining: { a: stock, 'c.d-e': 2 } });
    const after = run(join([['a', qty]]), current);
    if (ok) expect(after).toMatchObject({ remaining: { a: stock - qty } });
    else expect(after).toBeNull();
  });

  it('an unlimited item never runs out', () => {
    const after = run(join([['b', 1_000_000]]), stateItem({ sold: { a: 0, b: 5_000_000, 'c.d-e': 0 } }));
    expect(after).toMatchObject({ sold: { b: 6_000_000 } });
  });

  it('a limited item in stock does not let another, sold-out limited item through', () => {
    const current = stateItem({ remaining: { a: 5, 'c.d-e': 0 } });
    expect(
      run(
        join([
          ['a', 1],
          ['c.d-e', 1],
        ]),
        current,
      ),
    ).toBeNull();
  });

  it.each([
    { name: 'one ms before opensAt', at: '2026-11-30T23:59:59.999Z', status: 'open' as const, ok: false },
    { name: 'exactly at opensAt', at: OPENS, status: 'open' as const, ok: true },
    { name: 'one ms before closesAt', at: '2026-12-03T11:59:59.999Z', status: 'open' as const, ok: true },
    { name: 'exactly at closesAt', at: CLOSES, status: 'open' as const, ok: false },
    { name: 'after closesAt', at: '2026-12-04T00:00:00.000Z', status: 'open' as const, ok: false },
    { name: 'closed by the leader, inside the window', at: MIDDLE, status: 'closed' as const, ok: false },
    { name: 'settled', at: MIDDLE, status: 'settled' as const, ok: false },
  ])('window: $name → allowed $ok', ({ at, status, ok }) => {
    const after = run(join([['b', 1]], at), stateItem({ status }));
    expect(after !== null).toBe(ok);
  });

  it('the join ring: a join pushes its token, and a retry of the same join is refused and locatable', () => {
    const first = run(join([['b', 1]]), stateItem({ seq: 4 }));
    expect(first).toMatchObject({ seq: 5, [ringSlot(JOIN_RING_SIZE - 1)]: 'tok-1', [ringSlot(0)]: '-' });
    // the same update again (an SDK retry after a lost response) must not take a second number
    expect(run(join([['b', 1]]), first!)).toBeNull();
    expect(seqAtRingPosition(first!.seq as number, ringPosition(first!, 'tok-1'))).toBe(5);
    // two more joins later, the token has moved two slots down and still names seq 5
    let later = first!;
    for (const token of ['tok-2', 'tok-3'])
      later = run(
        counterUpdate(
          TABLE,
          'c1',
          change({ units: new Map([['b', 1]]), participants: 1, takeNumber: true, requireOpenAt: MIDDLE, joinToken: token }),
        ),
        later,
      )!;
    expect(later.seq).toBe(7);
    expect(ringPosition(later, 'tok-1')).toBe(JOIN_RING_SIZE - 3);
    expect(seqAtRingPosition(later.seq as number, ringPosition(later, 'tok-1'))).toBe(5);
    expect(ringPosition(later, 'never')).toBe(-1);
  });

  it('a token pushed out of the ring after JOIN_RING_SIZE joins is forgotten', () => {
    let item = run(join([['b', 1]]), stateItem())!;
    for (let i = 0; i < JOIN_RING_SIZE; i++) {
      item = run(
        counterUpdate(
          TABLE,
          'c1',
          change({ units: new Map([['b', 1]]), participants: 1, takeNumber: true, requireOpenAt: MIDDLE, joinToken: `other-${i}` }),
        ),
        item,
      )!;
    }
    expect(ringPosition(item, 'tok-1')).toBe(-1);
  });

  it('no STATE item (unknown campaign) → condition fails', () => {
    expect(run(join([['b', 1]]), undefined)).toBeNull();
  });

  it('a cancel releases stock and the participant, keeps seq, and is not blocked by low stock', () => {
    const cancel = counterUpdate(
      TABLE,
      'c1',
      change({
        units: new Map([
          ['a', -2],
          ['b', -3],
        ]),
        participants: -1,
        requireOpenAt: MIDDLE,
      }),
    );
    const current = stateItem({ seq: 9, participants: 3, sold: { a: 5, b: 3, 'c.d-e': 0 }, remaining: { a: 0, 'c.d-e': 2 } });
    expect(run(cancel, current)).toMatchObject({ seq: 9, participants: 2, sold: { a: 3, b: 0 }, remaining: { a: 2 } });
  });

  it('a cancel after the deadline is refused, a repair-time release is not', () => {
    const units = new Map([['a', -1]]);
    const late = '2026-12-05T00:00:00.000Z';
    const current = stateItem({ sold: { a: 1, b: 0, 'c.d-e': 0 }, remaining: { a: 4, 'c.d-e': 2 }, participants: 1 });
    expect(run(counterUpdate(TABLE, 'c1', change({ units, participants: -1, requireOpenAt: late })), current)).toBeNull();
    expect(
      run(counterUpdate(TABLE, 'c1', change({ units, participants: -1, requireOpenAt: null })), { ...current, status: 'settled' }),
    ).toMatchObject({
      participants: 0,
      sold: { a: 0 },
      remaining: { a: 5 },
    });
  });

  it('a change that moves units between items checks only the increase', () => {
    const move = counterUpdate(
      TABLE,
      'c1',
      change({
        units: new Map([
          ['a', -1],
          ['c.d-e', 2],
        ]),
        requireOpenAt: MIDDLE,
      }),
    );
    const current = stateItem({ participants: 1, sold: { a: 1, b: 0, 'c.d-e': 0 }, remaining: { a: 4, 'c.d-e': 2 } });
    expect(run(move, current)).toMatchObject({ participants: 1, seq: 0, sold: { a: 0, 'c.d-e': 2 }, remaining: { a: 5, 'c.d-e': 0 } });
    expect(run(move, { ...current, remaining: { a: 4, 'c.d-e': 1 } })).toBeNull();
  });
});

describe('claimMember: one active slot per user per campaign', () => {
  const record = (idempotencyKey?: string): MemberRecord => ({
    userId: 'u1',
    token: 't_new',
    state: 'held',
    requestHash: 'hash-new',
    createdAt: MIDDLE,
    ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
  });
  const existing = (state: 'held' | 'released', idempotencyKey?: string): Item => ({
    pk: 'CAMPAIGN#c1',
    sk: 'MEMBER#u1',
    type: 'member',
    userId: 'u1',
    token: 't_old',
    state,
    requestHash: 'hash-old',
    createdAt: OPENS,
    ...(idempotencyKey !== undefined
      ? { idempotencyKey, [idempotencyAttribute(idempotencyKey)]: { token: 't_old', requestHash: 'hash-old', createdAt: OPENS } }
      : {}),
  });

  it('writes the member item under MEMBER#<userId> with its record and one attribute per key', () => {
    const input = claimMember(TABLE, 'c1', record('k1'));
    expect(input.TableName).toBe(TABLE);
    expect(input.Key).toEqual({ pk: 'CAMPAIGN#c1', sk: 'MEMBER#u1' });
    expect(run(input, undefined)).toEqual({
      type: 'member',
      userId: 'u1',
      token: 't_new',
      state: 'held',
      requestHash: 'hash-new',
      createdAt: MIDDLE,
      idempotencyKey: 'k1',
      [idempotencyAttribute('k1')]: { token: 't_new', requestHash: 'hash-new', createdAt: MIDDLE },
    });
  });

  it('keeps the keys of earlier joins: a rejoin after a cancel still refuses the first key', () => {
    const first = run(claimMember(TABLE, 'c1', record('k1')), undefined)!;
    const released = { ...first, state: 'released' };
    const second = run(claimMember(TABLE, 'c1', { ...record('k2'), token: 't_second' }), released)!;
    expect(second).toMatchObject({
      token: 't_second',
      [idempotencyAttribute('k1')]: { token: 't_new' },
      [idempotencyAttribute('k2')]: { token: 't_second' },
    });
    const releasedAgain = { ...second, state: 'released' };
    expect(conditionHolds(claimMember(TABLE, 'c1', record('k1')), releasedAgain)).toBe(false);
    expect(conditionHolds(claimMember(TABLE, 'c1', record('k3')), releasedAgain)).toBe(true);
  });

  it.each([{ key: undefined as string | undefined }, { key: 'k1' }])('placeholders are consistent (idempotency key $key)', ({ key }) => {
    expect(() => assertPlaceholdersConsistent(claimMember(TABLE, 'c1', record(key)))).not.toThrow();
  });

  it('without a key the condition does not mention idempotencyKey; with one it does', () => {
    const plain = claimMember(TABLE, 'c1', record());
    const keyed = claimMember(TABLE, 'c1', record('k1'));
    expect(Object.values(plain.ExpressionAttributeNames ?? {})).not.toContain('idempotencyKey');
    expect(Object.values(plain.ExpressionAttributeValues ?? {})).not.toContain('k1');
    expect(Object.values(keyed.ExpressionAttributeNames ?? {})).toContain('idempotencyKey');
    expect(Object.values(keyed.ExpressionAttributeValues ?? {})).toContain('k1');
  });

  it.each([
    { name: 'no claim yet', newKey: undefined, current: undefined, ok: true },
    { name: 'no claim yet (keyed)', newKey: 'k1', current: undefined, ok: true },
    { name: 'an active claim', newKey: undefined, current: existing('held'), ok: false },
    { name: 'an active claim (keyed, same key: a retry)', newKey: 'k1', current: existing('held', 'k1'), ok: false },
    { name: 'an active claim (keyed, other key)', newKey: 'k2', current: existing('held', 'k1'), ok: false },
    { name: 'a released claim (cancelled entry)', newKey: undefined, current: existing('released'), ok: true },
    { name: 'a released claim with a key, new join without key', newKey: undefined, current: existing('released', 'k1'), ok: true },
    { name: 'a released claim without key, new join with key', newKey: 'k2', current: existing('released'), ok: true },
    { name: 'a released claim with another key', newKey: 'k2', current: existing('released', 'k1'), ok: true },
    // a late retry of the old join: answered from the old claim, must not create a second entry
    { name: 'a released claim with the same key', newKey: 'k1', current: existing('released', 'k1'), ok: false },
  ])('$name → allowed $ok', ({ newKey, current, ok }) => {
    expect(conditionHolds(claimMember(TABLE, 'c1', record(newKey)), current)).toBe(ok);
  });
});

describe('household slots: slot k ≥ 1 is the map slot<k> on the same claim item', () => {
  const rec = (idempotencyKey?: string): MemberRecord => ({
    userId: 'u1',
    token: 't_k',
    state: 'held',
    requestHash: 'h',
    createdAt: MIDDLE,
    ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
  });
  const zeroHeld: Item = { pk: 'CAMPAIGN#c1', sk: 'MEMBER#u1', type: 'member', userId: 'u1', token: 't0', state: 'held' };

  it('claims slot 2 without touching slot 0, and records the key on the item', () => {
    const input = claimMember(TABLE, 'c1', rec('k1'), 2);
    assertPlaceholdersConsistent(input);
    expect(input.Key).toEqual({ pk: 'CAMPAIGN#c1', sk: 'MEMBER#u1' });
    expect(run(input, zeroHeld)).toMatchObject({
      token: 't0',
      state: 'held',
      slot2: { token: 't_k', state: 'held', requestHash: 'h', createdAt: MIDDLE },
      [idempotencyAttribute('k1')]: { token: 't_k' },
    });
  });

  it.each([
    { name: 'slot never used', current: zeroHeld, ok: true },
    { name: 'slot released', current: { ...zeroHeld, slot2: { token: 'x', state: 'released' } }, ok: true },
    { name: 'slot held', current: { ...zeroHeld, slot2: { token: 'x', state: 'held' } }, ok: false },
    { name: 'blocked (flag on the item)', current: { ...zeroHeld, blockedAt: MIDDLE }, ok: false },
    { name: 'too many expired holds', current: { ...zeroHeld, expiredHolds: MAX_EXPIRED_HOLDS }, ok: false },
    { name: 'the key used by another slot', current: { ...zeroHeld, [idempotencyAttribute('k1')]: { token: 't0' } }, ok: false },
  ])('$name → allowed $ok', ({ current, ok }) => {
    expect(conditionHolds(claimMember(TABLE, 'c1', rec('k1'), 2), current)).toBe(ok);
  });

  it('release and takeover address the slot by its token', () => {
    const held = { ...zeroHeld, slot1: { token: 't_k', state: 'held', requestHash: 'h', createdAt: OPENS } };
    const release = releaseClaim(TABLE, 'c1', 'u1', 't_k', 1);
    assertPlaceholdersConsistent(release);
    expect(run(release, held)).toMatchObject({ state: 'held', slot1: { token: 't_k', state: 'released' } });
    expect(run(releaseClaim(TABLE, 'c1', 'u1', 't0', 1), held)).toBeNull();
    const takeOver = takeOverClaim(TABLE, 'c1', { ...rec(), token: 't_new' }, 't_k', 1);
    assertPlaceholdersConsistent(takeOver);
    expect(run(takeOver, held)).toMatchObject({ token: 't0', slot1: { token: 't_new', state: 'held' } });
    expect(conditionHolds(takeOver, zeroHeld)).toBe(false);
  });
});

describe('takeOverClaim / restoreClaim / releaseClaim', () => {
  const rec: MemberRecord = { userId: 'u1', token: 't_new', state: 'held', requestHash: 'h', createdAt: MIDDLE };
  const claimed = (token: string): Item => ({ pk: 'CAMPAIGN#c1', sk: 'MEMBER#u1', token, state: 'held' });

  it('takeOverClaim only replaces the stale claim it names', () => {
    const input = takeOverClaim(TABLE, 'c1', rec, 't_stale');
    assertPlaceholdersConsistent(input);
    expect(input.Key).toEqual({ pk: 'CAMPAIGN#c1', sk: 'MEMBER#u1' });
    expect(run(input, claimed('t_stale'))).toMatchObject({ token: 't_new', state: 'held' });
    expect(conditionHolds(input, claimed('t_stale'))).toBe(true);
    expect(conditionHolds(input, claimed('t_other'))).toBe(false);
    expect(conditionHolds(input, undefined)).toBe(false);
  });

  it('restoreClaim puts back the previous slot 0 fields, only while the claim is still ours', () => {
    const previous: MemberRecord = { userId: 'u1', token: 't_old', state: 'released', requestHash: 'h0', createdAt: OPENS };
    const input = restoreClaim(TABLE, 'c1', { ...rec, idempotencyKey: 'k1' }, previous);
    assertPlaceholdersConsistent(input);
    expect(input.Key).toEqual({ pk: 'CAMPAIGN#c1', sk: 'MEMBER#u1' });
    expect(input.UpdateExpression).toBe(
      'SET #token = :p_token, #state = :p_state, #requestHash = :p_requestHash, #createdAt = :p_createdAt REMOVE #idem, #key',
    );
    expect(input.ExpressionAttributeValues).toMatchObject({ ':p_token': 't_old', ':p_state': 'released' });
    expect(input.ExpressionAttributeNames!['#idem']).toBe(idempotencyAttribute('k1'));
    expect(conditionHolds(input, claimed('t_new'))).toBe(true);
    expect(conditionHolds(input, claimed('t_someone_else'))).toBe(false);
  });

  it('restoreClaim with nothing before clears the slot, only while it is still ours', () => {
    const input = restoreClaim(TABLE, 'c1', rec, undefined);
    assertPlaceholdersConsistent(input);
    expect(input.UpdateExpression).toBe('REMOVE #token, #state, #requestHash, #createdAt');
    expect(conditionHolds(input, claimed('t_new'))).toBe(true);
    expect(conditionHolds(input, claimed('t_other'))).toBe(false);
  });

  it('restoreClaim of a household slot touches that slot only', () => {
    const before = { token: 't_old', state: 'released', requestHash: 'h0', createdAt: OPENS };
    const mine = { ...claimed('t_zero'), slot2: { token: 't_new', state: 'held', requestHash: 'h', createdAt: MIDDLE } };
    const back = restoreClaim(TABLE, 'c1', rec, { ...claimed('t_zero'), slot2: before }, 2);
    assertPlaceholdersConsistent(back);
    expect(back.UpdateExpression).toBe('SET #slot = :previous');
    expect(back.ExpressionAttributeNames!['#slot']).toBe('slot2');
    expect(applySet(back.UpdateExpression!, back.ExpressionAttributeNames, back.ExpressionAttributeValues, mine)).toMatchObject({
      token: 't_zero',
      slot2: before,
    });
    expect(conditionHolds(back, mine)).toBe(true);
    expect(conditionHolds(back, { ...mine, slot2: { ...mine.slot2, token: 't_other' } })).toBe(false);
    expect(restoreClaim(TABLE, 'c1', rec, claimed('t_zero'), 2).UpdateExpression).toBe('REMOVE #slot');
  });

  it('restoreClaim never wipes a block written while the join was in flight (the undo is skipped instead)', () => {
    const blockedMeanwhile = { ...claimed('t_new'), blockedAt: MIDDLE, blockedBy: 'u_leader' };
    const previous: MemberRecord = { userId: 'u1', token: 't_old', state: 'released', requestHash: 'h0', createdAt: OPENS };
    for (const input of [restoreClaim(TABLE, 'c1', rec, previous), restoreClaim(TABLE, 'c1', rec, undefined)]) {
      assertPlaceholdersConsistent(input);
      expect(conditionHolds(input, blockedMeanwhile)).toBe(false);
      expect(conditionHolds(input, claimed('t_new'))).toBe(true);
    }
  });

  it('claimMember refuses a blocked member and one who let MAX_EXPIRED_HOLDS holds expire; a block-only item is a free slot', () => {
    const join = claimMember(TABLE, 'c1', rec);
    const blockOnly: Item = { pk: 'CAMPAIGN#c1', sk: 'MEMBER#u1', type: 'member', userId: 'u1' };
    expect(conditionHolds(join, blockOnly)).toBe(true);
    expect(conditionHolds(join, { ...blockOnly, blockedAt: MIDDLE })).toBe(false);
    const released = { ...claimed('t_old'), state: 'released' };
    expect(conditionHolds(join, { ...released, expiredHolds: MAX_EXPIRED_HOLDS - 1 })).toBe(true);
    expect(conditionHolds(join, { ...released, expiredHolds: MAX_EXPIRED_HOLDS })).toBe(false);
    // (The evaluator knows no ADD clause; test/routes/expired-holds.test.ts counts on DynamoDB Local.)
    const expiry = releaseExpiredClaim(TABLE, 'c1', 'u1', 't_old');
    expect(expiry.UpdateExpression).toBe('SET #state = :released ADD #expiredHolds :one');
    expect(conditionHolds(expiry, claimed('t_other'))).toBe(false);
  });

  it('releaseClaim marks the claim released only for the join (token) whose entry is cancelled', () => {
    const input = releaseClaim(TABLE, 'c1', 'u1', 't_new');
    expect(input.Key).toEqual({ pk: 'CAMPAIGN#c1', sk: 'MEMBER#u1' });
    expect(run(input, claimed('t_new'))).toMatchObject({ state: 'released', token: 't_new' });
    expect(run(input, claimed('t_other'))).toBeNull();
  });
});

describe('putEntry: the numbered 接龙 line with its index keys', () => {
  const record = (seq: number): EntryRecord => ({
    id: `e${seq}_tok`,
    campaignId: 'c1',
    campaignTitle: '周六 阳光玫瑰葡萄 团购',
    seq,
    userId: 'u_42',
    nickname: '王小明',
    items: [{ itemId: 'a', qty: 2 }],
    note: null,
    pickupPointId: null,
    phone: null,
    status: 'active',
    createdAt: '2026-12-02T08:00:00.000Z',
    updatedAt: '2026-12-02T08:00:00.000Z',
    version: 1,
  });

  it.each([
    { seq: 1, sk: 'ENTRY#0000000001' },
    { seq: 12, sk: 'ENTRY#0000000012' },
    { seq: 999, sk: 'ENTRY#0000000999' },
    { seq: 1_234_567_890, sk: 'ENTRY#1234567890' },
  ])('seq $seq → sk $sk: the base table lists entries in 接龙 order', ({ seq, sk }) => {
    expect(putEntry(TABLE, record(seq)).Item).toMatchObject({ sk });
  });

  it('keys: entry item in the campaign partition, gsi1 under the participant, newest-first sortable', () => {
    const input = putEntry(TABLE, record(12));
    expect(input.TableName).toBe(TABLE);
    expect(input.Item).toMatchObject({
      pk: 'CAMPAIGN#c1',
      sk: 'ENTRY#0000000012',
      gsi1pk: 'PARTICIPANT#u_42',
      gsi1sk: '2026-12-02T08:00:00.000Z#e12_tok',
      type: 'entry',
      id: 'e12_tok',
      seq: 12,
      userId: 'u_42',
      nickname: '王小明',
    });
    expect(input.Item).not.toHaveProperty('gsi2pk');
    expect(input.Item).not.toHaveProperty('lsi1sk');
  });

  it('never overwrites: condition attribute_not_exists(pk), so a number is taken by one line only', () => {
    const input = putEntry(TABLE, record(12));
    expect(input.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(conditionHolds(input, undefined)).toBe(true);
    expect(conditionHolds(input, { pk: 'CAMPAIGN#c1', sk: 'ENTRY#0000000012', void: true })).toBe(false);
    expect(conditionHolds(input, { pk: 'CAMPAIGN#c1', sk: 'ENTRY#0000000012', type: 'tombstone' })).toBe(false);
    expect(conditionHolds(input, { pk: 'CAMPAIGN#c1', sk: 'ENTRY#0000000012', type: 'entry', id: 'e12_other' })).toBe(false);
  });
});

describe('updateEntry: optimistic concurrency on an active entry', () => {
  const current: Item = {
    pk: 'CAMPAIGN#c1',
    sk: 'ENTRY#0000000001',
    status: 'active',
    version: 3,
    note: '旧',
    items: [{ itemId: 'a', qty: 1 }],
    phone: '13800138000',
  };
  const update = (version: number) =>
    updateEntry(TABLE, 'c1', 1, version, { items: [{ itemId: 'a', qty: 4 }], note: null, phone: undefined }, '2026-12-02T09:00:00.000Z');

  it('applies the given fields, skips undefined ones, bumps the version and updatedAt', () => {
    const input = update(3);
    expect(input.Key).toEqual({ pk: 'CAMPAIGN#c1', sk: 'ENTRY#0000000001' });
    expect(run(input, current)).toEqual({
      ...current,
      items: [{ itemId: 'a', qty: 4 }],
      note: null,
      version: 4,
      updatedAt: '2026-12-02T09:00:00.000Z',
    });
  });

  it.each([
    { name: 'someone changed it since we read it', version: 2, status: 'active', ok: false },
    { name: 'it was cancelled', version: 3, status: 'cancelled', ok: false },
    { name: 'unchanged and active', version: 3, status: 'active', ok: true },
  ])('$name → applied $ok', ({ version, status, ok }) => {
    expect(run(update(version), { ...current, status }) !== null).toBe(ok);
  });
});

describe('newStateRecord', () => {
  it('creates the STATE item once', () => {
    const input = newStateRecord(TABLE, 'c1', initialState(def));
    expect(input.Item).toMatchObject({
      pk: 'CAMPAIGN#c1',
      sk: '#STATE',
      type: 'state',
      status: 'open',
      seq: 0,
      participants: 0,
      remaining: { a: 5, 'c.d-e': 2 },
    });
    expect(conditionHolds(input, undefined)).toBe(true);
    expect(conditionHolds(input, stateItem())).toBe(false);
  });
});
