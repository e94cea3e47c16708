import { z } from '@hono/zod-openapi';
import { REVIEW_LIMITS, SURVEY_LIMITS } from '../../shared/domain/index.js';
import { UPLOAD_ID } from '../../shared/images/index.js';
import { IsoTime, pageQuery } from './common.js';

// Reviews (评价)

export const ReviewBody = z
  .object({
    rating: z.number().int().min(REVIEW_LIMITS.minRating).max(REVIEW_LIMITS.maxRating).openapi({ description: '1..5 stars' }),
    text: z.string().trim().max(REVIEW_LIMITS.textMax).default('').openapi({ description: 'at most 500 characters; content-checked' }),
    photos: z
      .array(z.string().regex(UPLOAD_ID, 'an uploadId from POST …/after-sale/uploads'))
      .max(REVIEW_LIMITS.photosMax)
      .refine((ids) => new Set(ids).size === ids.length, 'a photo is listed twice')
      .default([])
      .openapi({
        description:
          'uploadIds the member uploaded with the entry’s photo forms (POST …/entries/{entryId}/after-sale/uploads), at most 3; each is checked (400 UPLOAD_INVALID)',
      }),
  })
  .openapi('ReviewRequest');

export const ReplyBody = z
  .object({ text: z.string().trim().min(1).max(REVIEW_LIMITS.replyMax).openapi({ description: 'content-checked' }) })
  .openapi('ReviewReplyRequest');

const PhotoLink = z.object({ id: z.string(), list: z.string(), detail: z.string(), expiresAt: IsoTime });

export const ReviewSchema = z
  .object({
    campaignId: z.string(),
    entryId: z.string(),
    seq: z.number().int(),
    nickname: z.string().openapi({ description: 'masked ("王*") except for the staff and the author; 已注销用户 after an erasure' }),
    title: z.string().nullable().openapi({ description: 'the member’s title (荣誉称号) in the campaign’s community' }),
    itemIds: z.array(z.string()),
    rating: z.number().int(),
    text: z.string(),
    photoCount: z.number().int(),
    photoLinks: z.array(PhotoLink).optional().openapi({
      description: 'signed links (an hour), for the author and the campaign’s staff only: photos are private, as after-sale evidence',
    }),
    reply: z.object({ text: z.string(), at: IsoTime }).nullable(),
    contentReview: z.array(z.string()).optional().openapi({ description: 'staff only: fields WeChat judged `review` (kept, to look at)' }),
    isMine: z.boolean(),
    erased: z.boolean(),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  })
  .openapi('Review');

const Score = z.object({ count: z.number().int(), ratingSum: z.number().int(), average: z.number().nullable() });

export const ReviewStatsSchema = Score.extend({
  histogram: z.array(z.number().int()).openapi({ description: 'reviews giving 1, 2, 3, 4, 5 stars' }),
  items: z.array(Score.extend({ itemId: z.string() })).openapi({ description: 'per item of the campaign that has reviews' }),
}).openapi('ReviewStats');

export const ReviewWriteSchema = z
  .object({
    review: ReviewSchema,
    created: z.boolean().openapi({ description: 'false: this replaced the member’s earlier review' }),
    pointsEarned: z.number().int().openapi({ description: '1 the first time the community’s `reviewed` points were earned by it, else 0' }),
  })
  .openapi('ReviewWrite');

export const ReviewDeleteSchema = z
  .object({
    deleted: z.boolean().openapi({ description: 'false: there was no review (a repeat)' }),
    pointsReversed: z.number().int().openapi({ description: '1 when the `reviewed` points were taken back now, else 0' }),
  })
  .openapi('ReviewDelete');

export const ReviewRemoveBody = z
  .object({
    reason: z
      .string()
      .trim()
      .min(1)
      .max(REVIEW_LIMITS.removalReasonMax)
      .openapi({ description: 'why (1–200 characters): kept with the removed review, shown to its author in their export' }),
  })
  .openapi('ReviewRemoveRequest');

export const ReviewRemovalSchema = z
  .object({
    campaignId: z.string(),
    entryId: z.string(),
    removedAt: IsoTime,
    removedBy: z.string().openapi({ description: 'the staff member who removed it' }),
    reason: z.string(),
    removedNow: z
      .boolean()
      .openapi({ description: 'false: it was removed already (a repeat: the first removal’s time, actor and reason)' }),
  })
  .openapi('ReviewRemoval');

