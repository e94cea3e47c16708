/**
 * Campaign photos as the pure core sees them: the two sizes each photo comes in, what an upload
 * may be, where its objects live, what WeChat's image check said, and who may see it.
 */

/** Each photo is uploaded twice, compressed by the mini-program (wx.compressImage): for a list and for a detail page. */
export const IMAGE_VARIANTS = ['list', 'detail'] as const;
export type ImageVariant = (typeof IMAGE_VARIANTS)[number];

/** What WeChat's image check (mediaCheckAsync) reads, and every phone shows: no webp, no gif animations. */
export const IMAGE_TYPES = ['image/jpeg', 'image/png'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

/**
 * Per size: the most bytes the upload policy lets through and the widest image attach accepts. A
 * list thumbnail at 750 px is a full phone width (750 rpx); a detail at 1,920 px stays sharp when
 * zoomed. Both are far under mediaCheckAsync's 10 MB per file (wechat-facts §3).
 */
export const IMAGE_LIMITS: Record<ImageVariant, { maxBytes: number; maxWidth: number }> = {
  list: { maxBytes: 300 * 1024, maxWidth: 750 },
  detail: { maxBytes: 3 * 1024 * 1024, maxWidth: 1920 },
};

/** Photos per item, the norm of a WeChat group-buy post (九宫格), besides the campaign's one cover. */
export const MAX_ITEM_IMAGES = 9;

/** How long a presigned upload form works: enough for a slow phone network, short enough not to be passed around. */
export const UPLOAD_TTL_SECONDS = 10 * 60;

/**
 * One size's check: WeChat's trace id, then its verdict when the 消息推送 arrives. `unchecked`:
 * WeChat is not configured on this server, so nothing checks it (and nothing hides it).
 */
export interface ImageCheck {
  traceId: string | null;
  /** pass | review | risky from WeChat; `failed`: WeChat could not download it (v1 status_code −1008) */
  result: 'pending' | 'pass' | 'review' | 'risky' | 'failed' | 'unchecked';
  checkedAt?: string;
}

/** A photo attached to a campaign (kept in its definition, `images` by id). */
export interface CampaignImage {
  id: string;
  contentType: ImageType;
  width: Record<ImageVariant, number>;
  height: Record<ImageVariant, number>;
  bytes: Record<ImageVariant, number>;
  checks: Record<ImageVariant, ImageCheck>;
  attachedBy: string;
  attachedAt: string;
}

/** Where each photo goes: the cover, and each item's photos in order. */
export interface ImageLayout {
  coverImageId: string | null;
  /** item id → photo ids, shown in this order */
  itemImages: Record<string, string[]>;
}

/**
 * The photo's standing from its two checks: `visible` only when both passed (or nothing checks
 * them); `rejected` when either was risky; `review` when WeChat wants a person to look; `pending`
 * until the verdicts arrive; `failed` when WeChat could not fetch one.
 */
export type ImageStatus = 'visible' | 'pending' | 'review' | 'rejected' | 'failed';

export function imageStatus(image: Pick<CampaignImage, 'checks'>): ImageStatus {
  const results = IMAGE_VARIANTS.map((v) => image.checks[v].result);
  if (results.includes('risky')) return 'rejected';
  if (results.includes('failed')) return 'failed';
  if (results.includes('review')) return 'review';
  if (results.includes('pending')) return 'pending';
  return 'visible';
}

/** Object keys: uploads/ expire by lifecycle unless attached; images/ is all the CDN can reach. */
export const UPLOADS_PREFIX = 'uploads/';
export const IMAGES_PREFIX = 'images/';

export function uploadKey(campaignId: string, uploadId: string, variant: ImageVariant): string {
  return `${UPLOADS_PREFIX}${campaignId}/${uploadId}/${variant}`;
}

/**
 * After-sale evidence (a member's photos of what went wrong): private, never under images/ (which
 * the CDN serves), read through short-lived signed links by the member and the campaign's staff.
 */
export const EVIDENCE_PREFIX = 'evidence/';

export function evidenceKey(campaignId: string, uploadId: string, variant: ImageVariant): string {
  return `${EVIDENCE_PREFIX}${campaignId}/${uploadId}/${variant}`;
}

/** The attached photo keeps its upload's id: attaching again (a retry) lands on the same keys. */
export function imageKey(campaignId: string, imageId: string, variant: ImageVariant): string {
  return `${IMAGES_PREFIX}${campaignId}/${imageId}/${variant}`;
}

/** The public path of an image object under the CDN base URL (which maps onto images/). */
export function imagePath(campaignId: string, imageId: string, variant: ImageVariant): string {
  return `${campaignId}/${imageId}/${variant}`;
}

/** What a leader can see of a photo: its URLs, sizes and check standing. Members get the same without `status`. */
export interface ImageView {
  id: string;
  list: string;
  detail: string;
  width: number;
  height: number;
  status?: ImageStatus;
}

/** Builds the URL of one size of one photo (the CDN, or the API's own /media route locally). */
export type ImageUrl = (campaignId: string, imageId: string, variant: ImageVariant) => string;

export interface ImageViewing {
  url: ImageUrl;
  /** staff (leader, helpers) see every attached photo with its status; others only visible ones */
  staff: boolean;
}

export function imageView(campaignId: string, image: CampaignImage, viewing: ImageViewing): ImageView | null {
  const status = imageStatus(image);
  if (!viewing.staff && status !== 'visible') return null;
  return {
    id: image.id,
    list: viewing.url(campaignId, image.id, 'list'),
    detail: viewing.url(campaignId, image.id, 'detail'),
    width: image.width.detail,
    height: image.height.detail,
    ...(viewing.staff ? { status } : {}),
  };
}

/** True when a campaign has photos others cannot see yet: only then does a view need to know whether the reader is staff. */
export function hasHiddenImages(images: Record<string, CampaignImage> | undefined): boolean {
  return Object.values(images ?? {}).some((image) => imageStatus(image) !== 'visible');
}
