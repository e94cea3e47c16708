import { createRoute, type RouteHandler, z } from '@hono/zod-openapi';
import { issueToken } from '../../shared/auth/index.js';
import { ValidationError } from '../../shared/errors.js';
import { getProfile, type UserStandingCache, updateProfile } from '../../shared/people/index.js';
import { eraseUser, exportUserData } from '../../shared/privacy/index.js';
import { CONTENT_SCENES, checkContent } from '../../shared/wechat/index.js';
import type { AppDeps, AppEnv } from '../env.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { putTwin } from '../middleware/method-override.js';
import { bearer, errors, jsonResponse } from '../schemas/common.js';
import { newRouter } from '../validation.js';

const ProfileSchema = z
  .object({
    id: z.string(),
    nickname: z.string(),
    avatarUrl: z.string().nullable(),
    createdAt: z.string().nullable(),
  })
  .openapi('Profile');

const PatchProfileBody = z
  .object({
    nickname: z.string().trim().min(1).max(64).optional().openapi({ example: '王小明' }),
    avatarUrl: z
      .url({ protocol: /^https$/, error: 'an https URL' })
      .max(1024)
      .nullable()
      .optional()
      .openapi({ description: 'https URL of the avatar; null removes it', example: 'https://thirdwx.qlogo.cn/mmopen/abc/132' }),
  })
  .openapi('ChangeProfileRequest');

const ProfileWithToken = z
  .object({
    user: ProfileSchema,
    token: z
      .string()
      .openapi({ description: 'A new access token carrying the new nickname: use it from now on, so new joins show the new name' }),
  })
  .openapi('ChangedProfile');

const ExportSchema = z
  .object({
    exportedAt: z.string(),
    profile: z
      .object({
        id: z.string(),
        nickname: z.string(),
        avatarUrl: z.string().nullable(),
        openid: z.string().nullable(),
        unionid: z.string().nullable(),
        createdAt: z.string().nullable(),
        updatedAt: z.string().nullable(),
        lastLoginAt: z.string().nullable(),
      })
      .nullable(),
    entries: z
      .array(z.record(z.string(), z.unknown()))
      .openapi({ description: 'every entry I made, with campaign id and title, phone and note' }),
    payments: z
      .array(
        z.object({
          campaignId: z.string(),
          entryId: z.string(),
          paid: z.number().int().openapi({ description: 'fen' }),
          refunded: z.number().int().openapi({ description: 'fen' }),
          events: z.array(
            z.object({ event: z.string(), amount: z.number().int(), ref: z.string(), at: z.string(), reason: z.string().optional() }),
          ),
        }),
      )
      .openapi({ description: 'money of your entries: totals and every ledger event (payments, refunds, offline marks)' }),
    afterSales: z
      .array(z.record(z.string(), z.unknown()))
      .openapi({ description: 'after-sale requests (售后) I filed: items, reason, photo keys, amount, state and decision' }),
    campaignsLed: z.array(
      z.object({ id: z.string(), title: z.string(), createdAt: z.string(), opensAt: z.string(), closesAt: z.string() }),
    ),
    points: z
      .array(z.record(z.string(), z.unknown()))
      .openapi({ description: 'points (积分) per community: totals (earned, spent, reversed, balance) and every ledger event' }),
    reviews: z.array(z.record(z.string(), z.unknown())).openapi({
      description:
        'my reviews (评价) of picked-up entries: rating, text, photo ids, the staff’s reply; `removed` (when, by whom, why) if the staff took one off the public list',
    }),
    surveyAnswers: z
      .array(z.record(z.string(), z.unknown()))
      .openapi({ description: 'my answers to community surveys (问卷), as I gave them' }),
  })
  .openapi('PersonalDataExport');

const ErasureSchema = z
  .object({ erased: z.literal(true), entries: z.number().int(), claims: z.number().int(), profileDeleted: z.boolean() })
  .openapi('ErasureReport');

const getMe = createRoute({
  method: 'get',
  path: '/me',
  tags: ['Me'],
  summary: 'My profile',
  security: bearer,
  middleware: [signedIn] as const,
  responses: { 200: jsonResponse(ProfileSchema, 'The profile'), 401: errors[401], 404: errors[404] },
});

