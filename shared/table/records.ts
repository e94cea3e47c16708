import type { CallOff, CampaignDefinition, CampaignState, Entry, SettlementSummary } from '../domain/index.js';
import { DEFAULT_PAYMENT_HOLD_MINUTES } from '../domain/index.js';
import { itemKind } from './items.js';
import { keys } from './keys.js';

/**
 * Stored shapes and their mapping to domain objects. Key attributes (pk, sk, index keys) live on
 * the records but never leak into domain objects.
 */
export interface StateRecord {
  status: CampaignState['status'];
  seq: number;
  participants: number;
  sold: Record<string, number>;
  /** only items with limited stock have an entry: the join condition is `remaining.i >= qty` */
  remaining: Record<string, number>;
  /** copies of the definition's window, so the join's one conditional write can check it */
  opensAt: string;
  closesAt: string;
  /** bumped by every change of the counters; lets repair recompute them without a lost update */
  version: number;
  closedAt?: string;
  settledAt?: string;
  /** the call-off (status `cancelled`), written once by settlement/call-off.ts */
  callOff?: CallOff;
}

export interface MemberRecord {
  userId: string;
  /**
   * the join's random token, known before its number: in the STATE ring while recent, and the tail
   * of its entry id `e<seq>_<token>` (entries.ts locateJoin goes from a claim to its entry)
   */
  token: string;
  /** held: the user has (or is being given) the active entry of `token`; released: it was cancelled */
  state: 'held' | 'released';
  idempotencyKey?: string;
  requestHash: string;
  createdAt: string;
  /** holds of this user in this campaign that expired unpaid (counted by the expiry; joins refuse at MAX_EXPIRED_HOLDS) */
  expiredHolds?: number;
  /** set while the leader or a helper blocks the user from the campaign (joins refuse, whatever the slot) */
  blockedAt?: string;
  blockedBy?: string;
}

/** An entry as stored: the domain Entry plus what listings need without another read. */
export interface EntryRecord extends Entry {
  /** the campaign's title when the member joined, for "my entries" */
  campaignTitle: string;
  /** a line that never became an entry: a crashed join's number, filled in by repair */
  void?: boolean;
  /** 代客下单: who entered it (the leader or a helper); userId is a guest id (`g_…`) until a member claims it */
  enteredBy?: string;
  /** when a member took the entry over with its claim code */
  claimedAt?: string;
  /** household campaigns: which of the user's claim slots holds this entry (absent: slot 0, the only one when maxEntriesPerUser is 1) */
  slot?: number;
}

export function toState(r: StateRecord): CampaignState {
  return {
    status: r.status,
    seq: r.seq,
    participants: r.participants,
    sold: r.sold,
    closedAt: r.closedAt ?? null,
    settledAt: r.settledAt ?? null,
    callOff: r.callOff ?? null,
  };
}

export function toEntry(r: EntryRecord): Entry {
  return {
    id: r.id,
    campaignId: r.campaignId,
    seq: r.seq,
    userId: r.userId,
    nickname: r.nickname,
    items: r.items,
    note: r.note ?? null,
    pickupPointId: r.pickupPointId ?? null,
    phone: r.phone ?? null,
    status: r.status,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    version: r.version,
    ...(r.holdUntil && r.status === 'pending_payment' ? { holdUntil: r.holdUntil } : {}),
    ...(r.referredBy ? { referredBy: r.referredBy } : {}),
    ...(r.contentReview && r.contentReview.length > 0 ? { contentReview: r.contentReview } : {}),
    ...(r.pointsHold ? { pointsHold: r.pointsHold } : {}),
  };
}

const DEFINITION_FIELDS = [
  'id',
  'shareCode',
  'leaderId',
  'title',
  'description',
  'opensAt',
  'closesAt',
  'tierBasis',
  'minParticipants',
  'items',
  'pickupPoints',
  'createdAt',
  'paymentMode',
  'paymentHoldMinutes',
  'maxEntriesPerUser',
] as const;

export function toDefinition(r: Record<string, unknown>): CampaignDefinition {
  const out: Record<string, unknown> = {};
  for (const f of DEFINITION_FIELDS) out[f] = r[f];
  // Campaigns created before payments existed are offline ones.
  out.paymentMode ??= 'offline';
  out.paymentHoldMinutes ??= DEFAULT_PAYMENT_HOLD_MINUTES;
  // Campaigns created before household entries allow one entry per user.
  out.maxEntriesPerUser ??= 1;
  // Only campaigns content security flagged carry it (and an edit may leave it empty).
  if (Array.isArray(r.contentReview) && r.contentReview.length > 0) out.contentReview = r.contentReview;
  // Photos (shared/images): only campaigns that ever had one carry the map; the cover may be null.
  if (r.images && typeof r.images === 'object') out.images = r.images;
  if (typeof r.coverImageId === 'string') out.coverImageId = r.coverImageId;
  // Only campaigns published into a community (shared/communities) carry it.
  if (typeof r.communityId === 'string') out.communityId = r.communityId;
  return out as unknown as CampaignDefinition;
}

export function initialState(def: CampaignDefinition, status: 'open' | 'draft' = 'open'): StateRecord {
  const sold: Record<string, number> = {};
  const remaining: Record<string, number> = {};
  for (const item of def.items) {
    sold[item.id] = 0;
    if (item.stock !== null) remaining[item.id] = item.stock;
  }
  return { status, seq: 0, participants: 0, sold, remaining, opensAt: def.opensAt, closesAt: def.closesAt, version: 0, ...emptyRing() };
}

/**
 * The STATE item remembers the tokens of the last JOIN_RING_SIZE joins in fixed slots j0..j31
 * (j31 newest). A retried reserve whose first attempt did commit (response lost, SDK retry) then
 * fails its `not in ring` condition instead of taking a second number, and the ring position tells
 * which number the first attempt took. 32 short tokens keep STATE well under 1 KB.
 */
export const JOIN_RING_SIZE = 32;
export const ringSlot = (i: number) => `j${i}`;

export function emptyRing(): Record<string, string> {
  const ring: Record<string, string> = {};
  for (let i = 0; i < JOIN_RING_SIZE; i++) ring[ringSlot(i)] = '-';
  return ring;
}

/** The STATE item's first put, when a campaign is created. */
export function newStateRecord(
  tableName: string,
  campaignId: string,
  state: StateRecord,
): { TableName: string; Item: Record<string, unknown>; ConditionExpression: string } {
  return {
    TableName: tableName,
    Item: { ...keys.campaignState(campaignId), type: 'state', ...state },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/** The frozen settlement summary (`#SETTLEMENT`), written by settlement and read with every campaign. */
export const settlementItem = itemKind<SettlementSummary>('settlement');
