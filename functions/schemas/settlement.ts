import { z } from '@hono/zod-openapi';
import { Fen, IsoTime } from './common.js';

export const SettlementSchema = z
  .object({
    campaignId: z.string(),
    status: z.enum(['settled', 'failed']).openapi({ description: 'failed: fewer than minParticipants active entries; every amount is 0' }),
    settledAt: IsoTime,
    items: z
      .array(
        z.object({
          itemId: z.string(),
          name: z.string(),
          spec: z.string().nullable(),
          quantity: z.number().int(),
          finalUnitPrice: Fen,
          amount: Fen,
        }),
      )
      .openapi({ description: 'what the leader buys from the supplier' }),
    total: z.number().int(),
    entryCount: z.number().int(),
    entries: z
      .array(
        z.object({
          entryId: z.string(),
          seq: z.number().int(),
          userId: z.string(),
          nickname: z.string(),
          phone: z.string().nullable(),
          pickupPointId: z.string().nullable(),
          note: z.string().nullable(),
          items: z.array(z.object({ itemId: z.string(), qty: z.number().int(), unitPrice: Fen, amount: z.number().int() })),
          amount: z.number().int(),
        }),
      )
      .openapi({ description: 'active entries in seq order; one page of them (see nextCursor)' }),
    nextCursor: z
      .string()
      .nullable()
      .openapi({ description: 'pass as `cursor` to GET /campaigns/{id}/settlement for the next page of entries; null on the last page' }),
  })
  .openapi('Settlement');
