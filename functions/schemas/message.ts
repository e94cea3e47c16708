import { z } from '@hono/zod-openapi';
import { MESSAGE_EVENTS } from '../../shared/domain/index.js';
import { IsoTime } from './common.js';

export const SubscriptionsBody = z
  .strictObject({
    templateIds: z
      .array(z.string().min(1).max(128))
      .min(1)
      .max(5)
      .openapi({ description: 'The ids wx.requestSubscribeMessage answered `accept` for (at most 5 a call, as WeChat allows)' }),
    campaignId: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: 'Tie the grants to this campaign: only its messages use them' }),
  })
  .openapi('SubscriptionsBody');

export const GrantList = z
  .object({
    grants: z.array(
      z.object({
        templateId: z.string(),
        scope: z.string().openapi({ description: "a campaign id, or '*' for any campaign" }),
        count: z.number().int().openapi({ description: 'one-time grants not yet used' }),
      }),
    ),
  })
  .openapi('GrantList');

export const PickupPointParam = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'c_0abc' }),
  pointId: z
    .string()
    .min(1)
    .openapi({ param: { name: 'pointId', in: 'path' }, example: 'p1' }),
});

export const ArrivalView = z
  .object({
    campaignId: z.string(),
    pickupPointId: z.string(),
    arrivedAt: IsoTime,
    by: z.string(),
    repeated: z.boolean().openapi({ description: 'already marked arrived: nothing new recorded, no one told twice' }),
  })
  .openapi('Arrival');

export const CampaignMessagesView = z
  .object({
    campaignId: z.string(),
    events: z.array(
      z.object({
        eventId: z.string(),
        event: z.enum(MESSAGE_EVENTS),
        at: IsoTime,
        deliveredAt: IsoTime.nullable(),
        rounds: z.number().int(),
        counts: z.record(z.string(), z.number().int()).openapi({ description: 'messages per final state (sent, no-grant, refused, …)' }),
      }),
    ),
    messages: z.array(
      z.object({
        eventId: z.string(),
        event: z.string(),
        userId: z.string(),
        templateId: z.string(),
        status: z.enum(['sending', 'retry', 'sent', 'refused', 'failed', 'no-grant', 'no-openid', 'uncertain']),
        attempts: z.number().int(),
        sentAt: IsoTime.nullable(),
        lastError: z.string().nullable(),
      }),
    ),
  })
  .openapi('CampaignMessages');
