import { z } from '@hono/zod-openapi';
import { SHORTAGE_ALLOCATIONS } from '../../shared/domain/index.js';
import { Fen, IsoTime } from './common.js';

export const ShortageBody = z
  .object({
    items: z
      .array(
        z.object({
          itemId: z.string().min(1).max(20),
          delivered: z.number().int().min(0).openapi({ description: 'units that came; at most what was sold (else 400)' }),
        }),
      )
      .min(1)
      .max(50),
    allocation: z.enum(SHORTAGE_ALLOCATIONS).openapi({
      description:
        'fifo: in 接龙 order, first come first served; pro-rata: each entry ⌊qty × delivered / sold⌋, the units left over one each in 接龙 order to the entries whose share had a remainder',
    }),
  })
  .openapi('ShortageRequest');

const ShortageSchema = z
  .object({
    items: z.array(z.object({ itemId: z.string(), delivered: z.number().int() })),
    allocation: z.enum(SHORTAGE_ALLOCATIONS),
    rules: z.array(
      z.object({
        itemId: z.string(),
        sold: z.number().int(),
        delivered: z.number().int(),
        cutoffSeq: z.number().int(),
        cutoffQty: z.number().int(),
      }),
    ),
    recordedAt: IsoTime,
    recordedBy: z.string(),
  })
  .openapi('Shortage', { description: 'how the delivered units were shared out (rules per item short; see ShortageRequest.allocation)' });

export const CallOffBody = z
  .object({ reason: z.string().trim().min(1).max(200).openapi({ example: '供货商断货，本次团购取消' }) })
  .openapi('CallOffRequest');

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
          ordered: z.number().int().optional().openapi({ description: 'after a shortage: units sold (quantity is what was delivered)' }),
        }),
      )
      .openapi({ description: 'what the leader buys from the supplier' }),
    total: z.number().int(),
    entryCount: z.number().int(),
    shortage: ShortageSchema.optional(),
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
          items: z.array(
            z.object({
              itemId: z.string(),
              qty: z.number().int().openapi({ description: 'units the entry gets (after a shortage: delivered)' }),
              unitPrice: Fen,
              amount: z.number().int(),
              ordered: z.number().int().optional().openapi({ description: 'after a shortage, when it differs: units ordered' }),
            }),
          ),
          amount: z.number().int().openapi({ description: 'Σ lines: the goods at the final price' }),
          pointsDiscount: Fen.openapi({
            description: "what the member's reserved points (积分) take off: the member owes amount − pointsDiscount",
          }),
          pointsUsed: z.number().int().openapi({ description: 'points that discount uses; the rest of the reservation goes back' }),
        }),
      )
      .openapi({ description: 'active entries in seq order; one page of them (see nextCursor)' }),
    nextCursor: z
      .string()
      .nullable()
      .openapi({ description: 'pass as `cursor` to GET /campaigns/{id}/settlement for the next page of entries; null on the last page' }),
  })
  .openapi('Settlement');
