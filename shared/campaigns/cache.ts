import type { DbContext } from '../table/index.js';
import { type StateRecord, toState } from '../table/index.js';
import type { CampaignSnapshot } from './snapshot.js';

/** The table context of campaign reads and writes, with the join path's snapshot cache (absent: always read). */
export interface CampaignDb extends DbContext {
  readonly cache?: CampaignCache;
}

/**
 * A per-process cache of campaign snapshots, used by the join path only, so that a join in the
 * common case costs its three writes and no read. It is safe because it is never trusted to say
 * no: the reserve step's condition decides acceptance, and any rejection the cache suggests
 * (closed, sold out) is confirmed with a fresh consistent read before it is answered. The counters
 * are kept warm from the reserve step's own return values. Times are the process's monotonic clock,
 * not the business clock: this is about staleness, not deadlines.
 */
export class CampaignCache {
  private readonly entries = new Map<string, { snapshot: CampaignSnapshot; at: number }>();

  constructor(
    private readonly ttlMs = 5_000,
    private readonly maxEntries = 1_000,
    private readonly monotonicNow: () => number = () => performance.now(),
  ) {}

  get(campaignId: string): CampaignSnapshot | undefined {
    const hit = this.entries.get(campaignId);
    if (!hit) return undefined;
    if (this.monotonicNow() - hit.at > this.ttlMs) {
      this.entries.delete(campaignId);
      return undefined;
    }
    return hit.snapshot;
  }

  put(snapshot: CampaignSnapshot): void {
    this.entries.delete(snapshot.def.id);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(snapshot.def.id, { snapshot, at: this.monotonicNow() });
  }

  /** Fold a reserve step's returned attributes (UPDATED_NEW or ALL_OLD) into the cached counters. */
  updateState(campaignId: string, attributes: Record<string, unknown> | undefined): void {
    const hit = this.entries.get(campaignId);
    if (!hit || !attributes) return;
    const before = hit.snapshot.stateRecord;
    const merged: StateRecord = {
      ...before,
      ...(attributes as Partial<StateRecord>),
      sold: { ...before.sold, ...((attributes.sold as Record<string, number>) ?? {}) },
      remaining: { ...before.remaining, ...((attributes.remaining as Record<string, number>) ?? {}) },
    };
    hit.snapshot = { ...hit.snapshot, stateRecord: merged, state: toState(merged) };
  }
}
