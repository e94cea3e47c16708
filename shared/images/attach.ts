import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type CampaignDb, type CampaignSnapshot, requireCampaign } from '../campaigns/index.js';
import {
  type CampaignDefinition,
  type CampaignImage,
  checkCampaignSize,
  IMAGE_VARIANTS,
  type ImageCheck,
  type ImageUrl,
  type ImageVariant,
  imageKey,
  MAX_ITEM_IMAGES,
  uploadKey,
} from '../domain/index.js';
import { ConflictError, InvalidStateError, NotFoundError, ValidationError } from '../errors.js';
import { getOpenid } from '../people/index.js';
import type { MediaStore } from '../storage/index.js';
import { cancelledTransaction, isTransientConflict, keys, withRetry } from '../table/index.js';
import { CONTENT_SCENES, mediaCheckAsync, type WechatServerApi } from '../wechat/index.js';
import { inspectUploads } from './inspect.js';
import { metaImagesUpdate } from './meta-update.js';

/** Attached photos never change under their key (a new photo is a new id): phones and the CDN keep them a year. */
export const IMAGE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

export interface ImageDeps {
  readonly db: CampaignDb;
  readonly store: MediaStore;
  /** the public URL of a photo's size (what WeChat downloads to check it) */
  readonly url: ImageUrl;
  /** WeChat's image check; absent (WeChat not configured): photos are shown unchecked */
  readonly wechat?: WechatServerApi;
}

/** Where an attached photo goes: the cover (replacing one there, which stays attached until detached), or after an item's photos. */
export type ImagePlacement = { cover: true } | { itemId: string };

/** An attached photo and whether this call attached it (false: the same upload was attached before, a replay). */
export interface Attached {
  image: CampaignImage;
  created: boolean;
}

function placementProblem(def: CampaignDefinition, placement: ImagePlacement): string | null {
  if ('cover' in placement) return null;
  const item = def.items.find((i) => i.id === placement.itemId);
  if (!item) return `no item ${placement.itemId}`;
  if ((item.imageIds ?? []).length >= MAX_ITEM_IMAGES) return `at most ${MAX_ITEM_IMAGES} photos an item`;
  return null;
}

/** Ask WeChat to check both sizes (the list one is a separate upload, so it is checked too), or mark them unchecked. */
async function startChecks(
  deps: ImageDeps,
  campaignId: string,
  imageId: string,
  actorId: string,
): Promise<Record<ImageVariant, ImageCheck>> {
  if (!deps.wechat) {
    return { list: { traceId: null, result: 'unchecked' }, detail: { traceId: null, result: 'unchecked' } };
  }
  const api = deps.wechat;
  // mediaCheckAsync needs the uploader's openid (one who used the mini-program in the last 2 h).
  const openid = await getOpenid(deps.db, actorId);
  if (!openid) throw new InvalidStateError('Photos are checked by WeChat: attach them from a WeChat login', { reason: 'no-openid' });
  const entries = await Promise.all(
    IMAGE_VARIANTS.map(async (variant) => {
      const { traceId } = await mediaCheckAsync(api, {
        mediaUrl: deps.url(campaignId, imageId, variant),
        scene: CONTENT_SCENES.forum,
        openid,
      });
      return [variant, { traceId, result: 'pending' }] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<ImageVariant, ImageCheck>;
}

/**
 * POST …/images: the staff member's upload becomes a photo of the campaign. Its sizes are checked
 * by their bytes, copied out of uploads/ (which expires) into images/ (which the CDN serves), sent
 * to WeChat's image check, and written into the definition with its place, in one transaction with
 * the checks' trace ids. The photo id is the upload id, so a retry after any failure lands on the
 * same keys and an upload attached twice is answered with the first photo. Until both checks pass
 * only staff see it (campaignView).
 */
export async function attachImage(
  deps: ImageDeps,
  snapshot: CampaignSnapshot,
  req: { uploadId: string; placement: ImagePlacement; actorId: string },
): Promise<Attached> {
  const { db, store } = deps;
  const campaignId = snapshot.def.id;
  const imageId = req.uploadId;
  const before = snapshot.def.images?.[imageId];
  if (before) return { image: before, created: false };
  if (snapshot.state.status === 'cancelled') throw new InvalidStateError('The campaign was called off', { status: 'cancelled' });
  const problem = placementProblem(snapshot.def, req.placement);
  if (problem) throw new ValidationError(problem, { fields: [{ path: 'body.itemId', message: problem }] });

  const { type, sizes } = await inspectUploads(store, campaignId, imageId);
  await Promise.all(
    IMAGE_VARIANTS.map((v) =>
      store.copy(uploadKey(campaignId, imageId, v), imageKey(campaignId, imageId, v), {
        contentType: type,
        cacheControl: IMAGE_CACHE_CONTROL,
      }),
    ),
  );
  const checks = await startChecks(deps, campaignId, imageId, req.actorId);
  const image: CampaignImage = {
    id: imageId,
    contentType: type,
    width: { list: sizes.list.width, detail: sizes.detail.width },
    height: { list: sizes.list.height, detail: sizes.detail.height },
    bytes: { list: sizes.list.bytes, detail: sizes.detail.bytes },
    checks,
    attachedBy: req.actorId,
    attachedAt: db.clock.now().toISOString(),
  };

  const attached = await withRetry(
    async (): Promise<Attached> => {
      const fresh = await requireCampaign(db, campaignId);
      const already = fresh.def.images?.[imageId];
      if (already) return { image: already, created: false };
      const stillProblem = placementProblem(fresh.def, req.placement);
      if (stillProblem) throw new ValidationError(stillProblem, { fields: [{ path: 'body.itemId', message: stillProblem }] });
      const placement = req.placement;
      const next: CampaignDefinition = {
        ...fresh.def,
        images: { ...(fresh.def.images ?? {}), [imageId]: image },
        ...('cover' in placement ? { coverImageId: imageId } : {}),
        items:
          'itemId' in placement
            ? fresh.def.items.map((item) =>
                item.id === placement.itemId ? { ...item, imageIds: [...(item.imageIds ?? []), imageId] } : item,
              )
            : fresh.def.items,
      };
      checkCampaignSize(next);
      await db.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: metaImagesUpdate(db.tableName, fresh, next, { add: image }) },
            ...IMAGE_VARIANTS.flatMap((variant) => {
              const traceId = checks[variant].traceId;
              return traceId
                ? [
                    {
                      Put: {
                        TableName: db.tableName,
                        Item: { ...keys.mediaCheck(traceId), type: 'media-check', campaignId, imageId, variant },
                      },
                    },
                  ]
                : [];
            }),
          ],
        }),
      );
      return { image, created: true };
    },
    {
      retries: 5,
      retryOn: (err) => isTransientConflict(err) || cancelledTransaction(err)?.reasons[0]?.code === 'ConditionalCheckFailed',
      onExhausted: () => new ConflictError('The campaign kept changing; retry'),
    },
  );
  // The uploads are copied; the lifecycle rule removes them anyway if this fails.
  await store.remove(IMAGE_VARIANTS.map((v) => uploadKey(campaignId, imageId, v))).catch(() => undefined);
  return attached;
}

