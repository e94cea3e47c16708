import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type MessageTemplate, type MessageTemplates, renderData, renderPage } from '../domain/index.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import {
  batchGetAll,
  cancelledTransaction,
  conditionFailure,
  type DbContext,
  GSI_DUE,
  indexKeys,
  itemKind,
  keys,
  type OutboxRecord,
  outboxItem,
  type TransactItem,
} from '../table/index.js';
import { isRetryableWechatFailure, WechatApiError, WechatTimeoutError, WechatUnreachableError } from '../wechat/index.js';
import { ANY_CAMPAIGN } from './grants.js';
import { type Recipient, recipientsOf } from './recipients.js';
import type { MessageSchedule } from './schedule.js';
import { NO_GRANT_ERRCODE, type SubscribeSender } from './sender.js';

/** Subscribe messages as deployed: the templates (configuration) and who sends them. */
export interface Messaging {
  readonly templates: MessageTemplates;
  readonly sender: SubscribeSender;
  /** which version of the mini-program the card opens (WECHAT_CODE_ENV style: formal in production) */
  readonly miniprogramState?: 'developer' | 'trial' | 'formal';
  /** hold reminders and leader digests; absent: the defaults, for the configured templates (messageSchedule) */
  readonly schedule?: MessageSchedule;
}

export interface DeliverContext {
  readonly db: DbContext;
  readonly logger: Logger;
  /** absent: no templates configured; events are marked delivered with nothing sent */
  readonly messaging?: Messaging | null;
  readonly metrics?: Metrics;
}

/**
 * A member's message: `sending` while claimed (a grant taken), then final. `uncertain`: WeChat did
 * not answer in time, or the sender died mid-call; it may have arrived, so it is never sent again.
 */
export type MessageStatus = 'sending' | 'retry' | 'sent' | 'refused' | 'failed' | 'no-grant' | 'no-openid' | 'uncertain';
const FINAL = new Set<MessageStatus>(['sent', 'refused', 'failed', 'no-grant', 'no-openid', 'uncertain']);

export interface MessageRecord {
  campaignId: string;
  eventId: string;
  event: OutboxRecord['event'];
  userId: string;
  templateId: string;
  status: MessageStatus;
  /** which grant the send took ('*' or the campaign id) */
  grantScope?: string;
  claimedAt?: string;
  sentAt?: string;
  attempts: number;
  lastError?: string;
  updatedAt: string;
}
export const messageItem = itemKind<MessageRecord>('message');

/** Delivery rounds of one event before messages still failing are given up (failed). */
export const MAX_DELIVERY_ROUNDS = 5;
/** A claim older than this belongs to a sender that died: its message is `uncertain`, not resent. */
export const SENDING_LEASE_MS = 60_000;
/** While a round waits for its retry in the queue, the due index holds the event this far ahead (a lost message is found again). */
export const REDELIVER_AFTER_MS = 10 * 60_000;
/** Backoff between rounds: 15 s, 30 s, 60 s, 120 s. */
export const deliveryRetryMs = (round: number) => Math.min(120_000, 15_000 * 2 ** Math.max(0, round - 1));
/** Sends at once per event: WeChat allows far more; this keeps one worker's sockets few. */
const SEND_CONCURRENCY = 4;

export type DeliveryOutcome =
  | { done: true; counts: Record<string, number> }
  | { done: false; retryAfterMs: number; reason: string; counts: Record<string, number> };

/**
 * Deliver one outbox event: every recipient's message is claimed with one of their grants, sent,
 * and made final, each step conditional, so a repeat of this (a twin queue message, a crash and
 * the sweep finding the event again, a settle run twice) sends nothing twice. Messages that failed
 * for a reason worth retrying make the round end `done: false` with a backoff.
 */
