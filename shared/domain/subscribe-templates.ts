import { z } from 'zod';
import { type FieldValue, fieldKind, fieldValue } from './subscribe-fields.js';

/**
 * What members (or the leader) are told of by a subscribe message. `hold-expiring` reminds a member
 * whose payment hold ends soon; `new-entries` is the leader's digest of joins since the last one;
 * `new-campaign` tells a community's followers that a campaign was published into it.
 */
export const MESSAGE_EVENTS = [
  'group-succeeded',
  'group-failed',
  'refund-arrived',
  'goods-arrived',
  'hold-expiring',
  'new-entries',
  'new-campaign',
] as const;
export type MessageEvent = (typeof MESSAGE_EVENTS)[number];

/**
 * What a template field can be filled with, per message (see README "Subscribe messages"). `count`:
 * the digest's new entries (other events: the member's units); `deadline`: when the hold ends (a
 * reminder), else the campaign's closing time.
 */
export const FIELD_SOURCES = ['title', 'status', 'amount', 'units', 'pickupPoint', 'time', 'count', 'deadline'] as const;
export type FieldSource = (typeof FIELD_SOURCES)[number];

/** Minutes before a payment hold ends that its member is reminded (WECHAT_HOLD_REMINDER_MINUTES). */
export const DEFAULT_HOLD_REMINDER_MINUTES = 5;
/** Minutes between two digests of one campaign for its leader, at most (WECHAT_DIGEST_INTERVAL_MINUTES). */
export const DEFAULT_DIGEST_INTERVAL_MINUTES = 60;

/**
 * A reminder makes sense only when the member had a while without one: the hold lasts at least
 * twice the lead (a hold cut short by the deadline, or shorter than that, gets none, so no one is
 * told "pay now" the minute they joined).
 */
export const holdWantsReminder = (createdAt: string, holdUntil: string, leadMs: number) =>
  leadMs > 0 && Date.parse(holdUntil) - Date.parse(createdAt) >= 2 * leadMs;

const TemplateSchema = z.strictObject({
  /** the template id from 小程序后台 → 订阅消息 (one-time templates only) */
  templateId: z.string().regex(/^[\w-]{1,128}$/, 'templateId must be a WeChat template id'),
  /** the page the card opens; `{campaignId}` is replaced (e.g. pages/campaign/index?id={campaignId}) */
  page: z.string().max(256).optional(),
  /** template field key (kind + number, as WeChat shows it: thing1, amount2, time3) → what fills it */
  data: z
    .record(
      z.string().refine((key) => fieldKind(key) !== null, { message: 'a field key is a WeChat field kind and a number, e.g. thing1' }),
      z.enum(FIELD_SOURCES),
    )
    .refine((data) => Object.keys(data).length > 0 && Object.keys(data).length <= 10, 'a template has 1 to 10 fields'),
});
export type MessageTemplate = z.infer<typeof TemplateSchema>;

/** WECHAT_SUBSCRIBE_TEMPLATES: JSON, event → template; an event without one sends nothing. */
export const TemplatesSchema = z.partialRecord(z.enum(MESSAGE_EVENTS), TemplateSchema);
export type MessageTemplates = z.infer<typeof TemplatesSchema>;

/** The template ids a member may grant: those of the configured events. */
export const templateIds = (templates: MessageTemplates) => new Set(Object.values(templates).map((t) => t.templateId));

/** The `data` of one message: each field's source value, fitted to its kind's limits. */
export function renderData(template: MessageTemplate, values: Record<FieldSource, FieldValue>): Record<string, { value: string }> {
  const data: Record<string, { value: string }> = {};
  for (const [key, source] of Object.entries(template.data)) {
    const kind = fieldKind(key);
    if (kind) data[key] = { value: fieldValue(kind, values[source]) };
  }
  return data;
}

/** The page the card opens, for this campaign. */
export const renderPage = (template: MessageTemplate, campaignId: string) => template.page?.replaceAll('{campaignId}', campaignId);

/** WECHAT_SUBSCRIBE_TEMPLATES text → the templates, or its first problem: the config and `cdk synth` read it the same way. */
export function parseSubscribeTemplates(text: string): { templates: MessageTemplates } | { problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { problem: 'must be JSON' };
  }
  const checked = TemplatesSchema.safeParse(parsed);
  if (checked.success) return { templates: checked.data };
  const issue = checked.error.issues[0];
  return { problem: `${issue?.path.join('.')}: ${issue?.message}` };
}
