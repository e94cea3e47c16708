import { z } from '@hono/zod-openapi';
import { IsoTime } from './common.js';

const EntryLine = z.object({
  itemId: z.string().min(1).max(200),
  qty: z.number().int().positive().max(100_000).openapi({ example: 2 }),
});

const Phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9][0-9 -]{4,19}$/, 'a phone number: digits, optional +, spaces or dashes')
  .openapi({ example: '13800138000' });

export const JoinBody = z
  .object({
    items: z.array(EntryLine).min(1).max(50),
    note: z.string().max(200).nullish().openapi({ example: '3号楼 晚上取' }),
    pickupPointId: z.string().max(200).nullish(),
    phone: Phone.nullish(),
    // Never a reason to refuse a join: a ref that is not a string, or too long to be ours, reads as no ref.
    ref: z
      .string()
      .max(200)
      .nullish()
      .catch(null)
      .openapi({
        type: 'string',
        maxLength: 200,
        description:
          'who shared the code: the referrer token, or the whole scene of the scanned 小程序码 (`s=<shareCode>&r=<token>`). ' +
          'Recorded on the entry as referredBy; an unknown token, a scene of another campaign or your own token is ignored, never an error',
        example: 's=ABCD2345&r=k3m9x2q7ab',
      }),
  })
  .openapi('JoinRequest');

export const PatchEntryBody = z
  .object({
    items: z.array(EntryLine).min(1).max(50).optional(),
    note: z.string().max(200).nullable().optional(),
    pickupPointId: z.string().max(200).nullable().optional(),
    phone: Phone.nullable().optional(),
  })
  .openapi('ChangeEntryRequest');

export const EntrySchema = z
  .object({
    id: z.string(),
    campaignId: z.string(),
    seq: z.number().int().openapi({ description: '接龙 number: 1..N in acceptance order, never reused', example: 12 }),
    userId: z.string().optional().openapi({ description: 'only for the entry owner and the leader' }),
    nickname: z.string().openapi({ description: 'masked ("王*") in the public list; full for the owner and the leader' }),
    title: z.string().optional().openapi({
      description: "list of a community campaign: the member's title (荣誉称号) there, from the points they earned; absent: none",
    }),
    items: z.array(EntryLine),
    note: z.string().nullable(),
    pickupPointId: z.string().nullable(),
    phone: z.string().nullable().optional().openapi({ description: 'only for the entry owner and the leader' }),
    status: z.enum(['active', 'cancelled', 'pending_payment', 'expired']).openapi({
      description:
        'pending_payment: a prepaid (wechatpay) join waiting for its payment, holding its units until holdUntil; expired: not paid in time, its units went back on sale',
    }),
    holdUntil: IsoTime.optional().openapi({ description: 'pending_payment only: when the hold ends' }),
    contentReview: z.array(z.string()).optional().openapi({
      description: 'owner and leader only: ["note"] when WeChat content security flagged the note for review or could not check it',
    }),
    isMine: z.boolean().optional().openapi({ description: "present when a token is sent: whether this line is the caller's" }),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  })
  .openapi('Entry');

export const EntryPage = z.object({ entries: z.array(EntrySchema), nextCursor: z.string().nullable() }).openapi('EntryPage');

export const MyEntrySchema = EntrySchema.extend({ campaignTitle: z.string() }).openapi('MyEntry');
export const MyEntryPage = z.object({ entries: z.array(MyEntrySchema), nextCursor: z.string().nullable() }).openapi('MyEntryPage');

export const MyCampaignEntries = z
  .object({
    entries: z.array(EntrySchema).openapi({ description: 'my entries here that hold stock (active, or pending payment), oldest first' }),
    maxEntriesPerUser: z.number().int().openapi({ description: 'how many such entries one member may hold in this campaign' }),
    entriesLeft: z.number().int().openapi({ description: 'joins I may still make here before ALREADY_JOINED' }),
  })
  .openapi('MyCampaignEntries');

export const EntryParams = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
  entryId: z
    .string()
    .min(1)
    .openapi({ param: { name: 'entryId', in: 'path' } }),
});

export const StaffEntryBody = z
  .object({
    name: z
      .string()
      .trim()
      .min(1)
      .max(32)
      .openapi({ description: 'the member’s name as the list shows it (masked for the public)', example: '王阿姨' }),
    phone: Phone.nullish(),
    items: z.array(EntryLine).min(1).max(50),
    note: z.string().max(200).nullish().openapi({ example: '群里说的 +1 要两份' }),
    pickupPointId: z.string().max(200).nullish(),
  })
  .openapi('StaffEntryRequest');

export const ClaimCode = z
  .object({
    entryId: z.string(),
    code: z.string().openapi({
      description: 'send it to the member (e.g. in the group chat); in the mini-program they claim the entry with it',
      example: '12-K7M3Q9XA',
    }),
  })
  .openapi('ClaimCode');

export const ClaimBody = z.object({ code: z.string().min(1).max(40).openapi({ example: '12-K7M3Q9XA' }) }).openapi('ClaimRequest');
