import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { campaignLinkPut, publisherCheck } from '../communities/index.js';
import type { CampaignDefinition } from '../domain/index.js';
import { ConflictError, ForbiddenError, InvalidStateError, NotFoundError } from '../errors.js';
import { newShareCode } from '../ids.js';
import type { DbContext } from '../table/index.js';
import {
  cancelledTransaction,
  conditionFailure,
  decodeCursor,
  digestPut,
  encodeCursor,
  GSI_BY_OWNER,
  GSI_DUE,
  indexKeys,
  initialState,
  isLookupableId,
  isTransientConflict,
  keys,
  listDue,
  newStateRecord,
  outboxPut,
  SORT,
  type StateRecord,
  settlementItem,
  toDefinition,
  toState,
  withRetry,
} from '../table/index.js';
import type { CampaignDb } from './cache.js';
import type { CampaignSnapshot } from './snapshot.js';

/**
 * Creates a campaign: its share code (unique by a conditional put), definition, counters and
 * digest marker in one transaction, so a half-created campaign never exists. A share-code collision retries with
 * a fresh code. A draft stays out of the deadline index until it is published.
 */
export async function createCampaign(
  db: DbContext,
  draft: Omit<CampaignDefinition, 'shareCode'>,
  opts: { draft?: boolean } = {},
): Promise<CampaignDefinition> {
  return withRetry(
    async () => {
      const def: CampaignDefinition = { ...draft, shareCode: newShareCode() };
      // Published into a community: its leader must hold the right there as this is written (shared/communities).
      const community = def.communityId
        ? [
            publisherCheck(db, def.communityId, def.leaderId),
            campaignLinkPut(db, def.communityId, { campaignId: def.id, leaderId: def.leaderId, createdAt: def.createdAt }),
            // Its followers hear of it (subscribe messages) once it is published: now, or when the draft is.
            ...(opts.draft ? [] : [newCampaignEvent(db.tableName, def.id, def.createdAt)]),
          ]
        : [];
      try {
        await db.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: db.tableName,
                  Item: { ...keys.shareCode(def.shareCode), type: 'share', campaignId: def.id },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: db.tableName,
                  Item: {
                    ...keys.campaignMeta(def.id),
                    ...indexKeys.campaignByLeader(def.leaderId, def.createdAt, def.id),
                    ...(opts.draft ? {} : indexKeys.openByClose(def.closesAt, def.id)),
                    type: 'campaign',
                    ...def,
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              { Put: newStateRecord(db.tableName, def.id, initialState(def, opts.draft ? 'draft' : 'open')) },
              // The leader's digest timeline starts here, so the join path never writes for it (README "Subscribe messages").
              { Put: digestPut(db.tableName, def.id, def.createdAt) },
              ...community,
            ],
          }),
        );
      } catch (err) {
        if (community.length > 0 && cancelledTransaction(err)?.reasons[4]?.code === 'ConditionalCheckFailed') {
          throw new ForbiddenError(`Only the owner or an admin of community ${def.communityId} can publish campaigns into it`);
        }
        throw err;
      }
      return def;
    },
    {
      retries: 7,
      // A share code already taken (a new one is drawn) or a concurrent transaction: try again.
      retryOn: (err) => isTransientConflict(err) || cancelledTransaction(err)?.reasons[0]?.code === 'ConditionalCheckFailed',
      onExhausted: () => new ConflictError('Could not create the campaign (share code collisions or conflicts); retry'),
    },
  );
}

/** A community's followers are told of a campaign published into it (shared/messages, event `new-campaign`). */
const newCampaignEvent = (tableName: string, campaignId: string, at: string) =>
  outboxPut(tableName, { campaignId, eventId: 'new-campaign', event: 'new-campaign', at });

/** META, STATE and SETTLEMENT in one strongly consistent query: their sort keys start with '#'. */
export async function getCampaign(db: DbContext, campaignId: string): Promise<CampaignSnapshot | null> {
  if (!isLookupableId(campaignId)) return null;
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :hash)',
      ExpressionAttributeValues: { ':pk': keys.campaignPartition(campaignId), ':hash': '#' },
      ConsistentRead: true,
    }),
  );
  const bySk = new Map((out.Items ?? []).map((i) => [i.sk as string, i]));
  const meta = bySk.get(SORT.meta);
  const state = bySk.get(SORT.state);
  if (!meta || !state) return null;
  const settlement = bySk.get(SORT.settlement);
  return {
    def: toDefinition(meta),
    state: toState(state as unknown as StateRecord),
    stateRecord: state as unknown as StateRecord,
    settlement: settlement ? settlementItem.fromItem(settlement) : null,
    defVersion: (meta.defVersion as number | undefined) ?? 0,
  };
}

export async function requireCampaign(db: DbContext, campaignId: string): Promise<CampaignSnapshot> {
  const snapshot = await getCampaign(db, campaignId);
  if (!snapshot) throw new NotFoundError(`No campaign ${campaignId}`);
  return snapshot;
}

