import { z } from '@hono/zod-openapi';
import { MAX_NUMBERS_DAYS } from '../../shared/numbers/index.js';
import { IsoTime } from './common.js';

const count = (description: string) => z.number().int().openapi({ description });

export const CountersSchema = z
  .object({
    purchases: count("members' purchases: one per member per settled campaign"),
    newMembers: count('purchases that were the member’s first in the community'),
    returning: count('purchases of members who had bought in the community before'),
    repeat30: count('returning purchases whose member’s previous join was within 30 days'),
    repeat90: count('returning purchases whose member’s previous join was within 90 days'),
    entries: count('active entries of settled campaigns'),
    units: count('units bought (after a shortage: as settled)'),
    revenue: count('fen: final amounts less points discounts'),
    refunded: count('fen refunded after settlement (not 退差价)'),
    pickups: count('entries picked up'),
    noShows: count('entries not picked up when the pickup was closed'),
    views: count('share-page views (a floor: pages a cache answered are not counted)'),
    campaigns: count('settled (succeeded) campaigns'),
    reviewsCount: count('reviews written (a withdrawn review leaves; an edit moves ratingSum only)'),
    ratingSum: count('sum of review ratings (average = ratingSum ÷ reviewsCount)'),
  })
  .openapi('NumbersCounters');

export const DerivedSchema = z
  .object({
    averageOrder: z.number().int().nullable().openapi({ description: 'fen per purchase; null without purchases' }),
    conversion: z.number().nullable().openapi({ description: 'entries ÷ share-page views; null without views' }),
    repeatRate30: z
      .number()
      .nullable()
      .openapi({ description: 'of the last 30 days’ purchases, the share whose member’s previous join was within 30 days' }),
    repeatRate90: z.number().nullable().openapi({ description: 'the same over 90 days' }),
  })
  .openapi('NumbersDerived');

const ItemNumbersSchema = z.object({ key: z.string(), name: z.string(), units: z.number().int(), amount: z.number().int() });
const PointNumbersSchema = z.object({
  key: z.string(),
  name: z.string().nullable().openapi({ description: 'null: entries without a pickup point' }),
  entries: z.number().int(),
  units: z.number().int(),
  amount: z.number().int(),
  pickups: z.number().int().optional(),
  noShows: z.number().int().optional(),
});

export const CommunityNumbersSchema = z
  .object({
    communityId: z.string(),
    totals: CountersSchema,
    derived: DerivedSchema,
    last30: CountersSchema,
    last90: CountersSchema,
    topItemsByUnits: z.array(ItemNumbersSchema),
    topItemsByAmount: z.array(ItemNumbersSchema),
    pickupPoints: z.array(PointNumbersSchema).openapi({ description: 'by pickup point name, across campaigns' }),
    days: z.array(CountersSchema.extend({ day: z.string().openapi({ example: '2026-12-01', description: 'Asia/Shanghai' }) })),
  })
  .openapi('CommunityNumbers');

export const CampaignNumbersSchema = z
  .object({
    campaignId: z.string(),
    communityId: z.string().nullable(),
    foldedAt: IsoTime.nullable().openapi({ description: 'null until settled and folded (within a minute of settling)' }),
    status: z.string().nullable(),
    pickupClosedAt: IsoTime.nullable(),
    totals: CountersSchema,
    derived: DerivedSchema,
    topItemsByUnits: z.array(ItemNumbersSchema),
    topItemsByAmount: z.array(ItemNumbersSchema),
    pickupPoints: z.array(PointNumbersSchema),
    viewsByDay: z.array(z.object({ day: z.string(), views: z.number().int() })),
  })
  .openapi('CampaignNumbers');

export const NumbersQuery = z.object({
  days: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_NUMBERS_DAYS)
    .default(30)
    .openapi({ description: `days of the daily series, today last (Asia/Shanghai); 1..${MAX_NUMBERS_DAYS}, default 30` }),
});

export const PickupCloseSchema = z
  .object({
    closedAt: IsoTime,
    noShows: z.number().int().openapi({ description: 'entries counted as no-shows by this close (0 when nothing new)' }),
    pickedUp: z.number().int(),
    waiting: z.number().int(),
  })
  .openapi('PickupClose');

export const MemberExportQuery = z.object({
  format: z.enum(['csv', 'xlsx']).default('xlsx'),
});
