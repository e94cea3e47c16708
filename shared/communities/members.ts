import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CommunityRole, MembershipStatus } from '../domain/index.js';
import { ConflictError, NotFoundError } from '../errors.js';
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
  keys,
  queryAll,
  withRetry,
} from '../table/index.js';
import { countAttribute, isCounted, MAX_TEAM_SIZE } from './communities.js';

/**
 * One person's item in a community: their standing (role, status, following) and their member
 * book (shared/communities/book.ts keeps the numbers). Every change of standing is a transaction
 * of this item (conditioned on the standing read) and the counts on #META, so the counts are the
 * number of items in each status even when hundreds join at once.
 */
export interface Membership {
  communityId: string;
  userId: string;
  /** a copy of the profile nickname for the staff's search; erasure blanks it */
  nickname: string;
  role: CommunityRole;
  status: MembershipStatus;
  following: boolean;
  /** first time they stood in the community (kept when they leave and come back) */
  joinedAt: string;
  updatedAt: string;
  /** who invited them into the team, or approved / removed / blocked them last */
  by?: string;
  note?: string;
  tags?: string[];
  book?: MemberBook;
}

/** What the events (settlement, pickup, refund, after-sale) add up per member; never from a scan. */
export interface MemberBook {
  firstJoinAt: string | null;
  lastJoinAt: string | null;
  campaigns: number;
  units: number;
  /** fen: Σ final amounts of their entries in settled campaigns */
  amount: number;
  /** fen: Σ refunds they received */
  refunded: number;
  pickups: number;
  noShows: number;
}

export const EMPTY_BOOK: MemberBook = {
  firstJoinAt: null,
  lastJoinAt: null,
  campaigns: 0,
  units: 0,
  amount: 0,
  refunded: 0,
  pickups: 0,
  noShows: 0,
};

export function toMembership(item: Record<string, unknown>): Membership {
  return {
    communityId: item.communityId as string,
    userId: item.userId as string,
    nickname: (item.nickname as string | undefined) ?? '',
    role: (item.role as CommunityRole | undefined) ?? 'member',
    status: item.status as MembershipStatus,
    following: item.following === true,
    joinedAt: item.joinedAt as string,
    updatedAt: item.updatedAt as string,
    ...(typeof item.by === 'string' ? { by: item.by } : {}),
    ...(typeof item.note === 'string' ? { note: item.note } : {}),
    ...(Array.isArray(item.tags) ? { tags: item.tags as string[] } : {}),
    book: {
      firstJoinAt: (item.firstJoinAt as string | undefined) ?? null,
      lastJoinAt: (item.lastJoinAt as string | undefined) ?? null,
      campaigns: (item.b_campaigns as number | undefined) ?? 0,
      units: (item.b_units as number | undefined) ?? 0,
      amount: (item.b_amount as number | undefined) ?? 0,
      refunded: (item.b_refunded as number | undefined) ?? 0,
      pickups: (item.b_pickups as number | undefined) ?? 0,
      noShows: (item.b_noShows as number | undefined) ?? 0,
    },
  };
}

export async function getMembership(db: DbContext, communityId: string, userId: string): Promise<Membership | null> {
  if (!isLookupableId(communityId) || !isLookupableId(userId)) return null;
  const out = await db.doc.send(
    new GetCommand({ TableName: db.tableName, Key: keys.communityMember(communityId, userId), ConsistentRead: true }),
  );
  return out.Item ? toMembership(out.Item) : null;
}

/** A change of one person's standing: what it was (as read; null when they never stood here) and what it becomes. */
export interface StandingChange {
  communityId: string;
  userId: string;
  before: Membership | null;
  status: MembershipStatus;
  role: CommunityRole;
  following: boolean;
  nickname?: string;
  by?: string;
  /** extra writes that must happen with it (an invitation spent, an inviter's standing checked), each with the error its failed condition means */
  with?: Array<{ write: TransactItem; failure: () => Error }>;
}

/**
 * Writes a standing change: the member item (conditioned on the standing read, so of two requests
 * racing from one standing only the first applies), the #META counts and, when the team changes,
 * the team map. A lost race answers 409 CONFLICT after retries that read again (`reread`).
 */