export async function deliverEvent(ctx: DeliverContext, campaignId: string, eventId: string): Promise<DeliveryOutcome> {
  const { db } = ctx;
  const read = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.outbox(campaignId, eventId), ConsistentRead: true }));
  const ev = outboxItem.fromMaybe(read.Item);
  if (!ev || ev.deliveredAt) return { done: true, counts: {} };
  const { messaging } = ctx;
  const template = messaging?.templates[ev.event];
  if (!messaging || !template) {
    await markDelivered(db, ev, { 'no-template': 1 });
    return { done: true, counts: { 'no-template': 1 } };
  }
  const recipients = await recipientsOf(db, ev);
  if (recipients.length === 0 && ev.event === 'hold-expiring') {
    // Paid, cancelled or ended since the sweep saw it: nothing to remind of, no grant used. (A payment
    // made between this read and the send still gets the reminder: harmless, and never twice.)
    await markDelivered(db, ev, { 'not-held': 1 });
    return { done: true, counts: { 'not-held': 1 } };
  }
  const openids = await openidsOf(db, recipients);
  const lastRound = ev.attempts + 1 >= MAX_DELIVERY_ROUNDS;
  const counts: Record<string, number> = {};
  const queue = [...recipients];
  const one = async () => {
    for (let r = queue.shift(); r; r = queue.shift()) {
      const status = await deliverOne(ctx, messaging, template, ev, r, openids.get(r.userId), lastRound);
      counts[status] = (counts[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: SEND_CONCURRENCY }, one));
  // Final answers of this round only (a message is sent or given up once): the rest come back next round.
  ctx.metrics?.count('MessagesSent', counts.sent ?? 0);
  ctx.metrics?.count('MessagesFailed', (counts.failed ?? 0) + (counts.uncertain ?? 0));
  const pending = (counts.retry ?? 0) + (counts.busy ?? 0);
  if (pending > 0 && !lastRound) {
    const round = ev.attempts + 1;
    await rearm(db, ev, round);
    return { done: false, retryAfterMs: deliveryRetryMs(round), reason: `${pending} message(s) to retry`, counts };
  }
  await markDelivered(db, ev, counts);
  ctx.logger.info('messages delivered', { campaignId, eventId, event: ev.event, ...counts });
  return { done: true, counts };
}

type OneStatus = MessageStatus | 'busy';

async function deliverOne(
  ctx: DeliverContext,
  messaging: Messaging,
  template: MessageTemplate,
  ev: OutboxRecord,
  r: Recipient,
  openid: string | undefined,
  lastRound: boolean,
): Promise<OneStatus> {
  const { db } = ctx;
  const key = keys.message(ev.campaignId, ev.eventId, r.userId);
  const now = db.clock.now().toISOString();
  const got = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: key, ConsistentRead: true }));
  const existing = messageItem.fromMaybe(got.Item);
  if (existing && FINAL.has(existing.status)) return existing.status;
  if (existing?.status === 'sending') {
    if (Date.parse(now) - Date.parse(existing.claimedAt ?? now) < SENDING_LEASE_MS) return 'busy';
    // The sender died between claiming and recording: the message may have gone out. Never twice.
    return (await finish(db, existing, 'uncertain', { lastError: 'sender stopped mid-send' }, false)) ? 'uncertain' : 'busy';
  }
  const record: MessageRecord = {
    campaignId: ev.campaignId,
    eventId: ev.eventId,
    event: ev.event,
    userId: r.userId,
    templateId: template.templateId,
    status: 'sending',
    attempts: existing?.attempts ?? 0,
    updatedAt: now,
  };
  if (!openid) return (await putFinal(db, record, 'no-openid')) ? 'no-openid' : 'busy';

  // Claim: the message and one grant in one transaction (a campaign's own grant first, then an any-campaign one).
  let claimed: MessageRecord | null = null;
  for (let attempt = 0; attempt < 3 && !claimed; attempt++) {
    const scope = await grantToUse(db, r.userId, template.templateId, ev.campaignId);
    if (!scope) return (await putFinal(db, record, 'no-grant')) ? 'no-grant' : 'busy';
    const claim = { ...record, grantScope: scope, claimedAt: now };
    try {
      await db.doc.send(
        new TransactWriteCommand({ TransactItems: [putMessage(db, claim), takeGrant(db, r.userId, template.templateId, scope)] }),
      );
      claimed = claim;
    } catch (err) {
      const cancelled = cancelledTransaction(err);
      if (!cancelled) throw err;
      if (cancelled.reasons[0]?.code === 'ConditionalCheckFailed') return 'busy'; // a twin claimed it
      // the grant was used up in between: look again
    }
  }
  if (!claimed) return 'busy';

  const page = renderPage(template, ev.campaignId);
  try {
    await messaging.sender.send({
      touser: openid,
      template_id: template.templateId,
      ...(page ? { page } : {}),
      data: renderData(template, r.values),
      ...(messaging.miniprogramState ? { miniprogram_state: messaging.miniprogramState } : {}),
      lang: 'zh_CN',
    });
  } catch (err) {
    const errcode = err instanceof WechatApiError || err instanceof WechatUnreachableError ? err.errcode : undefined;
    const lastError = errcode !== undefined ? `errcode ${errcode}` : err instanceof Error ? err.message.slice(0, 200) : 'unknown';
    // 43101: WeChat holds no grant of this member for the template. Nothing was consumed: the grant comes back.
    if (errcode === NO_GRANT_ERRCODE) return settleOrBusy(db, claimed, 'refused', { lastError }, true);
    // No answer in time: it may have been sent. Never twice, so the grant counts as used.
    if (err instanceof WechatTimeoutError) return settleOrBusy(db, claimed, 'uncertain', { lastError }, false);
    if (isRetryableWechatFailure(err) && !lastRound)
      return settleOrBusy(db, claimed, 'retry', { lastError, attempts: claimed.attempts + 1 }, true);
    ctx.logger.warn('subscribe message failed', {
      campaignId: ev.campaignId,
      eventId: ev.eventId,
      templateId: template.templateId,
      errcode,
      err,
    });
    return settleOrBusy(db, claimed, 'failed', { lastError, attempts: claimed.attempts + 1 }, true);
  }
  return settleOrBusy(db, claimed, 'sent', { sentAt: db.clock.now().toISOString() }, false);
}

