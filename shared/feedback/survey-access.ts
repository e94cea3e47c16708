import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type Community, getMembership, requireCommunity, requireCommunityVisible, teamRole } from '../communities/index.js';
import { mayDo } from '../domain/index.js';
import { heldSlots } from '../entries/index.js';
import { ForbiddenError, NotFoundError } from '../errors.js';
import type { DbContext } from '../table/index.js';
import { isLookupableId, keys } from '../table/index.js';
import { getSurvey, type SurveyRecord } from './surveys.js';

/**
 * Who may see and answer a survey. The team holding `run-surveys` (owner, admin) sees every survey
 * and its results; the rest of the team sees the questions. The audience answers (the team too,
 * when it is in it): `members` are the community's active members; `participants` those holding an
 * active entry of the survey's campaign (their claim there has a held slot; one GetItem).
 */

/** How the caller stands to a survey: may run it (see results), is on the team, is in its audience. */
export interface SurveyViewer {
  runner: boolean;
  team: boolean;
  audience: boolean;
}

/** A user holding an active entry of the campaign (the claim item: one GetItem). */
async function participates(db: DbContext, campaignId: string, userId: string): Promise<boolean> {
  if (!isLookupableId(userId)) return false;
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.member(campaignId, userId), ConsistentRead: true }));
  return out.Item ? heldSlots(out.Item).length > 0 : false;
}

/** Whether the user is in the survey's audience (one GetItem: their standing, or their claim in the campaign). */
export async function inSurveyAudience(db: DbContext, survey: SurveyRecord, userId: string): Promise<boolean> {
  if (survey.audience === 'participants') return survey.campaignId ? participates(db, survey.campaignId, userId) : false;
  return (await getMembership(db, survey.communityId, userId))?.status === 'active';
}

/** On the community's team (owner, admin, helper): sees every survey of it, answered or not, open or not. */
export function onSurveyTeam(community: Community, userId: string): boolean {
  const role = teamRole(community, userId);
  return !!role && role !== 'member';
}

/** `audience` is only read when it decides something: always for an answer, else only for someone off the team. */
async function surveyViewer(
  db: DbContext,
  community: Community,
  survey: SurveyRecord,
  userId: string,
  needAudience = false,
): Promise<SurveyViewer> {
  const role = teamRole(community, userId);
  const team = onSurveyTeam(community, userId);
  return {
    runner: !!role && mayDo(role, 'active', 'run-surveys'),
    team,
    audience: needAudience || !team ? await inSurveyAudience(db, survey, userId) : false,
  };
}

/**
 * The survey, its community and how the caller sees it: the team and the audience may read it;
 * anyone else is 403, or 404 for an unknown id or a survey of a private community they do not
 * stand in (as for the community itself).
 */
export async function requireSurveyViewer(
  db: DbContext,
  surveyId: string,
  userId: string,
  opts: { toAnswer?: boolean } = {},
): Promise<{ survey: SurveyRecord; community: Community; viewer: SurveyViewer }> {
  const { survey, community } = await requireSurveyCommunity(db, surveyId);
  const viewer = await surveyViewer(db, community, survey, userId, opts.toAnswer);
  if (!viewer.team && !viewer.audience) {
    await requireCommunityVisible(db, community, userId);
    throw new ForbiddenError('This survey is for another audience', { audience: survey.audience });
  }
  return { survey, community, viewer };
}

/** The survey and its community (404 for an id that names no survey), before any check of the caller. */
export async function requireSurveyCommunity(db: DbContext, surveyId: string): Promise<{ survey: SurveyRecord; community: Community }> {
  const survey = await getSurvey(db, surveyId);
  if (!survey) throw new NotFoundError(`No survey ${surveyId}`);
  return { survey, community: await requireCommunity(db, survey.communityId) };
}
