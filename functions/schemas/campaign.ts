import { z } from '@hono/zod-openapi';
import { DEFAULT_PAYMENT_HOLD_MINUTES, CAMPAIGN_LIMITS as L, PAYMENT_MODES } from '../../shared/domain/index.js';
import { Fen, IsoTime } from './common.js';
import { ImageSchema } from './image.js';

const Tier = z
  .object({
    threshold: z.number().int().positive().max(10_000_000).openapi({ description: 'basis at which this price applies', example: 20 }),
    unitPrice: Fen,
  })
  .openapi('Tier');

export const ItemInput = z
  .object({
    name: z.string().trim().min(1).max(L.itemNameLength).openapi({ example: '阳光玫瑰 2斤装' }),
    spec: z.string().trim().max(L.itemSpecLength).nullish().openapi({ example: '2斤' }),
    unitPrice: Fen,
    stock: z.number().int().min(0).max(10_000_000).nullish().openapi({ description: 'null or absent: unlimited', example: 200 }),
    perPersonLimit: z.number().int().positive().max(100_000).nullish().openapi({ description: 'null or absent: no limit', example: 5 }),
    tiers: z.array(Tier).max(L.tiersPerItem).default([]),
  })
  .superRefine((item, ctx) => {
    item.tiers.forEach((tier, i) => {
      const prev = item.tiers[i - 1];
      if (prev && tier.threshold <= prev.threshold) {
        ctx.addIssue({ code: 'custom', path: ['tiers', i, 'threshold'], message: 'thresholds must be strictly increasing' });
      }
      const ceiling = prev ? prev.unitPrice : item.unitPrice;
      if (tier.unitPrice >= ceiling) {
        ctx.addIssue({
          code: 'custom',
          path: ['tiers', i, 'unitPrice'],
          message: 'tier prices must be strictly decreasing and below the item unitPrice',
        });
      }
    });
  })
  .openapi('ItemInput');

export const PickupPointInput = z.object({
  name: z.string().trim().min(1).max(L.pickupNameLength).openapi({ example: '3号楼门卫室' }),
  address: z.string().trim().max(L.pickupAddressLength).nullish().openapi({ example: '幸福小区3号楼' }),
});

const MaxEntriesPerUser = z
  .number()
  .int()
  .min(1)
  .max(L.entriesPerUser)
  .openapi({
    description:
      `active entries one member may hold at once (1..${L.entriesPerUser}, default 1): above 1 a household orders more than once under one account, ` +
      'each entry its own 接龙 number; every other rule (stock, perPersonLimit per entry, holds, blocks) applies to each entry',
    example: 1,
  });

export const CreateCampaignBody = z
  .object({
    title: z.string().trim().min(1).max(L.titleLength).openapi({ example: '周六 阳光玫瑰葡萄 团购' }),
    description: z.string().max(L.descriptionLength).default('').openapi({ example: '产地直发' }),
    opensAt: IsoTime.optional().openapi({ description: 'default: now' }),
    closesAt: IsoTime.openapi({ description: 'must be in the future and after opensAt' }),
    tierBasis: z.enum(['quantity', 'participants']).default('quantity').openapi({
      description:
        "`quantity`: an item's basis is its units over active entries; `participants`: every item's basis is the number of active entries",
    }),
    minParticipants: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(1)
      .openapi({ description: 'fewer active entries at settlement: the group fails and nobody pays' }),
    items: z.array(ItemInput).min(1).max(L.items),
    pickupPoints: z.array(PickupPointInput).max(L.pickupPoints).default([]),
    paymentMode: z.enum(PAYMENT_MODES).default('offline').openapi({
      description:
        '`offline` (default): members pay the leader outside the app and the leader marks them paid; `wechatpay`: members prepay the base price with WeChat Pay when joining and get the tier difference back at settlement (a failed group is refunded in full). Fixed at creation',
    }),
    paymentHoldMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(DEFAULT_PAYMENT_HOLD_MINUTES)
      .openapi({
        description:
          'wechatpay only: how long a join holds its stock waiting for the payment; an unpaid entry then expires and its units go back on sale',
      }),
    maxEntriesPerUser: MaxEntriesPerUser.default(1),
    communityId: z.string().min(1).max(200).optional().openapi({
      description:
        'publish into this community (社群): its team becomes staff of the campaign and its followers are told. Only its owner or an admin may (403)',
    }),
    draft: z.boolean().default(false).openapi({
      description: 'true: create a draft that members cannot see or join until POST /campaigns/{id}/publish; the leader can still edit it',
    }),
  })
  .openapi('CreateCampaign');

const NextTier = z
  .object({
    threshold: z.number().int(),
    unitPrice: Fen,
    needed: z.number().int().openapi({ description: 'how much more basis unlocks it' }),
  })
  .openapi('NextTier');

