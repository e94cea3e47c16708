import { createRoute } from '@hono/zod-openapi';
import { getCampaign } from '../../shared/campaigns/index.js';
import { requireCommunity, requireCommunityRight, requireCommunityVisible } from '../../shared/communities/index.js';
import { answersProblem, type SurveyQuestion, surveyOpen, surveyQuestionsProblem } from '../../shared/domain/index.js';
import { ForbiddenError, InvalidStateError, ValidationError } from '../../shared/errors.js';
import {
  answeredAmong,
  closeSurvey,
  createSurvey,
  getResponse,
  inSurveyAudience,
  listCommunitySurveys,
  onSurveyTeam,
  requireSurveyCommunity,
  requireSurveyViewer,
  type SurveyRecord,
  submitAnswers,
  surveyResults,
} from '../../shared/feedback/index.js';
import { CONTENT_SCENES, type ContentField, checkContent } from '../../shared/wechat/index.js';
import type { AppDeps } from '../env.js';
import { requireUser, signedIn } from '../middleware/auth.js';
import { bearer, error, errors, jsonResponse, PageQuery } from '../schemas/common.js';
import { CommunityIdParam } from '../schemas/community.js';
import {
  AnswerBody,
  AnswerSchema,
  SurveyBody,
  SurveyCloseSchema,
  SurveyIdParam,
  SurveyListSchema,
  SurveyResultsSchema,
  SurveySchema,
} from '../schemas/feedback.js';
import { newRouter } from '../validation.js';

const TAGS = ['Feedback 评价与问卷'];

const createRouteDef = createRoute({
  method: 'post',
  path: '/communities/{id}/surveys',
  tags: TAGS,
  summary: 'The owner or an admin asks the community’s members, or one of its campaigns’ participants, a short survey (1–10 questions)',
  description:
    'Questions are `choice` (2–10 options, one or `multiple`), `rating` (1–5) or `text`; each may be `optional`. A survey is never edited: answers are ' +
    'counted against its questions. The texts are checked by WeChat (scene 论坛).',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CommunityIdParam, body: { required: true, content: { 'application/json': { schema: SurveyBody } } } },
  responses: {
    201: jsonResponse(SurveySchema, 'The survey'),
    400: error('VALIDATION_FAILED: options twice, `campaignId` missing or not a campaign of this community, `closesAt` passed'),
    401: errors[401],
    403: errors[403],
    404: errors[404],
    415: errors[415],
    422: error('CONTENT_REJECTED: WeChat judged a text risky (`details.field`)'),
    503: error('SERVICE_UNAVAILABLE: WeChat content security could not be reached (retry)'),
  },
});

const listRouteDef = createRoute({
  method: 'get',
  path: '/communities/{id}/surveys',
  tags: TAGS,
  summary:
    'Surveys of the community, newest first: every one for the owner and admins; the open ones I may answer for anyone else (with `answered`)',
  description: 'For members the page is filtered after it is read, so it may hold fewer than `limit`: follow `nextCursor`.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: CommunityIdParam, query: PageQuery },
  responses: { 200: jsonResponse(SurveyListSchema, 'A page of surveys'), 400: errors[400], 401: errors[401], 404: errors[404] },
});

const getRouteDef = createRoute({
  method: 'get',
  path: '/surveys/{id}',
  tags: TAGS,
  summary: 'A survey’s questions, for its audience and the community’s team',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: SurveyIdParam },
  responses: {
    200: jsonResponse(SurveySchema, 'The survey'),
    401: errors[401],
    403: error('FORBIDDEN: not in the survey’s audience'),
    404: errors[404],
  },
});

const answerRouteDef = createRoute({
  method: 'post',
  path: '/surveys/{id}/answers',
  tags: TAGS,
  summary: 'Answer a survey, once: one answer per question, in order (null skips an optional one)',
  description: 'Text answers are checked by WeChat (scene 论坛); the results show them to the team without the author’s name.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: SurveyIdParam, body: { required: true, content: { 'application/json': { schema: AnswerBody } } } },
  responses: {
    201: jsonResponse(AnswerSchema, 'My answer as stored'),
    400: error('VALIDATION_FAILED: an answer that does not fit its question; `details.fields[0].path` names it (body.answers[2].options)'),
    401: errors[401],
    403: error('FORBIDDEN: not in the survey’s audience'),
    404: errors[404],
    409: error('ALREADY_ANSWERED: you answered it before; INVALID_STATE: the survey is closed'),
    415: errors[415],
    422: error('CONTENT_REJECTED: WeChat judged a text answer risky (`details.field`)'),
    503: error('SERVICE_UNAVAILABLE: the database is busy (a burst of answers outlasted the retries; retry)'),
  },
});

