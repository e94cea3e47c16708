import { z } from '@hono/zod-openapi';
import { MAX_POINTS_PER_EVENT, MAX_TITLE_LENGTH, MAX_TITLES } from '../../shared/domain/index.js';
import { Fen } from './common.js';

const Points = z.number().int().min(0).max(MAX_POINTS_PER_EVENT);

const EarnRules = z
  .object({
    joinSucceeded: Points.openapi({ description: 'per entry in a campaign that succeeded (成团)' }),
    paidOnTime: Points.openapi({ description: 'per prepaid entry paid within its hold' }),
    pickedUp: Points.openapi({ description: 'per entry picked up (核销); an undo takes them back' }),
    reviewed: Points.openapi({ description: 'per entry reviewed' }),
    referral: Points.openapi({
      description: 'to the referrer, per entry that joined through their share code, when the campaign succeeds',
    }),
  })
  .openapi('PointsEarnRules', { description: 'points per event; 0 turns that kind off' });

const SpendRules = z
  .object({
    enabled: z.boolean(),
    fenPerPoint: z.number().int().min(1).max(100).openapi({ description: 'fen one point takes off' }),
    maxFenPerEntry: Fen.openapi({ description: 'at most this much off one entry (fen)' }),
    maxPercentOfEntry: z.number().int().min(0).max(100).openapi({ description: "at most this share of the entry's final amount" }),
  })
  .openapi('PointsSpendRules');

const TitleRule = z.object({
  minPoints: z.number().int().min(0).max(100_000_000),
  title: z.string().trim().min(1).max(MAX_TITLE_LENGTH).openapi({ example: '铁杆团友' }),
});

export const PointsRulesBody = z
  .object({
    earn: EarnRules,
    spend: SpendRules,
    titles: z
      .array(TitleRule)
      .max(MAX_TITLES)
      .openapi({ description: 'ascending minPoints; a member holds the highest their points (earned, not balance) reach' }),
  })
  .openapi('PointsRulesRequest');

export const PointsRulesSchema = PointsRulesBody.extend({
  communityId: z.string(),
  version: z.number().int().openapi({ description: '0: never set (the defaults: everything off)' }),
  updatedAt: z.string().openapi({ description: "'' while never set" }),
}).openapi('PointsRules');

const PointsEventSchema = z
  .object({
    ref: z.string(),
    kind: z.enum(['earn', 'spend', 'release', 'reverse']),
    points: z.number().int(),
    reason: z.string(),
    at: z.string(),
    campaignId: z.string().nullable(),
    entryId: z.string().nullable(),
    of: z.string().nullable().openapi({ description: 'reverse and release: the ref of the event undone' }),
  })
  .openapi('PointsEvent');

export const MyPointsSchema = z
  .object({
    communityId: z.string(),
    earned: z.number().int(),
    spent: z.number().int(),
    reversed: z.number().int(),
    balance: z.number().int().openapi({ description: 'earned − spent − reversed; never negative' }),
    title: z.string().nullable(),
    events: z.array(PointsEventSchema),
    nextCursor: z.string().nullable(),
  })
  .openapi('MyPoints');

export const PointsIdParam = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'm_0abc' }),
});

export const ReservePointsBody = z.object({ points: z.number().int().min(1).max(100_000_000) }).openapi('ReservePointsRequest');

export const PointsHoldSchema = z
  .object({
    entryId: z.string(),
    points: z.number().int().openapi({ description: 'points reserved (0: none)' }),
    estimatedDiscount: Fen.openapi({ description: "what they take off at today's estimate; the settlement decides" }),
    balance: z.number().int().openapi({ description: 'points left to spend in the community' }),
  })
  .openapi('PointsHold');
