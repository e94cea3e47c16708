import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type ReviewStats, reviewRemovalDelta, reviewStatsDelta, toReviewStats } from '../domain/index.js';
import { ConflictError, InvalidStateError, NotFoundError } from '../errors.js';
import { addUpdate, reviewNumbersWrites } from '../numbers/index.js';
import type { DbContext, TransactItem } from '../table/index.js';
import {
  cancelledTransaction,
  conditionFailure,
  decodeCursor,
  encodeCursor,
  GSI_BY_OWNER,
  indexKeys,
  isLookupableId,
  isTransientConflict,
  itemKind,
  keys,
  withRetry,
} from '../table/index.js';

/**
 * Reviews (评价): one per picked-up entry, by its member. The first write is ONE transaction of
 * the review's put (conditioned on none existing), a check that the entry is still the member's
 * and picked up, and the ADDs of the campaign's counters; an edit is the review's update
 * (conditioned on the rating it read) with the counters' rating delta. So the counters always equal
 * what a recount of the reviews would give, and reading a score never scans. The member's delete
 * and the staff's removal take a review out of the counters the same way (`takeOutOfCounts`).
 */

export interface ReviewReply {
  text: string;
  by: string;
  at: string;
}

export interface ReviewRecord {
  campaignId: string;
  entryId: string;
  seq: number;
  userId: string;
  /** the entry's nickname when reviewed (lists mask it); ERASED_NICKNAME after the member's erasure */
  nickname: string;
  itemIds: string[];
  rating: number;
  text: string;
  /** evidence-style photo ids (private copies, signed links) */
  photos: string[];
  /** text fields WeChat could not check or judged `review` */
  contentReview: string[];
  createdAt: string;
  updatedAt: string;
  reply: ReviewReply | null;
  /** the member erased their data: text and photos are gone, the rating still counts */
  erasedAt?: string;
  /**
   * The campaign's staff removed it (abuse, ads, a wrong photo): out of the public list and the
   * counters, kept for its author (GET /me/export); the entry cannot be reviewed again.
   */
  removedAt?: string;
  removedBy?: string;
  removedReason?: string;
}

const reviewItem = itemKind<ReviewRecord>('review');

/** The counters are one hot item per campaign: a burst of review writes retries its conflicts (and re-reads). */
const reviewRetry = { retries: 25, baseMs: 10, retryOn: (err: unknown) => isTransientConflict(err) || err instanceof ConflictError };

/** The entry being reviewed, as the route read it (its member and pickup already checked). */
export interface ReviewedEntry {
  id: string;
  seq: number;
  userId: string;
  nickname: string;
  items: ReadonlyArray<{ itemId: string }>;
}

export interface ReviewInput {
  rating: number;
  text: string;
  photos: string[];
  contentReview: string[];
}

export async function getReview(db: DbContext, campaignId: string, entryId: string): Promise<ReviewRecord | null> {
  if (!isLookupableId(entryId)) return null;
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.review(campaignId, entryId), ConsistentRead: true }));
  return reviewItem.fromMaybe(out.Item);
}

/** The counters' ADDs as one Update (flat attributes: ADD creates each on first use). */
function statsUpdate(tableName: string, campaignId: string, delta: Record<string, number>): TransactItem {
  return addUpdate(tableName, keys.reviewStats(campaignId), delta, {}, { setAlways: { type: 'review-stats' } });
}

/**
 * Writes the member's review of `entry`: the first one (`created`), or an edit of theirs (a second
 * PUT replaces rating, text and photos; the place in the list stays where the first one put it).
 */
