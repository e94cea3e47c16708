import type { CampaignImage } from './images.js';
import type { PointsHold } from './points.js';

/** How members pay: offline (cash, transfer; the leader marks it) or WeChat Pay. */
export type PaymentMode = 'offline' | 'wechatpay';

/** Plain domain shapes shared by the pure core, the aggregates and the HTTP layer. Money is fen. */
export type TierBasis = 'quantity' | 'participants';
/**
 * What is stored. `closed` is also what an `open` campaign past `closesAt` reads as. `cancelled`:
 * the leader called it off (POST …/call-off), before or after settling; every entry then costs 0.
 */
export type CampaignStatus = 'draft' | 'open' | 'closed' | 'settled' | 'failed' | 'cancelled';

/** Why and when the leader called a campaign off, and the status it had then. */
export interface CallOff {
  cancelReason: string;
  cancelledAt: string;
  cancelledBy: string;
  previousStatus: 'open' | 'closed' | 'settled' | 'failed';
}
/**
 * `pending_payment`: a prepaid join holding its units until it is paid or its hold ends;
 * `expired`: such a join that was not paid in time (its number stays, like a cancelled one).
 */
export type EntryStatus = 'active' | 'cancelled' | 'pending_payment' | 'expired';

export interface Tier {
  threshold: number;
  unitPrice: number;
}

export interface ItemDefinition {
  id: string;
  name: string;
  spec: string | null;
  unitPrice: number;
  /** null: unlimited */
  stock: number | null;
  /** null: no limit */
  perPersonLimit: number | null;
  tiers: Tier[];
  /** photo ids (the campaign's `images`), in order, at most MAX_ITEM_IMAGES */
  imageIds?: string[];
}

export interface PickupPoint {
  id: string;
  name: string;
  address: string | null;
}

/** What the leader defined; does not change while entries come in. */
export interface CampaignDefinition {
  id: string;
  shareCode: string;
  leaderId: string;
  title: string;
  description: string;
  opensAt: string;
  closesAt: string;
  tierBasis: TierBasis;
  minParticipants: number;
  items: ItemDefinition[];
  pickupPoints: PickupPoint[];
  createdAt: string;
  /** how members pay: `offline` (the leader ticks off transfers) or `wechatpay` (prepay when joining) */
  paymentMode: PaymentMode;
  /** wechatpay: minutes a join holds its stock waiting for the payment */
  paymentHoldMinutes: number;
  /**
   * active entries one user may hold here (1..CAMPAIGN_LIMITS.entriesPerUser; 1 unless the leader allows a
   * household to order more than once under one account). Each entry is its own 接龙 line and number;
   * perPersonLimit bounds each entry. Edits may raise it, never lower it (members may hold that many).
   */
  maxEntriesPerUser: number;
  /** texts WeChat content security said to `review` (e.g. `title`, `items[0].name`), for the leader's attention */
  contentReview?: string[];
  /** photos attached (POST …/images), by id; where they show is `coverImageId` and each item's `imageIds` */
  images?: Record<string, CampaignImage>;
  coverImageId?: string | null;
  /** the community (社群) it is published into, if any: that community's team is its staff too */
  communityId?: string;
}

/** The live counters: the one small, hot record every join, change and cancel updates. */
export interface CampaignState {
  status: CampaignStatus;
  /** last 接龙 number handed out */
  seq: number;
  /** active entries */
  participants: number;
  /** Σ qty of active entries, per item id */
  sold: Record<string, number>;
  closedAt: string | null;
  settledAt: string | null;
  /** set once the campaign is called off (status `cancelled`) */
  callOff: CallOff | null;
}

export interface EntryLine {
  itemId: string;
  qty: number;
}

export interface Entry {
  id: string;
  campaignId: string;
  seq: number;
  userId: string;
  nickname: string;
  items: EntryLine[];
  note: string | null;
  pickupPointId: string | null;
  phone: string | null;
  status: EntryStatus;
  createdAt: string;
  updatedAt: string;
  /** Optimistic-concurrency version, bumped by every change. */
  version: number;
  /** pending_payment: when the hold ends (the order can no longer be paid) */
  holdUntil?: string;
  /** who shared the code or link the member joined through (a user id; never the member themself) */
  referredBy?: string;
  /** `note` when WeChat content security said `review` or could not check it, for the leader's attention */
  contentReview?: string[];
  /** points the member reserved to spend on this entry at settlement (a community campaign; shared/points) */
  pointsHold?: PointsHold;
}
