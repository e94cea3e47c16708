import { type ImageView, type ImageViewing, imageView } from './images.js';
import { acceptsEntries, effectiveStatus } from './lifecycle.js';
import { maskNickname } from './masking.js';
import { priceItems } from './pricing.js';
import type { CampaignDefinition, CampaignState, Entry } from './types.js';

/**
 * The Campaign the API returns: definition + live counters + pricing at this moment. With `media`,
 * the photos too (`coverImage`, each item's `images`): URLs of the sizes for a list and a detail,
 * only those WeChat's check passed unless the reader is staff (who also see each one's status).
 */
export function campaignView(def: CampaignDefinition, state: CampaignState, now: Date, media?: ImageViewing) {
  const priced = priceItems(def.tierBasis, def.items, state.sold, state.participants);
  const photo = (id: string): ImageView | null => {
    const image = def.images?.[id];
    return image && media ? imageView(def.id, image, media) : null;
  };
  const photos = (ids: string[] | undefined) => (ids ?? []).map(photo).filter((v): v is ImageView => v !== null);
  return {
    id: def.id,
    shareCode: def.shareCode,
    leaderId: def.leaderId,
    status: effectiveStatus(state.status, def.closesAt, now),
    acceptingEntries: acceptsEntries(def, state, now),
    title: def.title,
    description: def.description,
    opensAt: def.opensAt,
    closesAt: def.closesAt,
    tierBasis: def.tierBasis,
    minParticipants: def.minParticipants,
    participantCount: state.participants,
    paymentMode: def.paymentMode,
    paymentHoldMinutes: def.paymentHoldMinutes,
    maxEntriesPerUser: def.maxEntriesPerUser ?? 1,
    ...(def.communityId ? { communityId: def.communityId } : {}),
    ...(media ? { coverImage: def.coverImageId ? photo(def.coverImageId) : null } : {}),
    items: def.items.map(({ imageIds, ...item }, i) => {
      const sold = state.sold[item.id] ?? 0;
      return {
        ...item,
        ...(media ? { images: photos(imageIds) } : {}),
        sold,
        remaining: item.stock === null ? null : item.stock - sold,
        currentUnitPrice: priced[i]!.currentUnitPrice,
        nextTier: priced[i]!.nextTier,
      };
    }),
    pickupPoints: def.pickupPoints,
    ...(def.contentReview && def.contentReview.length > 0 ? { contentReview: def.contentReview } : {}),
    ...(state.callOff ? { callOff: state.callOff } : {}),
    createdAt: def.createdAt,
  };
}

export type Viewer =
  | { kind: 'public' }
  | { kind: 'user'; userId: string }
  | { kind: 'leader'; userId: string }
  /** a helper (团长助手) of the campaign: sees the list like the leader */
  | { kind: 'helper'; userId: string };

/**
 * An entry as the viewer may see it: the leader, the campaign's helpers and the owner see
 * everything; everyone else sees the masked nickname and never the phone or user id. Pickup marks
 * (who ticked an entry off) are not part of this view.
 */
export function entryView(
  entry: Entry,
  viewer: Viewer,
  /** the member's title (荣誉称号) in the campaign's community */ title?: string | null,
) {
  const mine = viewer.kind !== 'public' && viewer.userId === entry.userId;
  const full = viewer.kind === 'leader' || viewer.kind === 'helper' || mine;
  return {
    id: entry.id,
    campaignId: entry.campaignId,
    seq: entry.seq,
    ...(full ? { userId: entry.userId, phone: entry.phone } : {}),
    nickname: full ? entry.nickname : entry.nickname === '' ? '' : maskNickname(entry.nickname),
    ...(title ? { title } : {}),
    items: entry.items,
    note: entry.note,
    pickupPointId: entry.pickupPointId,
    status: entry.status,
    ...(entry.holdUntil ? { holdUntil: entry.holdUntil } : {}),
    ...(full && entry.contentReview && entry.contentReview.length > 0 ? { contentReview: entry.contentReview } : {}),
    ...(viewer.kind !== 'public' ? { isMine: mine } : {}),
    createdAt: entry.createdAt,
    updatedAt: entry.updatedAt,
  };
}