export async function writeReview(
  db: DbContext,
  campaignId: string,
  communityId: string | null,
  entry: ReviewedEntry,
  input: ReviewInput,
): Promise<{ review: ReviewRecord; created: boolean }> {
  const itemIds = [...new Set(entry.items.map((i) => i.itemId))];
  return withRetry(
    async () => {
      const now = db.clock.now().toISOString();
      const before = await getReview(db, campaignId, entry.id);
      if (before?.erasedAt) throw new InvalidStateError('This review belongs to an erased member');
      if (before?.removedAt)
        throw new InvalidStateError('This review was removed by the campaign’s staff; the entry cannot be reviewed again');
      const review: ReviewRecord = before
        ? { ...before, rating: input.rating, text: input.text, photos: input.photos, contentReview: input.contentReview, updatedAt: now }
        : {
            campaignId,
            entryId: entry.id,
            seq: entry.seq,
            userId: entry.userId,
            nickname: entry.nickname,
            itemIds,
            rating: input.rating,
            text: input.text,
            photos: input.photos,
            contentReview: input.contentReview,
            createdAt: now,
            updatedAt: now,
            reply: null,
          };
      const delta = reviewStatsDelta(before, review);
      const writes: TransactItem[] = [];
      if (before) {
        writes.push({
          Update: {
            TableName: db.tableName,
            Key: keys.review(campaignId, entry.id),
            UpdateExpression: 'SET #rating = :rating, #text = :text, #photos = :photos, #cr = :cr, #updatedAt = :now',
            // What the delta was computed from: a concurrent edit makes this attempt read again.
            // A removal committed meanwhile makes it read again too (and be refused).
            ConditionExpression: '#rating = :old AND attribute_not_exists(#erasedAt) AND attribute_not_exists(#removedAt)',
            ExpressionAttributeNames: {
              '#rating': 'rating',
              '#text': 'text',
              '#photos': 'photos',
              '#cr': 'contentReview',
              '#updatedAt': 'updatedAt',
              '#erasedAt': 'erasedAt',
              '#removedAt': 'removedAt',
            },
            ExpressionAttributeValues: {
              ':rating': review.rating,
              ':text': review.text,
              ':photos': review.photos,
              ':cr': review.contentReview,
              ':now': now,
              ':old': before.rating,
            },
          },
        });
      } else {
        writes.push({
          Put: {
            TableName: db.tableName,
            Item: {
              ...reviewItem.toItem(keys.review(campaignId, entry.id), review),
              ...indexKeys.reviewByCampaign(campaignId, now, entry.id),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        });
        writes.push({
          ConditionCheck: {
            TableName: db.tableName,
            Key: keys.entry(campaignId, entry.seq),
            // Picked up and still the member's (a pickup undone meanwhile refuses the review).
            ConditionExpression: '#id = :id AND #userId = :userId AND attribute_exists(#at)',
            ExpressionAttributeNames: { '#id': 'id', '#userId': 'userId', '#at': 'pickedUpAt' },
            ExpressionAttributeValues: { ':id': entry.id, ':userId': entry.userId },
          },
        });
      }
      if (Object.keys(delta).length > 0) writes.push(statsUpdate(db.tableName, campaignId, delta));
      // The campaign's and the community's numbers move with the counters, in the same transaction.
      writes.push(
        ...reviewNumbersWrites(
          db.tableName,
          { campaignId, communityId, at: review.createdAt },
          { count: before ? 0 : 1, rating: review.rating - (before?.rating ?? 0) },
        ),
      );
      try {
        if (writes.length === 1) {
          // A text-only edit: one conditional update, no transaction.
          const u = writes[0]!.Update!;
          await db.doc.send(new UpdateCommand(u));
        } else {
          await db.doc.send(new TransactWriteCommand({ TransactItems: writes }));
        }
      } catch (err) {
        if (conditionFailure(err)) throw new ConflictError('The review changed meanwhile; retry');
        const reasons = cancelledTransaction(err)?.reasons;
        if (!reasons) throw err;
        if (!before && reasons[1]?.code === 'ConditionalCheckFailed') throw new InvalidStateError('The entry is not picked up');
        if (reasons[0]?.code === 'ConditionalCheckFailed') throw new ConflictError('The review changed meanwhile; retry');
        throw err;
      }
      return { review, created: !before };
    },
    // The counters are one hot item per campaign: a burst of reviews retries its conflicts.
    reviewRetry,
  );
}

/**
 * ONE transaction taking `review` out of the counts: `change` (the review's delete or its removal,
 * which must be conditioned on the rating read and on no removal yet, so the counters lose exactly
 * what it added, once), the counters' ADDs and the numbers' −1. A condition that fails is a
 * ConflictError: the caller's retry reads the review again.
 */
async function takeOutOfCounts(db: DbContext, communityId: string | null, review: ReviewRecord, change: TransactItem): Promise<void> {
  const writes: TransactItem[] = [
    change,
    statsUpdate(db.tableName, review.campaignId, reviewRemovalDelta(review)),
    ...reviewNumbersWrites(
      db.tableName,
      { campaignId: review.campaignId, communityId, at: review.createdAt },
      { count: -1, rating: -review.rating },
    ),
  ];
  try {
    await db.doc.send(new TransactWriteCommand({ TransactItems: writes }));
  } catch (err) {
    if (cancelledTransaction(err)?.reasons[0]?.code === 'ConditionalCheckFailed')
      throw new ConflictError('The review changed meanwhile; retry');
    throw err;
  }
}

/** Still counted, with the rating read: what a take-out is conditioned on. */
const countedAsRead = (rating: number) => ({
  ConditionExpression: 'attribute_exists(pk) AND #rating = :rating AND attribute_not_exists(#removedAt)',
  names: { '#rating': 'rating', '#removedAt': 'removedAt' },
  values: { ':rating': rating },
});

/**
 * The member takes their review back: the review's delete and the counters' ADDs in one
 * transaction (takeOutOfCounts). Returns the deleted review, or null when there was none (a
 * repeat). A review the staff removed is not theirs to delete (409: it stays, for their export).
 */
export async function deleteReview(
  db: DbContext,
  campaignId: string,
  communityId: string | null,
  entryId: string,
  userId: string,
): Promise<ReviewRecord | null> {
  return withRetry(async () => {
    const review = await getReview(db, campaignId, entryId);
    if (!review) return null;
    if (review.userId !== userId || review.erasedAt) throw new InvalidStateError('Only the member’s own review can be deleted');
    if (review.removedAt) throw new InvalidStateError('This review was removed by the campaign’s staff');
    const cond = countedAsRead(review.rating);
    await takeOutOfCounts(db, communityId, review, {
      Delete: {
        TableName: db.tableName,
        Key: keys.review(campaignId, entryId),
        ConditionExpression: `${cond.ConditionExpression} AND #userId = :userId`,
        ExpressionAttributeNames: { ...cond.names, '#userId': 'userId' },
        ExpressionAttributeValues: { ...cond.values, ':userId': userId },
      },
    });
    return review;
  }, reviewRetry);
}

export interface ReviewRemoval {
  by: string;
  reason: string;
}

/** How a removed review shows its removal (the route's answer, the author's export); null while it is listed. */
export function removalOf(review: ReviewRecord): { removedAt: string; removedBy: string; reason: string } | null {
  return review.removedAt ? { removedAt: review.removedAt, removedBy: review.removedBy ?? '', reason: review.removedReason ?? '' } : null;
}

/**
 * The campaign's staff remove a review: it leaves the public list (its index keys go) and the
 * counters and numbers (takeOutOfCounts, in the same transaction), and stays as a removed record
 * (removedAt, removedBy, removedReason) its author still sees in their export; writing the entry's
 * review again is refused from then on. Idempotent: a removed review is answered as it was
 * removed (`removedNow` false), never counted out twice. 404 when the entry has no review.
 */
export async function removeReview(
  db: DbContext,
  campaignId: string,
  communityId: string | null,
  entryId: string,
  removal: ReviewRemoval,
): Promise<{ review: ReviewRecord; removedNow: boolean }> {
  if (!isLookupableId(entryId)) throw new NotFoundError(`No review of entry ${entryId}`);
  return withRetry(async () => {
    const review = await getReview(db, campaignId, entryId);
    if (!review) throw new NotFoundError(`No review of entry ${entryId}`);
    if (review.removedAt) return { review, removedNow: false };
    const at = db.clock.now().toISOString();
    const cond = countedAsRead(review.rating);
    await takeOutOfCounts(db, communityId, review, {
      Update: {
        TableName: db.tableName,
        Key: keys.review(campaignId, entryId),
        UpdateExpression: 'SET #removedAt = :at, #removedBy = :by, #removedReason = :reason REMOVE #g1pk, #g1sk',
        ConditionExpression: cond.ConditionExpression,
        ExpressionAttributeNames: {
          ...cond.names,
          '#removedBy': 'removedBy',
          '#removedReason': 'removedReason',
          '#g1pk': GSI_BY_OWNER.partitionKey,
          '#g1sk': GSI_BY_OWNER.sortKey,
        },
        ExpressionAttributeValues: { ...cond.values, ':at': at, ':by': removal.by, ':reason': removal.reason },
      },
    });
    return { review: { ...review, removedAt: at, removedBy: removal.by, removedReason: removal.reason }, removedNow: true };
  }, reviewRetry);
}

/** The staff's reply under a review (replacing an earlier one). */
export async function replyToReview(db: DbContext, campaignId: string, entryId: string, reply: ReviewReply): Promise<ReviewRecord> {
  if (!isLookupableId(entryId)) throw new NotFoundError(`No review of entry ${entryId}`);
  try {
    const out = await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.review(campaignId, entryId),
        UpdateExpression: 'SET #reply = :reply',
        // A removed review is no longer shown: nothing to reply under.
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#removedAt)',
        ExpressionAttributeNames: { '#reply': 'reply', '#removedAt': 'removedAt' },
        ExpressionAttributeValues: { ':reply': reply },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return reviewItem.fromItem(out.Attributes ?? {});
  } catch (err) {
    if (conditionFailure(err)) throw new NotFoundError(`No review of entry ${entryId}`);
    throw err;
  }
}

/** The campaign's review counters (one GetItem), items in the campaign's order. */
export async function getReviewStats(db: DbContext, campaignId: string, itemOrder: readonly string[]): Promise<ReviewStats> {
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.reviewStats(campaignId) }));
  return toReviewStats(out.Item, itemOrder);
}