const resultsRouteDef = createRoute({
  method: 'get',
  path: '/surveys/{id}/results',
  tags: TAGS,
  summary:
    'The owner’s and admins’ results: respondents, counts per option, rating averages and histograms, text answers newest first (paged)',
  description: 'The counters are kept by the answers themselves (one read, never a recount); `limit`/`cursor` page the text answers.',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: SurveyIdParam, query: PageQuery },
  responses: {
    200: jsonResponse(SurveyResultsSchema, 'The results'),
    400: errors[400],
    401: errors[401],
    403: error('FORBIDDEN: only the owner and admins see results'),
    404: errors[404],
  },
});

// PUT, not POST: closing is idempotent (a repeat answers the same closesAt).
const closeRouteDef = createRoute({
  method: 'put',
  path: '/surveys/{id}/close',
  tags: TAGS,
  summary: 'The owner or an admin closes a survey early: its closesAt becomes now, answers from then on are 409 INVALID_STATE',
  description:
    'Those who may create surveys in the community. An answer racing the close is either counted (it committed first) or refused; ' +
    'closing again, or closing a survey whose closesAt passed, changes nothing and answers the same closesAt (`closedNow` false).',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: SurveyIdParam },
  responses: {
    200: jsonResponse(SurveyCloseSchema, 'The survey, closed'),
    401: errors[401],
    403: error('FORBIDDEN: only the owner and admins of the community close surveys'),
    404: errors[404],
    503: error('SERVICE_UNAVAILABLE: the database is busy (answers kept racing the close past its retries; retry)'),
  },
});

/** Every text of a survey the members will read, with its place in the request. */
function surveyTexts(body: { title: string; questions: SurveyQuestion[] }): ContentField[] {
  const scene = CONTENT_SCENES.forum;
  return [
    { field: 'body.title', text: body.title, scene },
    ...body.questions.flatMap((q, i) => [
      { field: `body.questions[${i}].prompt`, text: q.prompt, scene },
      ...(q.kind === 'choice' ? q.options.map((o, j) => ({ field: `body.questions[${i}].options[${j}]`, text: o, scene })) : []),
    ]),
  ];
}

const invalid = (path: string, message: string) => new ValidationError(message, { fields: [{ path, message }] });

