import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type CampaignDb, type CampaignSnapshot, requireCampaign } from '../campaigns/index.js';
import { type CampaignDefinition, type ImageLayout, MAX_ITEM_IMAGES } from '../domain/index.js';
import { ConflictError, ValidationError } from '../errors.js';
import { cancelledTransaction, isTransientConflict, withRetry } from '../table/index.js';
import { metaImagesUpdate } from './meta-update.js';

/** Why a layout cannot be the campaign's: each attached photo placed once (cover or one item), item caps, known ids. */
function layoutProblems(def: CampaignDefinition, layout: ImageLayout): Array<{ path: string; message: string }> {
  const attached = new Set(Object.keys(def.images ?? {}));
  const problems: Array<{ path: string; message: string }> = [];
  const seen = new Set<string>();
  const place = (id: string, path: string) => {
    if (!attached.has(id)) problems.push({ path, message: `no photo ${id} in this campaign` });
    else if (seen.has(id)) problems.push({ path, message: `photo ${id} is placed twice` });
    seen.add(id);
  };
  if (layout.coverImageId !== null) place(layout.coverImageId, 'body.coverImageId');
  for (const [itemId, ids] of Object.entries(layout.itemImages)) {
    if (!def.items.some((i) => i.id === itemId)) problems.push({ path: `body.itemImages.${itemId}`, message: `no item ${itemId}` });
    if (ids.length > MAX_ITEM_IMAGES)
      problems.push({ path: `body.itemImages.${itemId}`, message: `at most ${MAX_ITEM_IMAGES} photos an item` });
    for (const [i, id] of ids.entries()) place(id, `body.itemImages.${itemId}.${i}`);
  }
  // A photo left out would be attached but shown nowhere: say so rather than keep it silently.
  for (const id of attached) if (!seen.has(id)) problems.push({ path: 'body', message: `photo ${id} is not placed (detach it instead)` });
  return problems;
}

/**
 * PUT …/images: where every attached photo goes (the cover, each item's photos in order). Items
 * left out of `itemImages` keep no photos. One guarded #META update; nothing else changes.
 */
export async function setImageLayout(db: CampaignDb, campaignId: string, layout: ImageLayout): Promise<CampaignSnapshot> {
  return withRetry(
    async () => {
      const fresh = await requireCampaign(db, campaignId);
      const problems = layoutProblems(fresh.def, layout);
      if (problems.length > 0) throw new ValidationError('The photo layout does not fit the campaign', { fields: problems });
      const items = fresh.def.items.map((item) => ({ ...item, imageIds: layout.itemImages[item.id] ?? [] }));
      const next: CampaignDefinition = { ...fresh.def, items, coverImageId: layout.coverImageId };
      await db.doc.send(new TransactWriteCommand({ TransactItems: [{ Update: metaImagesUpdate(db.tableName, fresh, next, null) }] }));
      return requireCampaign(db, campaignId);
    },
    {
      retries: 5,
      retryOn: (err) => isTransientConflict(err) || cancelledTransaction(err)?.reasons[0]?.code === 'ConditionalCheckFailed',
      onExhausted: () => new ConflictError('The campaign kept changing; retry'),
    },
  );
}
