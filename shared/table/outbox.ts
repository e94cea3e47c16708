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
  /** unique within the campaign: `settled`, `refund-<outRefundNo>`, `arrived-<pointId>` */
  eventId: string;
  event: MessageEvent;
  at: string;
  /** one recipient (a refund); absent: the recipients follow from the campaign's entries */
  userId?: string;
  /** fen: a refund's amount */
  amount?: number;
  pickupPointId?: string;
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