export function surveyRoutes(deps: AppDeps) {
  const { db } = deps;
  const view = (s: SurveyRecord, answered: boolean) => ({
    id: s.id,
    communityId: s.communityId,
    title: s.title,
    questions: s.questions,
    audience: s.audience,
    campaignId: s.campaignId,
    closesAt: s.closesAt,
    open: surveyOpen(s.closesAt, db.clock.now()),
    createdAt: s.createdAt,
    answered,
  });
  return newRouter()
    .openapi(createRouteDef, async (c) => {
      const user = requireUser(c);
      const community = await requireCommunity(db, c.req.valid('param').id);
      await requireCommunityRight(db, community, user.id, 'run-surveys', 'run surveys');
      const body = c.req.valid('json');
      const problem = surveyQuestionsProblem(body.questions);
      if (problem) throw invalid(problem.path, problem.message);
      if (body.audience === 'participants') {
        if (!body.campaignId) throw invalid('body.campaignId', 'a survey of participants names their campaign');
        const campaign = await getCampaign(db, body.campaignId);
        if (campaign?.def.communityId !== community.id) throw invalid('body.campaignId', 'not a campaign of this community');
      } else if (body.campaignId) {
        throw invalid('body.campaignId', 'only a survey of participants names a campaign');
      }
      if (body.closesAt && !surveyOpen(body.closesAt, db.clock.now())) throw invalid('body.closesAt', 'closesAt has passed');
      await checkContent(deps.contentCheck, db, user.id, surveyTexts(body), 'refuse');
      const survey = await createSurvey(db, {
        communityId: community.id,
        title: body.title,
        questions: body.questions,
        audience: body.audience,
        campaignId: body.campaignId ?? null,
        closesAt: body.closesAt ? new Date(body.closesAt).toISOString() : null,
        createdBy: user.id,
      });
      deps.logger.info('survey created', { requestId: c.get('requestId'), communityId: community.id, surveyId: survey.id });
      return c.json(view(survey, false), 201);
    })
    .openapi(listRouteDef, async (c) => {
      const user = requireUser(c);
      const community = await requireCommunity(db, c.req.valid('param').id);
      // The whole team (owner, admins, helpers) sees every survey; results stay with `run-surveys`.
      const team = onSurveyTeam(community, user.id);
      if (!team) await requireCommunityVisible(db, community, user.id);
      const { limit, cursor } = c.req.valid('query');
      const page = await listCommunitySurveys(db, community.id, limit, cursor);
      const now = db.clock.now();
      let shown = page.surveys;
      if (!team) {
        // Audience checks cost one GetItem each; surveys of the same audience share it.
        const memo = new Map<string, Promise<boolean>>();
        const inAudience = (s: SurveyRecord) => {
          const key = `${s.audience}:${s.campaignId ?? ''}`;
          if (!memo.has(key)) memo.set(key, inSurveyAudience(db, s, user.id));
          return memo.get(key)!;
        };
        const open = shown.filter((s) => surveyOpen(s.closesAt, now));
        const flags = await Promise.all(open.map(inAudience));
        shown = open.filter((_, i) => flags[i]);
      }
      const answered = await answeredAmong(
        db,
        user.id,
        shown.map((s) => s.id),
      );
      return c.json({ surveys: shown.map((s) => view(s, answered.has(s.id))), nextCursor: page.nextCursor }, 200);
    })
    .openapi(getRouteDef, async (c) => {
      const user = requireUser(c);
      const { survey } = await requireSurveyViewer(db, c.req.valid('param').id, user.id);
      const mine = await getResponse(db, survey.id, user.id);
      return c.json(view(survey, mine !== null), 200);
    })
    .openapi(answerRouteDef, async (c) => {
      const user = requireUser(c);
      const { survey, viewer } = await requireSurveyViewer(db, c.req.valid('param').id, user.id, { toAnswer: true });
      if (!viewer.audience) throw new ForbiddenError('This survey is for another audience', { audience: survey.audience });
      if (!surveyOpen(survey.closesAt, db.clock.now())) throw new InvalidStateError('This survey is closed', { closesAt: survey.closesAt });
      const { answers } = c.req.valid('json');
      const problem = answersProblem(survey.questions, answers);
      if (problem) throw invalid(problem.path, problem.message);
      await checkContent(
        deps.contentCheck,
        db,
        user.id,
        answers.map((a, i) => ({ field: `body.answers[${i}].text`, text: a?.text, scene: CONTENT_SCENES.forum })),
        // Only the team reads text answers: one WeChat could not check is kept (the member need not come back).
        'review',
      );
      const response = await submitAnswers(db, survey, user.id, answers);
      return c.json({ surveyId: survey.id, answeredAt: response.answeredAt, answers: response.answers ?? [] }, 201);
    })
    .openapi(closeRouteDef, async (c) => {
      const user = requireUser(c);
      const id = c.req.valid('param').id;
      const { community } = await requireSurveyCommunity(db, id);
      await requireCommunityRight(db, community, user.id, 'run-surveys', 'close surveys');
      const { survey, closed } = await closeSurvey(db, id, user.id);
      deps.logger.info('survey closed', { requestId: c.get('requestId'), surveyId: id, closedNow: closed });
      const mine = await getResponse(db, survey.id, user.id);
      return c.json({ ...view(survey, mine !== null), closedNow: closed }, 200);
    })
    .openapi(resultsRouteDef, async (c) => {
      const user = requireUser(c);
      const { survey, viewer } = await requireSurveyViewer(db, c.req.valid('param').id, user.id);
      if (!viewer.runner) throw new ForbiddenError('Only the owner and admins of the community see survey results');
      const { limit, cursor } = c.req.valid('query');
      const results = await surveyResults(db, survey, limit, cursor);
      return c.json({ surveyId: survey.id, ...results }, 200);
    });
}
