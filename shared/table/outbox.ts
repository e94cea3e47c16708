import type { MessageEvent } from '../domain/index.js';
import { itemKind } from './items.js';
import { indexKeys, keys } from './keys.js';
import type { TransactItem } from './transact.js';

/**
 * An outbox item: one event whose messages are still to be sent. It is written in the same
 * transaction as the event itself (the settlement, the refund's success, the arrival), so an event
 * that happened is never left untold, whatever crashes after; the due index (OUTBOX) leads the
 * sweep to it until every recipient's message is final (shared/messages/deliver.ts).
 */
export interface OutboxRecord {
  campaignId: string;
  /**
   * unique within the campaign: `settled`, `refund-<outRefundNo>`, `arrived-<pointId>`,
   * `hold-<entryId>` (a reminder), `digest-<seq>` (the leader's digest up to that number)
   */
  eventId: string;
  event: MessageEvent;
  at: string;
  /** one recipient (a refund); absent: the recipients follow from the campaign's entries */
  userId?: string;
  /** fen: a refund's amount */
  amount?: number;
  pickupPointId?: string;
  /** a hold reminder: the entry and when its hold ends (checked again at delivery) */
  entryId?: string;
  holdUntil?: string;
  /** a digest: how many numbers were taken since the last one (joins), and up to which */
  count?: number;
  toSeq?: number;
  /** delivery rounds that had to be retried */
  attempts: number;
  /** set when every message is final; the item then leaves the due index */
  deliveredAt?: string;
  counts?: Record<string, number>;
}
export const outboxItem = itemKind<OutboxRecord>('outbox');

/**
 * The outbox Put for a transaction. Unconditional on purpose: an event written again (a repeated
 * refund report) re-arms delivery, and delivery finds each member's message already final (MSG#
 * items), so nothing is sent twice.
 */
export function outboxPut(tableName: string, event: Omit<OutboxRecord, 'attempts' | 'deliveredAt' | 'counts'>): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...outboxItem.toItem(keys.outbox(event.campaignId, event.eventId), { ...event, attempts: 0 }),
        ...indexKeys.outboxDue(event.at, event.campaignId, event.eventId),
      },
    },
  };
}

/**
 * The outbox Put of an event the sweep itself decides on (a hold reminder, a digest): written only
 * where none is, so overlapping sweeps that all saw it due write it once, and a delivered one
 * (which keeps its item) is never re-armed.
 */
export function outboxPutOnce(tableName: string, event: Omit<OutboxRecord, 'attempts' | 'deliveredAt' | 'counts'>) {
  const put = outboxPut(tableName, event).Put!;
  return { ...put, ConditionExpression: 'attribute_not_exists(pk)' };
}

/**
 * A campaign's leader digest: up to which number the last digest told of (the STATE item's `seq`
 * counts every number taken, so "new since" is a subtraction and the join path writes nothing
 * more), and while the campaign takes joins, when the next one is due (gsi2 DIGEST).
 */
export interface DigestRecord {
  campaignId: string;
  lastSeq: number;
  /** when the last digest was written (absent: none yet) */
  lastAt?: string;
}
export const digestItem = itemKind<DigestRecord>('digest');

/**
 * The digest's first Put, in the campaign's creation transaction: due at once, so the first sweep
 * sets its rhythm (an interval later, or at once if joins already came).
 */
export function digestPut(tableName: string, campaignId: string, createdAt: string) {
  return {
    TableName: tableName,
    Item: {
      ...digestItem.toItem(keys.digest(campaignId), { campaignId, lastSeq: 0 }),
      ...indexKeys.digestDue(createdAt, campaignId),
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}