export function standingWrites(db: DbContext, change: StandingChange, now: string): TransactItem[] {
  const { before } = change;
  const item = keys.communityMember(change.communityId, change.userId);
  const joinedAt = before?.joinedAt ?? now;
  const names: Record<string, string> = { '#status': 'status', '#role': 'role' };
  const values: Record<string, unknown> = {
    ':status': change.status,
    ':role': change.role,
    ':following': change.following,
    ':now': now,
    ':joinedAt': joinedAt,
    ':type': 'communityMember',
    ':cid': change.communityId,
    ':uid': change.userId,
    ...Object.fromEntries(
      Object.entries(indexKeys.membershipByUser(change.userId, joinedAt, change.communityId)).map(([k, v]) => [`:${k}`, v]),
    ),
  };
  const sets = [
    '#status = :status',
    '#role = :role',
    'following = :following',
    'updatedAt = :now',
    'joinedAt = :joinedAt',
    '#type = :type',
    'communityId = :cid',
    'userId = :uid',
    'gsi1pk = :gsi1pk',
    'gsi1sk = :gsi1sk',
  ];
  names['#type'] = 'type';
  if (change.nickname !== undefined) {
    sets.push('nickname = :nickname');
    values[':nickname'] = change.nickname;
  }
  if (change.by !== undefined) {
    sets.push('#by = :by');
    names['#by'] = 'by';
    values[':by'] = change.by;
  }
  let condition = 'attribute_not_exists(pk)';
  if (before) {
    condition = '#status = :beforeStatus AND #role = :beforeRole';
    values[':beforeStatus'] = before.status;
    values[':beforeRole'] = before.role;
  }
  const writes: TransactItem[] = [
    {
      Update: {
        TableName: db.tableName,
        Key: item,
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: condition,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
  ];
  const meta = metaUpdate(change);
  if (meta) writes.push({ Update: { TableName: db.tableName, Key: keys.communityMeta(change.communityId), ...meta } });
  return [...writes, ...(change.with ?? []).map((w) => w.write)];
}

/** The #META half: counts moved from the old status to the new one, the team map kept in step. */
function metaUpdate(change: StandingChange) {
  const from = change.before?.status ?? null;
  const to = change.status;
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const adds: string[] = [];
  if (from !== to) {
    if (from && isCounted(from)) {
      names['#from'] = countAttribute(from);
      values[':minus'] = -1;
      adds.push('#from :minus');
    }
    if (isCounted(to)) {
      names['#to'] = countAttribute(to);
      values[':plus'] = 1;
      adds.push('#to :plus');
    }
  }
  const wasTeam = change.before !== null && change.before.status === 'active' && change.before.role !== 'member';
  const isTeam = change.status === 'active' && change.role !== 'member';
  const teamChanged = wasTeam !== isTeam || (isTeam && change.before?.role !== change.role);
  const parts: string[] = [];
  let condition = 'attribute_exists(pk)';
  if (teamChanged) {
    names['#team'] = 'team';
    names['#u'] = change.userId;
    if (isTeam) {
      parts.push('SET #team.#u = :teamRole');
      values[':teamRole'] = change.role;
      if (!wasTeam) {
        // A bound on the map's size: the n-th member of a full team is refused (409), not written.
        condition += ` AND size(#team) < :maxTeam`;
        values[':maxTeam'] = MAX_TEAM_SIZE;
      }
    } else parts.push('REMOVE #team.#u');
  }
  if (adds.length > 0) parts.push(`ADD ${adds.join(', ')}`);
  if (parts.length === 0) return null;
  return {
    UpdateExpression: parts.join(' '),
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
  };
}

/**
 * Applies a standing change computed from a fresh read: `decide(current)` returns the change (or
 * null: nothing to do, e.g. joining twice) and is asked again after a lost race.
 */
export async function changeStanding<T>(
  db: DbContext,
  communityId: string,
  userId: string,
  decide: (current: Membership | null) => { change: Omit<StandingChange, 'communityId' | 'userId' | 'before'>; result: T } | { result: T },
  opts: { assumeNew?: boolean } = {},
): Promise<T> {
  // `assumeNew` (a join: most joiners never stood here): the first attempt writes without reading;
  // if they did stand here, the failed condition hands back their item (ALL_OLD) for the next attempt.
  let known: Membership | null | undefined = opts.assumeNew ? null : undefined;
  return withRetry(
    async () => {
      const current = known !== undefined ? known : await getMembership(db, communityId, userId);
      known = undefined;
      const decision = decide(current);
      if (!('change' in decision)) return decision.result;
      const extra = decision.change.with ?? [];
      const writes = standingWrites(db, { communityId, userId, before: current, ...decision.change }, db.clock.now().toISOString());
      try {
        await db.doc.send(new TransactWriteCommand({ TransactItems: writes }));
      } catch (err) {
        const reasons = cancelledTransaction(err)?.reasons;
        const failed = reasons?.findIndex((r) => r.code === 'ConditionalCheckFailed') ?? -1;
        if (failed === 0 && reasons?.[0]?.item) known = toMembership(reasons[0].item);
        // 0: the standing moved (retried on a fresh read); then #META (when written); then the extra writes.
        const extraAt = writes.length - extra.length;
        if (failed >= extraAt) throw extra[failed - extraAt]!.failure();
        if (failed > 0)
          throw new ConflictError(`The team of community ${communityId} is full (${MAX_TEAM_SIZE})`, { limit: MAX_TEAM_SIZE });
        throw err;
      }
      return decision.result;
    },
    {
      retries: 6,
      // The standing changed between the read and the write (another request won): decide again on a fresh read.
      retryOn: (err) => isTransientConflict(err) || cancelledTransaction(err)?.reasons[0]?.code === 'ConditionalCheckFailed',
      onExhausted: () => new ConflictError('Your standing in this community changed meanwhile; retry'),
    },
  );
}

export interface MemberQuery {
  status?: MembershipStatus;
  role?: CommunityRole;
  tag?: string;
  /** part of the nickname */
  q?: string;
  limit: number;
  cursor?: string;
}

/**
 * The member book, a page at a time: one Query of the community's member items (filters apply
 * within the page read, so a filtered page may hold fewer than `limit`; follow `nextCursor`).
 */
export async function listMembers(
  db: DbContext,
  communityId: string,
  query: MemberQuery,
): Promise<{ members: Membership[]; nextCursor: string | null }> {
  const pk = keys.communityPartition(communityId);
  const prefix = keys.communityMemberPrefix();
  const filters: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':pk': pk, ':prefix': prefix };
  if (query.status) {
    filters.push('#status = :status');
    names['#status'] = 'status';
    values[':status'] = query.status;
  }
  if (query.role) {
    filters.push('#role = :role');
    names['#role'] = 'role';
    values[':role'] = query.role;
  }
  if (query.tag) {
    filters.push('contains(tags, :tag)');
    values[':tag'] = query.tag;
  }
  if (query.q) {
    filters.push('contains(nickname, :q)');
    values[':q'] = query.q;
  }
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
      ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
      Limit: query.limit,
      ExclusiveStartKey: decodeCursor(query.cursor, { pk, skPrefix: prefix }),
    }),
  );
  return { members: (out.Items ?? []).map(toMembership), nextCursor: encodeCursor(out.LastEvaluatedKey) };
}

