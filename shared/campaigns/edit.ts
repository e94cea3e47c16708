import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { CampaignDefinition, ItemDefinition, PickupPoint } from '../domain/index.js';
import { checkCampaignSize, checkCampaignValue } from '../domain/index.js';
import { ConflictError, InvalidStateError, ValidationError } from '../errors.js';
import type { StateRecord } from '../table/index.js';
import { cancelledTransaction, defVersionCondition, GSI_DUE, indexKeys, isTransientConflict, keys, withRetry } from '../table/index.js';
import type { CampaignDb } from './cache.js';
import { requireCampaign } from './campaigns.js';
import type { CampaignSnapshot } from './snapshot.js';

export interface CampaignEdit {
  title?: string;
  description?: string;
  closesAt?: string;
  /** new stock for limited items */
  stock?: Array<{ itemId: string; stock: number }>;
  addItems?: Array<Omit<ItemDefinition, 'id'>>;
  addPickupPoints?: Array<Omit<PickupPoint, 'id'>>;
  /** household entries: raised only (the join's slots stay below it, so nobody can hold more than it) */
  maxEntriesPerUser?: number;
  /** content security of this edit's texts, in the edit's terms (`title`, `addItems[0].name`): which were checked, which need review */
  contentReview?: { checked: string[]; review: string[] };
}

/** An edit's path as the campaign's own (`addItems[1].name` → `items[4].name`), so the flag names the stored text. */
function campaignPath(path: string, def: CampaignDefinition): string {
  return path
    .replace(/^addItems\[(\d+)\]/, (_, i: string) => `items[${def.items.length + Number(i)}]`)
    .replace(/^addPickupPoints\[(\d+)\]/, (_, i: string) => `pickupPoints[${def.pickupPoints.length + Number(i)}]`);
}

/** Fields checked again lose their old flag; those now judged `review` get one. */
function nextContentReview(def: CampaignDefinition, check: CampaignEdit['contentReview']): string[] {
  const before = def.contentReview ?? [];
  if (!check) return before;
  const checked = new Set(check.checked.map((p) => campaignPath(p, def)));
  const review = check.review.map((p) => campaignPath(p, def));
  return [...new Set([...before.filter((p) => !checked.has(p)), ...review])];
}

/**
 * The leader edits an open campaign. What may change is what cannot hurt members who already
 * joined: wording, the deadline (never into the past), stock (raised freely, lowered only down to
 * what is sold), new items and pickup points. Prices and tiers of existing items never change (add
 * a new item instead), so nobody's line is repriced under them.
 *
 * One transaction: META (guarded by `defVersion` against a concurrent edit) and STATE, where the
 * join path's own conditions live: `closesAt` copy, `remaining.<item>` adjusted by the stock delta
 * with `remaining >= decrease` so that lowering can never undercut a join that just reserved.
 * Other processes' join caches may hold the old definition for a few seconds; they never reject on
 * it (cache.ts), and STATE decides.
 */
