import type { CampaignDefinition, CampaignState, CampaignStatus, EntryStatus } from './types.js';

/**
 * Lifecycle rules. The stored status only changes by explicit actions (close, settle), but a
 * campaign past `closesAt` must read as closed and refuse changes even if no job has run yet,
 * so every reader derives the effective status from the stored one and the clock.
 */
export function effectiveStatus(stored: CampaignStatus, closesAt: string, now: Date): CampaignStatus {
  if (stored === 'open' && now.getTime() >= Date.parse(closesAt)) return 'closed';
  return stored;
}

/** Joins, changes and cancels are allowed only in [opensAt, closesAt) while stored status is open. */
export function acceptsEntries(
  def: Pick<CampaignDefinition, 'opensAt' | 'closesAt'>,
  state: Pick<CampaignState, 'status'>,
  now: Date,
): boolean {
  const t = now.getTime();
  return state.status === 'open' && t >= Date.parse(def.opensAt) && t < Date.parse(def.closesAt);
}

export type NotOpenReason = 'draft' | 'not_yet_open' | 'past_deadline' | 'closed' | 'settled' | 'cancelled';

export function notOpenReason(
  def: Pick<CampaignDefinition, 'opensAt' | 'closesAt'>,
  state: Pick<CampaignState, 'status'>,
  now: Date,
): NotOpenReason | null {
  if (state.status === 'cancelled') return 'cancelled';
  if (state.status === 'settled' || state.status === 'failed') return 'settled';
  if (state.status === 'closed') return 'closed';
  if (state.status === 'draft') return 'draft';
  const t = now.getTime();
  if (t < Date.parse(def.opensAt)) return 'not_yet_open';
  if (t >= Date.parse(def.closesAt)) return 'past_deadline';
  return null;
}

/** Settling needs the list frozen: closed by the leader, or past the deadline. */
export function canSettle(def: Pick<CampaignDefinition, 'closesAt'>, state: Pick<CampaignState, 'status'>, now: Date): boolean {
  return effectiveStatus(state.status, def.closesAt, now) === 'closed';
}

/**
 * Every entry of a called-off campaign reads as cancelled: the call-off is one write on the
 * campaign, not one per entry, and the stored lines stay as they were (the record of who ordered what).
 */
export function effectiveEntry<E extends { status: EntryStatus }>(entry: E, state: Pick<CampaignState, 'status'>): E {
  if (state.status !== 'cancelled' || (entry.status !== 'active' && entry.status !== 'pending_payment')) return entry;
  return { ...entry, status: 'cancelled' };
}
