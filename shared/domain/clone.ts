import type { CampaignDefinition } from './types.js';

export interface CloneOptions {
  readonly id: string;
  readonly leaderId: string;
  readonly now: Date;
  readonly opensAt: Date;
  readonly closesAt: Date;
  /** a new title; absent: the source's */
  readonly title?: string | undefined;
  /** the photos come along (their objects are copied to the new campaign by the caller); false: no photos */
  readonly withImages: boolean;
}

/**
 * A past campaign as a new draft (再来一团): the same items (ids, names, specs, prices, tiers,
 * limits and the stock it started with), pickup points, tier basis, minimum and payment settings;
 * new id, times and share code (made when it is written), no entries. Texts that content security
 * flagged keep their flags, photos keep their checks; a new title is judged on its own (the caller checks it).
 */
export function cloneDefinition(source: CampaignDefinition, opts: CloneOptions): Omit<CampaignDefinition, 'shareCode'> {
  const review = (source.contentReview ?? []).filter((path) => opts.title === undefined || path !== 'title');
  return {
    id: opts.id,
    leaderId: opts.leaderId,
    title: opts.title ?? source.title,
    description: source.description,
    opensAt: opts.opensAt.toISOString(),
    closesAt: opts.closesAt.toISOString(),
    tierBasis: source.tierBasis,
    minParticipants: source.minParticipants,
    items: source.items.map((item) => ({
      id: item.id,
      name: item.name,
      spec: item.spec,
      unitPrice: item.unitPrice,
      stock: item.stock,
      perPersonLimit: item.perPersonLimit,
      tiers: item.tiers.map((t) => ({ threshold: t.threshold, unitPrice: t.unitPrice })),
      ...(opts.withImages && item.imageIds ? { imageIds: [...item.imageIds] } : {}),
    })),
    pickupPoints: source.pickupPoints.map((p) => ({ id: p.id, name: p.name, address: p.address })),
    createdAt: opts.now.toISOString(),
    paymentMode: source.paymentMode,
    paymentHoldMinutes: source.paymentHoldMinutes,
    maxEntriesPerUser: source.maxEntriesPerUser ?? 1,
    // Next week's campaign stays in the community (the caller drops it if the leader may no longer publish there).
    ...(source.communityId ? { communityId: source.communityId } : {}),
    ...(review.length > 0 ? { contentReview: review } : {}),
    // The same bytes, so WeChat's verdicts hold for the copies too (no second check).
    ...(opts.withImages && source.images ? { images: structuredClone(source.images), coverImageId: source.coverImageId ?? null } : {}),
  };
}
