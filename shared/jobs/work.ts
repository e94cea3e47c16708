import { z } from 'zod';

/**
 * One unit of deadline work: what the scheduled finder hands to a queue and a worker does. Each
 * kind has its own queue (and worker concurrency), so a slow kind (WeChat Pay calls) never delays
 * another (settling an offline campaign needs no WeChat at all). Erasures have their own lane too.
 */
export const WORK_KINDS = ['settle', 'hold', 'refund-plan', 'refund', 'erasure', 'message', 'fold'] as const;
export type WorkKind = (typeof WORK_KINDS)[number];

/** Entry ids of due holds the finder saw for a settling campaign; more than this and we just wait the grace. */
export const MAX_HOLDS_IN_SETTLE_UNIT = 25;

const id = z.string().min(1).max(200);

export const WorkUnitSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('settle'),
    campaignId: id,
    /** holds of this campaign found due in the same sweep: settling waits (a little) for them to end */
    holds: z.array(id).max(MAX_HOLDS_IN_SETTLE_UNIT).optional(),
  }),
  z.strictObject({ kind: z.literal('hold'), campaignId: id, entryId: id }),
  z.strictObject({ kind: z.literal('refund-plan'), campaignId: id }),
  z.strictObject({ kind: z.literal('refund'), campaignId: id, outRefundNo: id }),
  /** an erasure (DELETE /me) interrupted and never retried, or its one re-walk */
  z.strictObject({ kind: z.literal('erasure'), userId: id }),
  /** an outbox event whose subscribe messages are to be sent (shared/messages) */
  z.strictObject({ kind: z.literal('message'), campaignId: id, eventId: id }),
  /** a settled campaign of a community to fold into its member book and numbers (shared/numbers) */
  z.strictObject({ kind: z.literal('fold'), campaignId: id }),
]);
export type WorkUnit = z.infer<typeof WorkUnitSchema>;

/** What makes two units the same work: the queue drops a repeat of a unit still queued (dedup id). */
export function unitKey(unit: WorkUnit): string {
  switch (unit.kind) {
    case 'settle':
    case 'refund-plan':
    case 'fold':
      return `${unit.kind}:${unit.campaignId}`;
    case 'hold':
      return `hold:${unit.campaignId}:${unit.entryId}`;
    case 'refund':
      return `refund:${unit.campaignId}:${unit.outRefundNo}`;
    case 'erasure':
      return `erasure:${unit.userId}`;
    case 'message':
      return `message:${unit.campaignId}:${unit.eventId}`;
  }
}

/** A message body we did not write (or an older shape) is refused, not guessed at. */
export function parseWorkUnit(body: string): WorkUnit | null {
  try {
    const parsed = WorkUnitSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