async function settleOrBusy(
  db: DbContext,
  claimed: MessageRecord,
  status: MessageStatus,
  extra: Partial<MessageRecord>,
  giveBack: boolean,
): Promise<OneStatus> {
  return (await finish(db, claimed, status, extra, giveBack)) ? status : 'busy';
}

/** Move a claimed message on from `sending` (only the claim we hold), giving its grant back when nothing was consumed. */
async function finish(
  db: DbContext,
  claimed: MessageRecord,
  status: MessageStatus,
  extra: Partial<MessageRecord>,
  giveBack: boolean,
): Promise<boolean> {
  const next: MessageRecord = { ...claimed, ...extra, status, updatedAt: db.clock.now().toISOString() };
  const items: TransactItem[] = [
    {
      Put: {
        TableName: db.tableName,
        Item: messageItem.toItem(keys.message(claimed.campaignId, claimed.eventId, claimed.userId), next),
        ConditionExpression: '#status = :sending AND #claimedAt = :claimedAt',
        ExpressionAttributeNames: { '#status': 'status', '#claimedAt': 'claimedAt' },
        ExpressionAttributeValues: { ':sending': 'sending', ':claimedAt': claimed.claimedAt },
      },
    },
  ];
  if (giveBack && claimed.grantScope) {
    items.push({
      Update: {
        TableName: db.tableName,
        Key: keys.grant(claimed.userId, claimed.templateId, claimed.grantScope),
        UpdateExpression: 'ADD #count :one',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':one': 1 },
      },
    });
  }
  try {
    await db.doc.send(new TransactWriteCommand({ TransactItems: items }));
    return true;
  } catch (err) {
    if (cancelledTransaction(err)?.reasons[0]?.code === 'ConditionalCheckFailed') return false;
    throw err;
  }
}

/** A message that never claimed a grant (none, or no openid): final at once, unless a twin got there first. */
async function putFinal(db: DbContext, record: MessageRecord, status: MessageStatus): Promise<boolean> {
  try {
    // a conditional Put: no transaction needed for one item
    await db.doc.send(new PutCommand(putMessage(db, { ...record, status }).Put!));
    return true;
  } catch (err) {
    if (conditionFailure(err)) return false;
    throw err;
  }
}