/**
 * A page of the campaign's reviews, newest first (gsi1 REVIEWS#<campaignId>). With `itemId`, only
 * the reviews of entries holding that item: a filter on the same query, so a page may hold fewer
 * than `limit` (follow `nextCursor`); the per-item score comes from the counters, not from here.
 */
export async function listReviews(
  db: DbContext,
  campaignId: string,
  opts: { limit: number; cursor?: string | null | undefined; itemId?: string | undefined },
): Promise<{ reviews: ReviewRecord[]; nextCursor: string | null }> {
  const pk = indexKeys.reviewsPartition(campaignId);
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: GSI_BY_OWNER.name,
      KeyConditionExpression: '#pk = :pk',
      ...(opts.itemId ? { FilterExpression: 'contains(#itemIds, :itemId)' } : {}),
      ExpressionAttributeNames: { '#pk': GSI_BY_OWNER.partitionKey, ...(opts.itemId ? { '#itemIds': 'itemIds' } : {}) },
      ExpressionAttributeValues: { ':pk': pk, ...(opts.itemId ? { ':itemId': opts.itemId } : {}) },
      ScanIndexForward: false,
      Limit: opts.limit,
      ExclusiveStartKey: decodeCursor(opts.cursor, {
        index: { partitionKey: GSI_BY_OWNER.partitionKey, sortKey: GSI_BY_OWNER.sortKey, pk },
      }),
    }),
  );
  return { reviews: (out.Items ?? []).map(reviewItem.fromItem), nextCursor: encodeCursor(out.LastEvaluatedKey) };
}

/**
 * Erasure of one entry's review: text, photos and the stored nickname go; rating, items and the
 * place in the list stay (the counters keep counting it), shown as an erased member. Idempotent.
 * Returns the photo ids it dropped (the caller removes the files).
 */
export async function eraseReview(
  db: DbContext,
  campaignId: string,
  entryId: string,
  userId: string,
  erasedNickname: string,
): Promise<string[] | null> {
  try {
    const out = await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.review(campaignId, entryId),
        UpdateExpression: 'SET #text = :empty, #photos = :none, #nickname = :erased, #erasedAt = :now',
        ConditionExpression: '#userId = :userId AND attribute_not_exists(#erasedAt)',
        ExpressionAttributeNames: {
          '#text': 'text',
          '#photos': 'photos',
          '#nickname': 'nickname',
          '#erasedAt': 'erasedAt',
          '#userId': 'userId',
        },
        ExpressionAttributeValues: {
          ':empty': '',
          ':none': [],
          ':erased': erasedNickname,
          ':now': db.clock.now().toISOString(),
          ':userId': userId,
        },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return (out.Attributes?.photos as string[] | undefined) ?? [];
  } catch (err) {
    if (conditionFailure(err)) return null;
    throw err;
  }
}