export async function findCampaignIdByShareCode(db: DbContext, shareCode: string): Promise<string | null> {
  if (!isLookupableId(shareCode)) return null;
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.shareCode(shareCode.toUpperCase()) }));
  return (out.Item?.campaignId as string | undefined) ?? null;
}

/**
 * Leader close. Stored status becomes `closed` from `open` (also past the deadline, which only
 * *reads* as closed). Closing a closed campaign is a no-op; a settled one is INVALID_STATE.
 */
export async function closeCampaign(db: DbContext, campaignId: string): Promise<void> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.campaignState(campaignId),
        UpdateExpression: 'SET #status = :closed, #closedAt = :now, #version = #version + :one',
        ConditionExpression: '#status = :open',
        ExpressionAttributeNames: { '#status': 'status', '#closedAt': 'closedAt', '#version': 'version' },
        ExpressionAttributeValues: { ':closed': 'closed', ':open': 'open', ':now': db.clock.now().toISOString(), ':one': 1 },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  } catch (err) {
    const failure = conditionFailure(err);
    if (!failure) throw err;
    const status = failure.item?.status;
    if (status === 'closed') return;
    if (status === undefined) throw new NotFoundError(`No campaign ${campaignId}`);
    throw new InvalidStateError(`Campaign is already ${String(status)}`, { status });
  }
}

/**
 * Publish a draft: members can see and join it from now on, and the sweep settles it at its
 * deadline. Publishing a published campaign is a no-op; a draft whose deadline passed must get a
 * new closesAt first (PATCH).
 */
export async function publishCampaign(db: CampaignDb, campaignId: string): Promise<void> {
  const snapshot = await requireCampaign(db, campaignId);
  const now = db.clock.now().toISOString();
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: db.tableName,
              Key: keys.campaignState(campaignId),
              UpdateExpression: 'SET #status = :open, #version = #version + :one',
              ConditionExpression: '#status = :draft AND #closesAt > :now',
              ExpressionAttributeNames: { '#status': 'status', '#version': 'version', '#closesAt': 'closesAt' },
              ExpressionAttributeValues: { ':open': 'open', ':draft': 'draft', ':one': 1, ':now': now },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          {
            Update: {
              TableName: db.tableName,
              Key: keys.campaignMeta(campaignId),
              UpdateExpression: 'SET #g2pk = :g2pk, #g2sk = :g2sk',
              ExpressionAttributeNames: { '#g2pk': GSI_DUE.partitionKey, '#g2sk': GSI_DUE.sortKey },
              ExpressionAttributeValues: {
                ':g2pk': indexKeys.openByClose(snapshot.def.closesAt, campaignId)[GSI_DUE.partitionKey],
                ':g2sk': indexKeys.openByClose(snapshot.def.closesAt, campaignId)[GSI_DUE.sortKey],
              },
            },
          },
          ...(snapshot.def.communityId ? [newCampaignEvent(db.tableName, campaignId, now)] : []),
        ],
      }),
    );
    db.cache?.put(await requireCampaign(db, campaignId));
  } catch (err) {
    const state = cancelledTransaction(err)?.reasons[0]?.item as StateRecord | undefined;
    if (!state) throw err;
    if (state.status === 'draft')
      throw new InvalidStateError('The deadline has passed: set a new closesAt (PATCH) before publishing', { closesAt: state.closesAt });
    if (state.status === 'open') return;
    throw new InvalidStateError(`Campaign is already ${state.status}`, { status: state.status });
  }
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** gsi1, newest first: one owner's items (campaigns a user leads, entries a user made). */
export async function queryOwnerIndex(
  db: DbContext,
  ownerPk: string,
  limit: number,
  cursor?: string | null,
): Promise<Page<Record<string, unknown>>> {
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: GSI_BY_OWNER.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': GSI_BY_OWNER.partitionKey },
      ExpressionAttributeValues: { ':pk': ownerPk },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, {
        index: { partitionKey: GSI_BY_OWNER.partitionKey, sortKey: GSI_BY_OWNER.sortKey, pk: ownerPk },
      }),
    }),
  );
  return { items: out.Items ?? [], nextCursor: encodeCursor(out.LastEvaluatedKey) };
}

/** Campaigns the user leads, newest first. */
export async function listLeaderCampaignIds(db: DbContext, leaderId: string, limit: number, cursor?: string | null): Promise<Page<string>> {
  const page = await queryOwnerIndex(db, indexKeys.leaderPartition(leaderId), limit, cursor);
  return { items: page.items.map((i) => i.id as string), nextCursor: page.nextCursor };
}

/** gsi2: campaigns not yet settled whose deadline is at or before `now`, oldest deadline first. */
export async function listDueCampaignIds(db: DbContext, now: string, limit = 100): Promise<string[]> {
  return (await listDue(db, indexKeys.openPartition, now, limit)).map((due) => due.campaignId);
}