const patchMe = createRoute({
  method: 'patch',
  path: '/me',
  tags: ['Me'],
  summary: 'Change my nickname and/or avatar; answers the profile and a new token with the new name',
  description:
    'Existing entries keep the nickname shown when they were made (change them by editing the entry). New joins take the nickname from the token, ' +
    'so store the returned token; the old one still works until it expires and still carries the old name.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { body: { required: true, content: { 'application/json': { schema: PatchProfileBody } } } },
  responses: {
    200: jsonResponse(ProfileWithToken, 'The changed profile and a new token'),
    400: errors[400],
    401: errors[401],
    404: errors[404],
    415: errors[415],
    422: errors[422],
    503: errors[503],
  },
});

const exportMe = createRoute({
  method: 'get',
  path: '/me/export',
  tags: ['Me'],
  summary: 'All my data as JSON: profile, my entries (with campaign ids and titles), campaigns I lead',
  security: bearer,
  middleware: [signedIn] as const,
  responses: { 200: jsonResponse(ExportSchema, 'The export'), 401: errors[401] },
});

const deleteMe = createRoute({
  method: 'delete',
  path: '/me',
  tags: ['Me'],
  summary:
    'Erase my personal data: profile deleted; in my entries the nickname becomes "已注销用户", phone and note are removed; my reviews lose text and photos; my survey answers are detached from me',
  description:
    "Quantities, numbers and settlement amounts stay, so the leaders' lists and totals do not change. Every token issued before (access and refresh) " +
    'is refused (401) once the erasure is done. Logging in again later starts a new, empty profile with a new user id. If the call fails midway, ' +
    'repeat it with the same token (until it succeeds, that token works for nothing else); the server also finishes it within minutes.',
  security: bearer,
  middleware: [signedIn] as const,
  responses: { 200: jsonResponse(ErasureSchema, 'What was erased'), 401: errors[401] },
});

export function profileRoutes(deps: AppDeps, users?: UserStandingCache) {
  const { db, logger } = deps;
  const changeProfile: RouteHandler<typeof patchMe, AppEnv> = async (c) => {
    const user = requireUser(c);
    const body = c.req.valid('json');
    if (body.nickname === undefined && body.avatarUrl === undefined) {
      throw new ValidationError('Send nickname and/or avatarUrl', {
        fields: [{ path: 'body', message: 'nickname or avatarUrl is required' }],
      });
    }
    // The nickname is shown on every later join line (scene 1 资料). Unlike a note, it is refused (503)
    // when WeChat cannot check it: changing a name is never urgent, and the old one keeps working.
    const review = await checkContent(
      deps.contentCheck,
      db,
      user.id,
      [{ field: 'body.nickname', text: body.nickname, scene: CONTENT_SCENES.profile }],
      'refuse',
    );
    if (review.length > 0)
      logger.info('nickname flagged for review by WeChat content security', { requestId: c.get('requestId'), userId: user.id });
    const profile = await updateProfile(db, user.id, body);
    const token = await issueToken(
      deps.tokens,
      { id: user.id, nickname: profile.nickname },
      deps.tokens.accessTtlSeconds ?? deps.tokens.ttlSeconds,
    );
    logger.info('profile changed', { requestId: c.get('requestId'), userId: user.id, fields: Object.keys(body) });
    return c.json({ user: profile, token }, 200);
  };

  return newRouter()
    .openapi(getMe, async (c) => c.json(await getProfile(db, requireUser(c).id), 200))
    .openapi(patchMe, changeProfile)
    .openapi(putTwin(patchMe), changeProfile)
    .openapi(exportMe, async (c) => {
      const user = requireUser(c);
      const data = await exportUserData(db, user.id);
      logger.info('personal data exported', { requestId: c.get('requestId'), userId: user.id, entries: data.entries.length });
      c.header('Content-Disposition', `attachment; filename="tuangou-export-${user.id}.json"`);
      c.header('Cache-Control', 'no-store');
      return c.json(data, 200);
    })
    .openapi(deleteMe, async (c) => {
      const user = requireUser(c);
      // From here on this process refuses the user's tokens for anything but finishing the erasure.
      users?.remember(user.id, 'erasing');
      const report = await eraseUser(db, user.id);
      users?.remember(user.id, 'erased');
      logger.info('personal data erased', { requestId: c.get('requestId'), userId: user.id, ...report });
      return c.json({ erased: true as const, ...report }, 200);
    });
}