export const ItemSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    spec: z.string().nullable(),
    unitPrice: Fen,
    stock: z.number().int().nullable(),
    perPersonLimit: z.number().int().nullable(),
    tiers: z.array(Tier),
    sold: z.number().int(),
    remaining: z.number().int().nullable().openapi({ description: 'null for unlimited stock' }),
    currentUnitPrice: Fen.openapi({ description: 'price at the current basis' }),
    nextTier: NextTier.nullable().openapi({ description: 'null at the top tier' }),
    images: z.array(ImageSchema).optional().openapi({ description: 'the item’s photos in order (absent in lists of campaigns)' }),
  })
  .openapi('Item');

export const CallOffSchema = z
  .object({
    cancelReason: z.string(),
    cancelledAt: IsoTime,
    cancelledBy: z.string().openapi({ description: 'the leader who called it off (user id)' }),
    previousStatus: z.enum(['open', 'closed', 'settled', 'failed']).openapi({ description: 'the stored status when it was called off' }),
  })
  .openapi('CallOff');

export const CampaignSchema = z
  .object({
    id: z.string(),
    shareCode: z.string().openapi({ example: 'K7M2QX9A' }),
    leaderId: z.string(),
    status: z.enum(['draft', 'open', 'closed', 'settled', 'failed', 'cancelled']).openapi({
      description:
        'a campaign past closesAt reads as closed; `draft` is seen only by its leader and helpers until published; `cancelled`: called off by the leader (see callOff)',
    }),
    acceptingEntries: z
      .boolean()
      .openapi({ description: 'true when joins, changes and cancels are accepted right now (open, and opensAt ≤ now < closesAt)' }),
    title: z.string(),
    description: z.string(),
    opensAt: IsoTime,
    closesAt: IsoTime,
    tierBasis: z.enum(['quantity', 'participants']),
    minParticipants: z.number().int(),
    participantCount: z.number().int().openapi({ description: 'active entries' }),
    paymentMode: z.enum(PAYMENT_MODES),
    paymentHoldMinutes: z.number().int().openapi({ description: 'wechatpay: minutes an unpaid join holds its stock' }),
    maxEntriesPerUser: z.number().int().openapi({ description: 'active entries one member may hold at once (1: one per member)' }),
    communityId: z.string().optional().openapi({ description: 'the community it is published into (absent when none)' }),
    coverImage: ImageSchema.nullable()
      .optional()
      .openapi({ description: 'the cover photo; null when none (absent in lists of campaigns)' }),
    items: z.array(ItemSchema),
    pickupPoints: z.array(z.object({ id: z.string(), name: z.string(), address: z.string().nullable() })),
    contentReview: z
      .array(z.string())
      .optional()
      .openapi({ description: 'texts WeChat content security flagged for review (e.g. "title", "items[0].name"); absent when none' }),
    callOff: CallOffSchema.optional().openapi({ description: 'present once the leader called the campaign off' }),
    createdAt: IsoTime,
  })
  .openapi('Campaign');

export const CampaignPage = z.object({ campaigns: z.array(CampaignSchema), nextCursor: z.string().nullable() }).openapi('CampaignPage');

export const EditCampaignBody = z
  .object({
    title: z.string().trim().min(1).max(L.titleLength).optional(),
    description: z.string().max(L.descriptionLength).optional(),
    closesAt: IsoTime.optional().openapi({ description: 'extend or shorten; must stay in the future and after opensAt' }),
    stock: z
      .array(z.object({ itemId: z.string().min(1).max(200), stock: z.number().int().min(0).max(10_000_000) }))
      .max(50)
      .optional()
      .openapi({
        description: 'new stock of items with limited stock: raise freely, lower down to what is already sold (else 409 INVALID_STATE)',
      }),
    addItems: z
      .array(ItemInput)
      .max(L.items)
      .optional()
      .openapi({ description: `new items (at most ${L.items} in all, else 400); prices of existing items never change` }),
    maxEntriesPerUser: MaxEntriesPerUser.optional().openapi({
      description:
        'raise how many active entries one member may hold; lowering it is 409 INVALID_STATE (members may hold that many already)',
    }),
    addPickupPoints: z
      .array(PickupPointInput)
      .max(L.pickupPoints)
      .optional()
      .openapi({ description: `new pickup points (at most ${L.pickupPoints} in all, else 400)` }),
  })
  .openapi('EditCampaign');

export const CloneCampaignBody = z
  .object({
    title: z.string().trim().min(1).max(L.titleLength).optional().openapi({ description: 'default: the source campaign’s title' }),
    opensAt: IsoTime.optional().openapi({ description: 'default: now' }),
    closesAt: IsoTime.openapi({ description: 'must be in the future and after opensAt' }),
  })
  .openapi('CloneCampaign');