/** DELETE …/images/{imageId}: out of the definition and its places at once; the objects go after (best effort). */
export async function detachImage(deps: Pick<ImageDeps, 'db' | 'store'>, campaignId: string, imageId: string): Promise<void> {
  const { db } = deps;
  await withRetry(
    async () => {
      const fresh = await requireCampaign(db, campaignId);
      if (!fresh.def.images?.[imageId]) throw new NotFoundError(`No photo ${imageId} in this campaign`);
      const { [imageId]: _gone, ...rest } = fresh.def.images;
      const next: CampaignDefinition = {
        ...fresh.def,
        images: rest,
        coverImageId: fresh.def.coverImageId === imageId ? null : (fresh.def.coverImageId ?? null),
        items: fresh.def.items.map((item) =>
          item.imageIds?.includes(imageId) ? { ...item, imageIds: item.imageIds.filter((id) => id !== imageId) } : item,
        ),
      };
      await db.doc.send(
        new TransactWriteCommand({ TransactItems: [{ Update: metaImagesUpdate(db.tableName, fresh, next, { remove: imageId }) }] }),
      );
    },
    {
      retries: 5,
      retryOn: (err) => isTransientConflict(err) || cancelledTransaction(err)?.reasons[0]?.code === 'ConditionalCheckFailed',
      onExhausted: () => new ConflictError('The campaign kept changing; retry'),
    },
  );
  await deps.store.remove(IMAGE_VARIANTS.map((v) => imageKey(campaignId, imageId, v))).catch(() => undefined);
}

/** Photos as the app is given them: the bucket, the CDN (absent: the API's own /media route) and WeChat's image check. */
export interface ImageSettings {
  readonly store: MediaStore;
  /** e.g. https://d111.cloudfront.net (maps onto images/); absent: `<API origin>/media` */
  readonly baseUrl?: string;
  readonly wechat?: WechatServerApi;
}

/** A cloned campaign's photos: each size copied to the new campaign's keys (its own, so detaching one never touches the other). */
export async function copyCampaignImages(
  store: MediaStore,
  fromCampaignId: string,
  toCampaignId: string,
  images: Record<string, CampaignImage>,
) {
  await Promise.all(
    Object.values(images).flatMap((image) =>
      IMAGE_VARIANTS.map((v) =>
        store.copy(imageKey(fromCampaignId, image.id, v), imageKey(toCampaignId, image.id, v), {
          contentType: image.contentType,
          cacheControl: IMAGE_CACHE_CONTROL,
        }),
      ),
    ),
  );
}
