import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { holdWantsReminder } from '../domain/index.js';
import { batchGetAll, conditionFailure, type DbContext, indexKeys, keys, listDueItems, outboxPutOnce } from '../table/index.js';

export const holdReminderEventId = (entryId: string) => `hold-${entryId}`;

/** Puts at once: a sweep's reminders are a handful of small writes, not worth a queue of their own. */
const WRITE_CONCURRENCY = 10;

/**
 * Holds ending within `leadMs` get their reminder event (`hold-<entryId>`, once): one Query of the
 * HOLD timeline for holdUntil in [now, now + lead] (holds already ended are the hold work's), one
 * BatchGet of their outbox keys (a hold stays in the window for several sweeps: a reminder already
 * written costs a read then, not a failed write), and a conditional Put per reminder still missing,
 * so overlapping sweeps write it once. Whether the hold is still unpaid is checked again at delivery.
 */
export async function writeHoldReminders(db: DbContext, now: Date, leadMs: number, limit: number): Promise<number> {
  const from = now.toISOString();
  const to = new Date(now.getTime() + leadMs).toISOString();
  const holds = (await listDueItems(db, indexKeys.holdPartition, { from, to }, limit)).filter(
    (h) =>
      h.status === 'pending_payment' &&
      typeof h.holdUntil === 'string' &&
      typeof h.createdAt === 'string' &&
      holdWantsReminder(h.createdAt, h.holdUntil, leadMs),
  );
  if (holds.length === 0) return 0;
  const written = await batchGetAll(
    db,
    holds.map((h) => keys.outbox(String(h.campaignId), holdReminderEventId(String(h.id)))),
    { projection: '#pk, #sk', names: { '#pk': 'pk', '#sk': 'sk' } },
  );
  const already = new Set(written.map((i) => `${i.pk}|${i.sk}`));
  const todo = holds.filter((h) => {
    const k = keys.outbox(String(h.campaignId), holdReminderEventId(String(h.id)));
    return !already.has(`${k.pk}|${k.sk}`);
  });
  let count = 0;
  for (let i = 0; i < todo.length; i += WRITE_CONCURRENCY) {
    await Promise.all(
      todo.slice(i, i + WRITE_CONCURRENCY).map(async (h) => {
        const entryId = String(h.id);
        try {
          await db.doc.send(
            new PutCommand(
              outboxPutOnce(db.tableName, {
                campaignId: String(h.campaignId),
                eventId: holdReminderEventId(entryId),
                event: 'hold-expiring',
                at: from,
                userId: String(h.userId),
                entryId,
                holdUntil: String(h.holdUntil),
              }),
            ),
          );
          count++;
        } catch (err) {
          if (!conditionFailure(err)) throw err; // a twin sweep wrote it: once is enough
        }
      }),
    );
  }
  return count;
}
