import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CommunityDefinition, CommunityRole, JoinRule } from '../domain/index.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { newShareCode } from '../ids.js';
import type { DbContext } from '../table/index.js';
import { conditionFailure, indexKeys, isLookupableId, keys } from '../table/index.js';

/**
 * A community's #META item: its definition, the invite code members join with under the `invite`
 * rule, the counts by standing (kept in the same transactions as the standings) and the team as a
 * map userId → role. The team lives here, not only on the members, so one read of #META tells a
 * campaign of the community who its staff are (and a removed admin is gone at the next request).
 */
export interface Community extends CommunityDefinition {
  inviteCode: string;
  counts: { active: number; pending: number; follower: number; blocked: number };
  team: Record<string, Exclude<CommunityRole, 'member'>>;
}

/** At most this many owners, admins and helpers: the team map stays a small part of #META. */
export const MAX_TEAM_SIZE = 50;

const COUNT_FIELDS = ['active', 'pending', 'follower', 'blocked'] as const;
export type CountedStatus = (typeof COUNT_FIELDS)[number];
export const isCounted = (status: string): status is CountedStatus => (COUNT_FIELDS as readonly string[]).includes(status);
export const countAttribute = (status: CountedStatus) => `n_${status}`;

export function toCommunity(item: Record<string, unknown>): Community {
  return {
    id: item.communityId as string,
    ownerId: item.ownerId as string,
    name: item.name as string,
    description: item.description as string,
    joinRule: item.joinRule as JoinRule,
    public: item.public === true,
    cover: (item.cover as Community['cover']) ?? null,
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
    version: item.version as number,
    inviteCode: item.inviteCode as string,
    counts: {
      active: (item.n_active as number | undefined) ?? 0,
      pending: (item.n_pending as number | undefined) ?? 0,
      follower: (item.n_follower as number | undefined) ?? 0,
      blocked: (item.n_blocked as number | undefined) ?? 0,
    },
    team: (item.team as Community['team'] | undefined) ?? {},
  };
}

/** The community, its owner's membership and nothing half-made: one transaction. */
export async function createCommunity(
  db: DbContext,
  def: Omit<CommunityDefinition, 'updatedAt' | 'version'>,
  owner: { nickname: string },
): Promise<Community> {
  const community: Community = {
    ...def,
    updatedAt: def.createdAt,
    version: 1,
    inviteCode: newShareCode(),
    counts: { active: 1, pending: 0, follower: 0, blocked: 0 },
    team: { [def.ownerId]: 'owner' },
  };
  await db.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: db.tableName,
            Item: { ...keys.communityMeta(def.id), type: 'community', ...metaAttributes(community) },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName: db.tableName,
            Item: {
              ...keys.communityMember(def.id, def.ownerId),
              ...indexKeys.membershipByUser(def.ownerId, def.createdAt, def.id),
              type: 'communityMember',
              communityId: def.id,
              userId: def.ownerId,
              nickname: owner.nickname,
              role: 'owner',
              status: 'active',
              following: true,
              joinedAt: def.createdAt,
              updatedAt: def.createdAt,
            },
          },
        },
      ],
    }),
  );
  return community;
}

function metaAttributes(c: Community): Record<string, unknown> {
  return {
    communityId: c.id,
    ownerId: c.ownerId,
    name: c.name,
    description: c.description,
    joinRule: c.joinRule,
    public: c.public,
    cover: c.cover,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    version: c.version,
    inviteCode: c.inviteCode,
    n_active: c.counts.active,
    n_pending: c.counts.pending,
    n_follower: c.counts.follower,
    n_blocked: c.counts.blocked,
    team: c.team,
  };
}

export async function getCommunity(db: DbContext, communityId: string, opts: { consistent?: boolean } = {}): Promise<Community | null> {
  if (!isLookupableId(communityId)) return null;
  const out = await db.doc.send(
    new GetCommand({ TableName: db.tableName, Key: keys.communityMeta(communityId), ConsistentRead: opts.consistent ?? true }),
  );
  return out.Item ? toCommunity(out.Item) : null;
}

export async function requireCommunity(db: DbContext, communityId: string): Promise<Community> {
  const community = await getCommunity(db, communityId);
  if (!community) throw new NotFoundError(`No community ${communityId}`);
  return community;
}

export interface CommunityChanges {
  name?: string;
  description?: string;
  joinRule?: JoinRule;
  public?: boolean;
  cover?: CommunityDefinition['cover'];
  /** draw a new invite code: the old one stops working at once */
  rotateInviteCode?: boolean;
}

/** One conditional update on the version read: two editors at once never lose a change silently (409, retry). */
export async function updateCommunity(db: DbContext, before: Community, changes: CommunityChanges): Promise<Community> {
  const after: Community = {
    ...before,
    ...(changes.name !== undefined ? { name: changes.name } : {}),
    ...(changes.description !== undefined ? { description: changes.description } : {}),
    ...(changes.joinRule !== undefined ? { joinRule: changes.joinRule } : {}),
    ...(changes.public !== undefined ? { public: changes.public } : {}),
    ...(changes.cover !== undefined ? { cover: changes.cover } : {}),
    ...(changes.rotateInviteCode ? { inviteCode: newShareCode() } : {}),
    updatedAt: db.clock.now().toISOString(),
    version: before.version + 1,
  };
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.communityMeta(before.id),
        UpdateExpression:
          'SET #name = :name, #description = :description, joinRule = :rule, #public = :public, cover = :cover, inviteCode = :code, updatedAt = :now, #version = :next',
        ConditionExpression: '#version = :version',
        ExpressionAttributeNames: { '#name': 'name', '#description': 'description', '#public': 'public', '#version': 'version' },
        ExpressionAttributeValues: {
          ':name': after.name,
          ':description': after.description,
          ':rule': after.joinRule,
          ':public': after.public,
          ':cover': after.cover,
          ':code': after.inviteCode,
          ':now': after.updatedAt,
          ':next': after.version,
          ':version': before.version,
        },
      }),
    );
  } catch (err) {
    if (conditionFailure(err)) throw new ConflictError('The community changed meanwhile; read it again and retry');
    throw err;
  }
  return after;
}