export async function editCampaign(db: CampaignDb, campaignId: string, edit: CampaignEdit): Promise<CampaignSnapshot> {
  return withRetry(
    async () => {
      const snapshot = await requireCampaign(db, campaignId);
      const now = db.clock.now();
      const { def } = snapshot;
      const editable = snapshot.state.status === 'draft' || (snapshot.state.status === 'open' && now.getTime() < Date.parse(def.closesAt));
      if (!editable) {
        throw new InvalidStateError('Only an open campaign can be edited', { status: snapshot.state.status });
      }
      const next: CampaignDefinition = {
        ...def,
        items: [...def.items],
        pickupPoints: [...def.pickupPoints],
        contentReview: nextContentReview(def, edit.contentReview),
      };
      if (edit.title !== undefined) next.title = edit.title;
      if (edit.description !== undefined) next.description = edit.description;
      if (edit.closesAt !== undefined) {
        const closesAt = new Date(edit.closesAt);
        if (closesAt.getTime() <= now.getTime() || closesAt.getTime() <= Date.parse(def.opensAt)) {
          throw new ValidationError('closesAt must be in the future and after opensAt', {
            fields: [{ path: 'body.closesAt', message: 'must be in the future and after opensAt' }],
          });
        }
        next.closesAt = closesAt.toISOString();
      }
      if (edit.maxEntriesPerUser !== undefined) {
        // Lowering would leave members above it (and their slots beyond it); raising only widens the join's choice.
        if (edit.maxEntriesPerUser < def.maxEntriesPerUser) {
          throw new InvalidStateError(`maxEntriesPerUser can be raised, not lowered below ${def.maxEntriesPerUser}`, {
            maxEntriesPerUser: def.maxEntriesPerUser,
          });
        }
        next.maxEntriesPerUser = edit.maxEntriesPerUser;
      }
      const stockDelta = new Map<string, number>();
      for (const [i, change] of (edit.stock ?? []).entries()) {
        const index = next.items.findIndex((item) => item.id === change.itemId);
        const item = next.items[index];
        if (!item || item.stock === null) {
          throw new ValidationError(`Item ${change.itemId} has no limited stock to change`, {
            fields: [{ path: `body.stock.${i}.itemId`, message: 'no such item with limited stock' }],
          });
        }
        stockDelta.set(item.id, change.stock - item.stock);
        next.items[index] = { ...item, stock: change.stock };
      }
      const newItems: ItemDefinition[] = (edit.addItems ?? []).map((item, i) => ({ ...item, id: `i${def.items.length + i + 1}` }));
      next.items.push(...newItems);
      next.pickupPoints.push(...(edit.addPickupPoints ?? []).map((p, i) => ({ ...p, id: `p${def.pickupPoints.length + i + 1}` })));
      // Edits append: the caps hold for the campaign as it would be, not for one request.
      checkCampaignSize(next);
      checkCampaignValue(next.items); // raised stock and new items raise what the campaign could bill

      const defVersion = snapshot.defVersion ?? 0;
      const names: Record<string, string> = { '#status': 'status', '#version': 'version', '#closesAt': 'closesAt' };
      const values: Record<string, unknown> = {
        ':open': 'open',
        ':draft': 'draft',
        ':one': 1,
        ':closesAt': next.closesAt,
        ':now': now.toISOString(),
      };
      const sets = ['#version = #version + :one', '#closesAt = :closesAt'];
      const adds: string[] = [];
      // A draft may be edited whatever its old deadline (that is how an expired draft gets a new one).
      const conditions = ['(#status = :draft OR (#status = :open AND #closesAt > :now))'];
      let n = 0;
      for (const [itemId, delta] of stockDelta) {
        if (delta === 0) continue;
        names[`#i${n}`] = itemId;
        names['#remaining'] = 'remaining';
        values[`:d${n}`] = delta;
        adds.push(`#remaining.#i${n} :d${n}`);
        if (delta < 0) {
          values[`:need${n}`] = -delta;
          conditions.push(`#remaining.#i${n} >= :need${n}`);
        }
        n++;
      }
      for (const item of newItems) {
        names[`#i${n}`] = item.id;
        names['#sold'] = 'sold';
        values[`:zero${n}`] = 0;
        sets.push(`#sold.#i${n} = :zero${n}`);
        if (item.stock !== null) {
          names['#remaining'] = 'remaining';
          values[`:stock${n}`] = item.stock;
          sets.push(`#remaining.#i${n} = :stock${n}`);
        }
        n++;
      }
      try {
        await db.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: db.tableName,
                  Key: keys.campaignMeta(campaignId),
                  UpdateExpression:
                    'SET #title = :title, #description = :description, #closesAt = :closesAt, #items = :items, #pickupPoints = :pickupPoints, #gsi2sk = :gsi2sk, #defVersion = :nextDef, #contentReview = :contentReview, #maxEntries = :maxEntries',
                  // Optimistic: nobody edited the definition since we read it (campaigns start without defVersion).
                  ConditionExpression: defVersionCondition(defVersion),
                  ExpressionAttributeNames: {
                    '#title': 'title',
                    '#description': 'description',
                    '#closesAt': 'closesAt',
                    '#items': 'items',
                    '#pickupPoints': 'pickupPoints',
                    '#gsi2sk': GSI_DUE.sortKey,
                    '#defVersion': 'defVersion',
                    '#contentReview': 'contentReview',
                    '#maxEntries': 'maxEntriesPerUser',
                  },
                  ExpressionAttributeValues: {
                    ':title': next.title,
                    ':description': next.description,
                    ':closesAt': next.closesAt,
                    ':items': next.items,
                    ':pickupPoints': next.pickupPoints,
                    ':gsi2sk': indexKeys.openByClose(next.closesAt, campaignId)[GSI_DUE.sortKey],
                    ':def': defVersion,
                    ':nextDef': defVersion + 1,
                    ':contentReview': next.contentReview,
                    ':maxEntries': next.maxEntriesPerUser,
                  },
                },
              },
              {
                Update: {
                  TableName: db.tableName,
                  Key: keys.campaignState(campaignId),
                  UpdateExpression: `SET ${sets.join(', ')}${adds.length ? ` ADD ${adds.join(', ')}` : ''}`,
                  ConditionExpression: conditions.join(' AND '),
                  ExpressionAttributeNames: names,
                  ExpressionAttributeValues: values,
                  ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                },
              },
            ],
          }),
        );
        const fresh = await requireCampaign(db, campaignId);
        db.cache?.put(fresh);
        return fresh;
      } catch (err) {
        const cancelled = cancelledTransaction(err);
        const stateFailure = cancelled?.reasons[1];
        if (stateFailure?.code === 'ConditionalCheckFailed') {
          const state = stateFailure.item as unknown as StateRecord | undefined;
          if (state && (state.status === 'draft' || (state.status === 'open' && Date.parse(state.closesAt) > now.getTime()))) {
            const short = [...stockDelta].find(([itemId, d]) => d < 0 && (state.remaining[itemId] ?? 0) < -d);
            if (short) {
              const sold = state.sold[short[0]] ?? 0;
              throw new InvalidStateError(`Stock of ${short[0]} cannot go below what is sold (${sold})`, { itemId: short[0], sold });
            }
          } else {
            throw new InvalidStateError('Only an open campaign can be edited', { status: state?.status });
          }
        }
        throw err;
      }
    },
    {
      retries: 5,
      // The definition or the counters moved on since the read (another edit, joins): read again.
      retryOn: (err) =>
        isTransientConflict(err) || (cancelledTransaction(err)?.reasons ?? []).slice(0, 2).some((r) => r.code === 'ConditionalCheckFailed'),
      onExhausted: () => new ConflictError('The campaign kept changing; retry'),
    },
  );
}
