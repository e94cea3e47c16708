import type { MessageEvent } from '../domain/index.js';
import { type DbContext, keys, outboxItem, queryCampaignPrefix } from '../table/index.js';
import { type MessageRecord, messageItem } from './deliver.js';

export interface CampaignMessages {
  events: Array<{
    eventId: string;
    event: MessageEvent;
    at: string;
    deliveredAt: string | null;
    rounds: number;
    counts: Record<string, number>;
  }>;
  messages: Array<
    Pick<MessageRecord, 'eventId' | 'event' | 'userId' | 'templateId' | 'status' | 'attempts'> & {
      sentAt: string | null;
      lastError: string | null;
    }
  >;
}

/**
 * What the campaign told whom (the leader's view): each event with its tally, and each member's
 * message with its state. Two prefix Queries of the campaign's partition; a campaign has a few
 * events and at most one message per member and event.
 */
export async function campaignMessages(db: DbContext, campaignId: string): Promise<CampaignMessages> {
  const pk = keys.campaignPartition(campaignId);
  const out: CampaignMessages = { events: [], messages: [] };
  for await (const item of queryCampaignPrefix(db, pk, keys.outboxPrefix())) {
    const ev = outboxItem.fromItem(item);
    out.events.push({
      eventId: ev.eventId,
      event: ev.event,
      at: ev.at,
      deliveredAt: ev.deliveredAt ?? null,
      rounds: ev.attempts,
      counts: ev.counts ?? {},
    });
  }
  for await (const item of queryCampaignPrefix(db, pk, keys.messagePrefix())) {
    const m = messageItem.fromItem(item);
    out.messages.push({
      eventId: m.eventId,
      event: m.event,
      userId: m.userId,
      templateId: m.templateId,
      status: m.status,
      attempts: m.attempts,
      sentAt: m.sentAt ?? null,
      lastError: m.lastError ?? null,
    });
  }
  return out;
}
