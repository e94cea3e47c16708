import { z } from '@hono/zod-openapi';
import { Fen } from './common.js';

const ReferralRow = z.object({
  referrerId: z.string().openapi({ description: 'the user id of who shared (a member or a helper)' }),
  nickname: z.string().nullable().openapi({ description: "their name on their own line here, else their profile's; null once erased" }),
  joins: z.number().int().openapi({ description: 'active entries that joined through their code or link', example: 3 }),
  units: z.number().int().openapi({ description: 'Σ qty over those entries, all items', example: 7 }),
  amount: Fen.openapi({ description: 'those units at each item’s current price (fen)', example: 9030 }),
});

export const ReferralList = z
  .object({
    campaignId: z.string(),
    referrals: z.array(ReferralRow).openapi({ description: 'largest amount first' }),
  })
  .openapi('ReferralList');

export const MyReferralQuery = z.object({
  campaignId: z.string().min(1).max(200).optional().openapi({ description: 'a campaign to make the share scene for' }),
});

export const MyReferral = z
  .object({
    token: z.string().openapi({ description: 'your referrer token: stable, the same for every campaign', example: 'k3m9x2q7ab' }),
    campaignId: z.string().optional(),
    scene: z.string().optional().openapi({
      description: 'with campaignId: the `scene` of a 小程序码 for wxacode.getUnlimited (≤32 characters)',
      example: 's=ABCD2345&r=k3m9x2q7ab',
    }),
    path: z.string().optional().openapi({
      description: 'with campaignId: the share path for wx.showShareMenu / onShareAppMessage, scene URL-encoded',
      example: 'pages/campaign/index?scene=s%3DABCD2345%26r%3Dk3m9x2q7ab',
    }),
  })
  .openapi('MyReferral');

export const WxacodeQuery = z.object({
  ref: z
    .string()
    .regex(/^[\w-]{1,64}$/, 'ref is a user id or "none"')
    .optional()
    .openapi({
      description:
        'whom the code credits: absent → you (nobody when anonymous); `none` → nobody; a user id → that user (the leader and helpers only, e.g. a helper’s poster)',
      example: 'none',
    }),
  width: z.coerce
    .number()
    .int()
    .min(280)
    .max(1280)
    .default(430)
    .openapi({ description: 'the code’s width in pixels (WeChat’s 280–1280)', example: 430 }),
});
