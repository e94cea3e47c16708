import { z } from '@hono/zod-openapi';
import { UPLOAD_ID } from '../../shared/images/index.js';
import { Fen, IsoTime } from './common.js';

export const AfterSaleBody = z
  .object({
    items: z
      .array(z.object({ itemId: z.string().min(1).max(20), qty: z.number().int().min(1).max(1_000_000) }))
      .min(1)
      .max(50)
      .openapi({ description: 'units to be refunded, at most what the entry got (less what its other requests ask)' }),
    reason: z.string().trim().min(1).max(500),
    photos: z
      .array(z.string().regex(UPLOAD_ID, 'an uploadId from POST …/after-sale/uploads'))
      .max(9)
      .refine((ids) => new Set(ids).size === ids.length, 'a photo is listed twice')
      .optional()
      .openapi({
        description:
          'uploadIds of photos the member uploaded with POST …/after-sale/uploads (both sizes), at most 9; each is checked (400 UPLOAD_INVALID with `details.uploadId`)',
      }),
  })
  .openapi('AfterSaleRequestBody');

export const AfterSaleDecisionBody = z
  .union([
    z.object({
      approve: z.literal(true),
      amount: Fen.min(1).optional().openapi({ description: 'fen to give back; default the amount asked; more is 400' }),
      note: z.string().trim().max(500).default(''),
    }),
    z.object({ approve: z.literal(false), reason: z.string().trim().min(1).max(500) }),
  ])
  .openapi('AfterSaleDecision');

export const AfterSaleSchema = z
  .object({
    requestId: z.string(),
    campaignId: z.string(),
    entryId: z.string(),
    seq: z.number().int(),
    userId: z.string(),
    items: z.array(z.object({ itemId: z.string(), qty: z.number().int() })),
    reason: z.string(),
    photos: z.array(z.string()).openapi({ description: 'the evidence photos’ ids' }),
    photoLinks: z
      .array(z.object({ id: z.string(), list: z.string(), detail: z.string(), expiresAt: IsoTime }))
      .optional()
      .openapi({ description: 'signed links to both sizes of each photo, valid an hour (where photos are configured)' }),
    amount: Fen.openapi({ description: 'Σ qty × the settled unit price' }),
    state: z.enum(['pending', 'approved', 'rejected']),
    createdAt: IsoTime,
    decidedAt: IsoTime.optional(),
    decidedBy: z.string().optional(),
    approvedAmount: Fen.optional(),
    note: z.string().optional(),
    rejectReason: z.string().optional(),
    refundDue: z
      .boolean()
      .optional()
      .openapi({ description: 'prepaid, approved: its refund is still to be requested (the sweep does it)' }),
  })
  .openapi('AfterSale');

export const AfterSaleListSchema = z.object({ afterSales: z.array(AfterSaleSchema) }).openapi('AfterSaleList');
