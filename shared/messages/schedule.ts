import { DEFAULT_DIGEST_INTERVAL_MINUTES, DEFAULT_HOLD_REMINDER_MINUTES, type MessageTemplates } from '../domain/index.js';
import type { DbContext } from '../table/index.js';
import { writeDueDigests } from './digests.js';
import { writeHoldReminders } from './hold-reminders.js';

/**
 * The messages the sweep itself decides on (no event of their own writes them): a hold's reminder
 * and the leader's digest. Null turns one off: its event has no template (nothing could be sent,
 * so nothing is looked for), or its minutes are 0.
 */
export interface MessageSchedule {
  /** how long before a hold ends its member is reminded */
  readonly holdReminderLeadMs: number | null;
  /** the least time between two digests of one campaign */
  readonly digestIntervalMs: number | null;
}

export const NO_MESSAGE_SCHEDULE: MessageSchedule = { holdReminderLeadMs: null, digestIntervalMs: null };

/** The schedule of a deployment: its templates and the two settings (defaults: 5 and 60 minutes). */
export function messageSchedule(
  templates: MessageTemplates | undefined,
  minutes: { holdReminderMinutes?: number | undefined; digestIntervalMinutes?: number | undefined } = {},
): MessageSchedule {
  const lead = minutes.holdReminderMinutes ?? DEFAULT_HOLD_REMINDER_MINUTES;
  const interval = minutes.digestIntervalMinutes ?? DEFAULT_DIGEST_INTERVAL_MINUTES;
  return {
    holdReminderLeadMs: templates?.['hold-expiring'] && lead > 0 ? lead * 60_000 : null,
    digestIntervalMs: templates?.['new-entries'] && interval > 0 ? interval * 60_000 : null,
  };
}

/** What one sweep wrote: reminder events and digest events (delivered as any outbox event). */
export interface ScheduledEvents {
  holdReminders: number;
  digests: number;
}

/**
 * The sweep's own message events for `now`: reminders of holds ending soon and digests due. They
 * land in the outbox like every other event, so the sweep that finds outbox work hands them over.
 */
export async function writeScheduledEvents(db: DbContext, now: Date, schedule: MessageSchedule, limit: number): Promise<ScheduledEvents> {
  const [holdReminders, digests] = await Promise.all([
    schedule.holdReminderLeadMs ? writeHoldReminders(db, now, schedule.holdReminderLeadMs, limit) : 0,
    schedule.digestIntervalMs ? writeDueDigests(db, now, schedule.digestIntervalMs, limit) : 0,
  ]);
  return { holdReminders, digests };
}
