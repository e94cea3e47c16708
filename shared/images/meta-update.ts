import type { CampaignSnapshot } from '../campaigns/index.js';
import type { CampaignDefinition, CampaignImage } from '../domain/index.js';
import { defVersionCondition, keys } from '../table/index.js';

/**
 * The #META update of a photo change: items (their `imageIds`) and the cover as the next
 * definition has them, and the one photo added or removed by its path in `images` (none for a new
 * layout), never the whole map, so a check verdict written meanwhile (checks.ts, a nested SET) is never lost.
 * Guarded by `defVersion` like every definition edit (campaigns/edit.ts).
 */
export function metaImagesUpdate(
  tableName: string,
  before: CampaignSnapshot,
  next: CampaignDefinition,
  change: { add: CampaignImage } | { remove: string } | null,
) {
  const defVersion = before.defVersion ?? 0;
  // DynamoDB refuses names an expression does not use: `#images` only when a photo is added or removed.
  const names: Record<string, string> = { '#items': 'items', '#cover': 'coverImageId', '#defVersion': 'defVersion' };
  if (change) names['#images'] = 'images';
  const values: Record<string, unknown> = {
    ':items': next.items,
    ':cover': next.coverImageId ?? null,
    ':def': defVersion,
    ':nextDef': defVersion + 1,
  };
  const sets = ['#items = :items', '#cover = :cover', '#defVersion = :nextDef'];
  const conditions = [defVersionCondition(defVersion)];
  let remove = '';
  if (change && 'add' in change) {
    if (before.def.images === undefined) {
      // The campaign's first photo: the map is made, and nobody else made it meanwhile.
      values[':images'] = { [change.add.id]: change.add };
      sets.push('#images = :images');
      conditions.push('attribute_not_exists(#images)');
    } else {
      names['#id'] = change.add.id;
      values[':image'] = change.add;
      sets.push('#images.#id = :image');
    }
  } else if (change) {
    names['#id'] = change.remove;
    remove = ' REMOVE #images.#id';
  }
  return {
    TableName: tableName,
    Key: keys.campaignMeta(before.def.id),
    UpdateExpression: `SET ${sets.join(', ')}${remove}`,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
