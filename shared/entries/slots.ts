import { CAMPAIGN_LIMITS } from '../domain/index.js';
import type { MemberRecord } from '../table/index.js';

/**
 * Household entries (a campaign's `maxEntriesPerUser` N > 1): a user may hold up to N active
 * entries, one per claim slot 0..N-1. Every slot lives on the user's one claim item
 * `MEMBER#<userId>`: slot 0 in its top-level fields (exactly the claim of a one-entry campaign),
 * slot k ≥ 1 in the map attribute `slot<k>` = {token, state, requestHash, createdAt}.
 *
 * One item, not one per slot, because everything a join must check rides on it: the block, the
 * expired-hold count and every Idempotency-Key record. So a claim of any slot is still one
 * conditional write that checks them all atomically, and two requests with the same key can never
 * take two slots (they meet on the same `idem_…` attribute). An entry remembers its slot (`slot`
 * on the entry, absent for 0), so cancel, expiry and revival address that slot only.
 */
export type SlotClaim = Pick<MemberRecord, 'token' | 'state' | 'requestHash' | 'createdAt'>;

/** The claim item as stored: slot 0's record, the slot maps, one `idem_…` attribute per Idempotency-Key. */
export type StoredClaim = MemberRecord & Record<string, unknown>;

/** Slots a claim item may have. */
export const MAX_SLOTS = CAMPAIGN_LIMITS.entriesPerUser;

export const slotAttribute = (slot: number) => `slot${slot}`;

/**
 * Where a slot's `field` is in an expression, adding the names it uses: `#token` for slot 0,
 * `#slot.#token` for slot k (one slot per expression, always named `#slot`).
 */
export function slotField(slot: number, field: keyof SlotClaim, names: Record<string, string>): string {
  names[`#${field}`] = field;
  if (slot === 0) return `#${field}`;
  names['#slot'] = slotAttribute(slot);
  return `#slot.#${field}`;
}

/** The claim of one slot as stored, or undefined when the slot was never used. */
export function slotClaim(item: Record<string, unknown> | undefined, slot: number): SlotClaim | undefined {
  if (!item) return undefined;
  const raw = (slot === 0 ? item : item[slotAttribute(slot)]) as Partial<SlotClaim> | undefined;
  return raw && typeof raw.token === 'string' ? (raw as SlotClaim) : undefined;
}

/** The slot whose claim is the join of `token`, or -1. */
export function slotHolding(item: Record<string, unknown> | undefined, token: string): number {
  for (let k = 0; k < MAX_SLOTS; k++) if (slotClaim(item, k)?.token === token) return k;
  return -1;
}

/** The lowest slot below `slots` with no held claim (never used, or released), or -1 when all are held. */
export function freeSlot(item: Record<string, unknown> | undefined, slots: number): number {
  for (let k = 0; k < slots; k++) if (slotClaim(item, k)?.state !== 'held') return k;
  return -1;
}

/** Every held slot of the item, with its claim (repair, blocks). */
export function heldSlots(item: Record<string, unknown>): Array<{ slot: number; claim: SlotClaim }> {
  const held: Array<{ slot: number; claim: SlotClaim }> = [];
  for (let k = 0; k < MAX_SLOTS; k++) {
    const claim = slotClaim(item, k);
    if (claim?.state === 'held') held.push({ slot: k, claim });
  }
  return held;
}

/**
 * The item seen as the claim of one slot: that slot's token, state, hash and time in the top-level
 * fields, everything else (block, expired holds, Idempotency-Key records) as stored. What the
 * join's answers about an existing claim read.
 */
export function slotView(item: StoredClaim, slot: number): StoredClaim {
  if (slot === 0) return item;
  const claim = slotClaim(item, slot);
  const { token: _t, state: _s, requestHash: _r, createdAt: _c, ...rest } = item;
  return { ...rest, ...(claim ?? {}) } as StoredClaim;
}
