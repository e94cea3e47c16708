import { z } from '@hono/zod-openapi';
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
      .array(z.string().min(1).max(300))
      .max(9)
      .optional()
      .openapi({ description: 'object keys of photos the mini-program uploaded (optional)' }),
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
    photos: z.array(z.string()),
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