export const ReviewListSchema = z
  .object({ stats: ReviewStatsSchema, reviews: z.array(ReviewSchema), nextCursor: z.string().nullable() })
  .openapi('ReviewList');

export const ReviewListQuery = pageQuery(50, 'page size, default 50; more than 50 gives 50').extend({
  itemId: z
    .string()
    .min(1)
    .optional()
    .openapi({ description: 'only reviews of entries holding this item (a page may hold fewer; follow nextCursor)' }),
});

// Surveys (问卷)

const Prompt = z.string().trim().min(1).max(SURVEY_LIMITS.promptMax);

const Question = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('choice'),
      prompt: Prompt,
      options: z.array(z.string().trim().min(1).max(SURVEY_LIMITS.optionMax)).min(SURVEY_LIMITS.optionsMin).max(SURVEY_LIMITS.optionsMax),
      multiple: z.boolean().default(false),
      optional: z.boolean().default(false),
    }),
    z.object({ kind: z.literal('rating'), prompt: Prompt, optional: z.boolean().default(false) }),
    z.object({ kind: z.literal('text'), prompt: Prompt, optional: z.boolean().default(false) }),
  ])
  .openapi('SurveyQuestion');

export const SurveyBody = z
  .object({
    title: z.string().trim().min(1).max(SURVEY_LIMITS.titleMax),
    questions: z.array(Question).min(SURVEY_LIMITS.questionsMin).max(SURVEY_LIMITS.questionsMax),
    audience: z.enum(['members', 'participants']),
    campaignId: z.string().min(1).optional().openapi({ description: 'audience `participants`: a campaign of this community' }),
    closesAt: IsoTime.optional().openapi({ description: 'no answers from then on; absent: open until…never' }),
  })
  .openapi('SurveyRequest');

export const SurveySchema = z
  .object({
    id: z.string(),
    communityId: z.string(),
    title: z.string(),
    questions: z.array(Question),
    audience: z.enum(['members', 'participants']),
    campaignId: z.string().nullable(),
    closesAt: IsoTime.nullable(),
    open: z.boolean(),
    createdAt: IsoTime,
    answered: z.boolean().openapi({ description: 'the caller answered it' }),
  })
  .openapi('Survey');

export const SurveyCloseSchema = SurveySchema.extend({
  closedNow: z.boolean().openapi({ description: 'false: it was closed already (a repeat, or its closesAt passed); closesAt is unchanged' }),
}).openapi('SurveyClose');

export const SurveyListSchema = z.object({ surveys: z.array(SurveySchema), nextCursor: z.string().nullable() }).openapi('SurveyList');

export const AnswerBody = z
  .object({
    answers: z
      .array(
        z
          .object({
            options: z.array(z.number().int()).optional().openapi({ description: 'choice: indexes of the options picked' }),
            rating: z.number().int().optional().openapi({ description: 'rating: 1..5' }),
            text: z
              .string()
              .max(SURVEY_LIMITS.textMax)
              .optional()
              .openapi({ description: 'text: at most 500 characters; content-checked' }),
          })
          .strict()
          .nullable(),
      )
      .max(SURVEY_LIMITS.questionsMax)
      .openapi({ description: 'one per question, in order; null skips an optional question' }),
  })
  .openapi('SurveyAnswerRequest');

export const AnswerSchema = z.object({ surveyId: z.string(), answeredAt: IsoTime, answers: z.array(z.unknown()) }).openapi('SurveyAnswer');

export const SurveyResultsSchema = z
  .object({
    surveyId: z.string(),
    respondents: z.number().int(),
    questions: z.array(
      z.object({
        index: z.number().int(),
        kind: z.enum(['choice', 'rating', 'text']),
        prompt: z.string(),
        answered: z.number().int(),
        options: z.array(z.object({ option: z.string(), count: z.number().int() })).optional(),
        ratingSum: z.number().int().optional(),
        average: z.number().nullable().optional(),
        histogram: z.array(z.number().int()).optional(),
      }),
    ),
    texts: z
      .array(z.object({ question: z.number().int(), text: z.string(), at: IsoTime }))
      .openapi({ description: 'text answers, newest first, paged, without their authors' }),
    nextCursor: z.string().nullable(),
  })
  .openapi('SurveyResults');

/**
 * `{id}` like every other id in a path: the typed client's call signatures are a product over the
 * distinct shapes of path parameters, so a new name would grow every call's type.
 */
export const SurveyIdParam = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' }, example: 's_0abc' }),
});