/** A message item written where none is, or over one waiting for a retry (never over a claim or a final one). */
function putMessage(db: DbContext, record: MessageRecord): TransactItem {
  return {
    Put: {
      TableName: db.tableName,
      Item: messageItem.toItem(keys.message(record.campaignId, record.eventId, record.userId), record),
      ConditionExpression: 'attribute_not_exists(pk) OR #status = :retry',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':retry': 'retry' },
    },
  };
}

function takeGrant(db: DbContext, userId: string, templateId: string, scope: string): TransactItem {
  return {
    Update: {
      TableName: db.tableName,
      Key: keys.grant(userId, templateId, scope),
      UpdateExpression: 'SET #count = #count - :one',
      ConditionExpression: '#count > :zero',
      ExpressionAttributeNames: { '#count': 'count' },
      ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
    },
  };
}

/** The grant a message of this campaign uses: one tied to the campaign, else one for any campaign; null when none is left. */
async function grantToUse(db: DbContext, userId: string, templateId: string, campaignId: string): Promise<string | null> {
  const found = await batchGetAll(db, [keys.grant(userId, templateId, campaignId), keys.grant(userId, templateId, ANY_CAMPAIGN)], {
    consistent: true,
  });
  const left = (scope: string) => found.some((g) => g.scope === scope && Number(g.count ?? 0) > 0);
  if (left(campaignId)) return campaignId;
  return left(ANY_CAMPAIGN) ? ANY_CAMPAIGN : null;
}

async function openidsOf(db: DbContext, recipients: readonly Recipient[]): Promise<Map<string, string>> {
  const users = await batchGetAll(
    db,
    recipients.map((r) => keys.user(r.userId)),
    { projection: '#id, #openid', names: { '#id': 'id', '#openid': 'openid' } },
  );
  const map = new Map<string, string>();
  for (const u of users) if (typeof u.openid === 'string' && typeof u.id === 'string') map.set(u.id, u.openid);
  return map;
}

/** Another round later: the due index holds the event REDELIVER_AFTER_MS ahead, in case the queue's retry is lost. */
async function rearm(db: DbContext, ev: OutboxRecord, round: number): Promise<void> {
  const at = new Date(db.clock.now().getTime() + REDELIVER_AFTER_MS).toISOString();
  const due = indexKeys.outboxDue(at, ev.campaignId, ev.eventId);
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.outbox(ev.campaignId, ev.eventId),
        UpdateExpression: 'SET #attempts = :round, #g2pk = :g2pk, #g2sk = :g2sk',
        ConditionExpression: '#attempts = :was AND attribute_not_exists(#deliveredAt)',
        ExpressionAttributeNames: {
          '#attempts': 'attempts',
          '#deliveredAt': 'deliveredAt',
          '#g2pk': GSI_DUE.partitionKey,
          '#g2sk': GSI_DUE.sortKey,
        },
        ExpressionAttributeValues: {
          ':round': round,
          ':was': ev.attempts,
          ':g2pk': due[GSI_DUE.partitionKey],
          ':g2sk': due[GSI_DUE.sortKey],
        },
      }),
    );
  } catch (err) {
    if (!conditionFailure(err)) throw err; // a twin round moved it on: fine
  }
}

async function markDelivered(db: DbContext, ev: OutboxRecord, counts: Record<string, number>): Promise<void> {
  await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: keys.outbox(ev.campaignId, ev.eventId),
      UpdateExpression: 'SET #deliveredAt = :now, #counts = :counts REMOVE #g2pk, #g2sk',
      ExpressionAttributeNames: {
        '#deliveredAt': 'deliveredAt',
        '#counts': 'counts',
        '#g2pk': GSI_DUE.partitionKey,
        '#g2sk': GSI_DUE.sortKey,
      },
      ExpressionAttributeValues: { ':now': db.clock.now().toISOString(), ':counts': counts },
    }),
  );
}