/** Who hears of a new campaign in the community: members and followers who follow it (one paged Query of its members). */
export async function* followersOf(db: DbContext, communityId: string): AsyncGenerator<string> {
  for await (const item of queryAll(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    FilterExpression: 'following = :yes AND #status IN (:active, :follower)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':pk': keys.communityPartition(communityId),
      ':prefix': keys.communityMemberPrefix(),
      ':yes': true,
      ':active': 'active',
      ':follower': 'follower',
    },
    ProjectionExpression: 'userId',
  })) {
    yield item.userId as string;
  }
}

/** The communities a user stands in (any status but removed), newest first, through gsi1. */
export async function listUserMemberships(db: DbContext, userId: string, limit: number, cursor?: string) {
  const pk = indexKeys.membershipPartition(userId);
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: GSI_BY_OWNER.name,
      KeyConditionExpression: `${GSI_BY_OWNER.partitionKey} = :pk`,
      ExpressionAttributeValues: { ':pk': pk },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, { index: { partitionKey: GSI_BY_OWNER.partitionKey, sortKey: GSI_BY_OWNER.sortKey, pk } }),
    }),
  );
  return { memberships: (out.Items ?? []).map(toMembership), nextCursor: encodeCursor(out.LastEvaluatedKey) };
}

/** The team's note and tags on a member: one conditional update (404 for someone who never stood in the community). */
export async function updateMemberNotes(
  db: DbContext,
  communityId: string,
  userId: string,
  changes: { note?: string | null | undefined; tags?: string[] | undefined },
): Promise<Membership> {
  const sets: string[] = ['updatedAt = :now'];
  const removes: string[] = [];
  const values: Record<string, unknown> = { ':now': db.clock.now().toISOString() };
  if (changes.note === null || changes.note === '') removes.push('note');
  else if (changes.note !== undefined) {
    sets.push('note = :note');
    values[':note'] = changes.note;
  }
  if (changes.tags !== undefined) {
    sets.push('tags = :tags');
    values[':tags'] = [...new Set(changes.tags)];
  }
  if (!isLookupableId(userId)) throw new NotFoundError(`No member ${userId} in community ${communityId}`);
  try {
    const out = await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.communityMember(communityId, userId),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toMembership(out.Attributes ?? {});
  } catch (err) {
    if (conditionFailure(err)) throw new NotFoundError(`No member ${userId} in community ${communityId}`);
    throw err;
  }
}

/**
 * Erasure (DELETE /me): the person's row keeps its numbers (the member book's counts stay in the
 * community's numbers) but loses the name and what the team wrote about them. Nothing when they
 * never stood or bought there.
 */
export async function anonymiseMember(db: DbContext, communityId: string, userId: string, nickname: string): Promise<boolean> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.communityMember(communityId, userId),
        UpdateExpression: 'SET nickname = :nickname, updatedAt = :now REMOVE note, tags',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':nickname': nickname, ':now': db.clock.now().toISOString() },
      }),
    );
    return true;
  } catch (err) {
    if (conditionFailure(err)) return false;
    throw err;
  }
}
