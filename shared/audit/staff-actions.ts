import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DbContext } from '../table/index.js';
import { keys, queryPrefixPage } from '../table/index.js';

/**
 * The record of what the staff did to a campaign's entries and money: one item per successful
 * staff request (who, their role, the operation, the entry it named), kept in the campaign's
 * partition and listed newest first. Written after the action succeeded (functions/middleware/
 * staff-audit.ts); the actions themselves also keep their actor where they are stored (pickups'
 * `by`, ledger `actor`, after-sales `decidedBy`, blocks, call-off and shortage `by`).
 */
export interface StaffAction {
  campaignId: string;
  at: string;
  requestId: string;
  actorId: string;
  role: 'leader' | 'staff';
  /** METHOD and route template, e.g. `POST /campaigns/{id}/entries/{entryId}/pickup` */
  operation: string;
  entryId: string | null;
  status: number;
}

/** Kept for a year, then expired by TTL (the leader's books are settled long before). */
const KEEP_SECONDS = 365 * 24 * 3600;

export async function recordStaffAction(db: DbContext, action: StaffAction): Promise<void> {
  await db.doc.send(
    new PutCommand({
      TableName: db.tableName,
      Item: {
        ...keys.staffAction(action.campaignId, action.at, action.requestId),
        type: 'staffAction',
        ...action,
        ttl: Math.floor(Date.parse(action.at) / 1000) + KEEP_SECONDS,
      },
    }),
  );
}

export async function listStaffActions(
  db: DbContext,
  campaignId: string,
  limit: number,
  cursor?: string,
): Promise<{ actions: StaffAction[]; nextCursor: string | null }> {
  const page = await queryPrefixPage(db, { pk: keys.campaignPartition(campaignId), prefix: keys.staffActionPrefix(), limit, cursor });
  return {
    actions: page.items.map((i) => ({
      campaignId: i.campaignId as string,
      at: i.at as string,
      requestId: i.requestId as string,
      actorId: i.actorId as string,
      role: i.role as StaffAction['role'],
      operation: i.operation as string,
      entryId: (i.entryId as string | null | undefined) ?? null,
      status: i.status as number,
    })),
    nextCursor: page.nextCursor,
  };
}
