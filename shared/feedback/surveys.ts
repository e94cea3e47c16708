import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type SurveyAudience, type SurveyQuestion, surveyOpen } from '../domain/index.js';
import { NotFoundError } from '../errors.js';
import { newId } from '../ids.js';
import type { DbContext, TransactItem } from '../table/index.js';
import { batchGetAll, cancelledTransaction, isLookupableId, itemKind, keys, queryPrefixPage, withRetry } from '../table/index.js';

/**
 * Surveys (问卷) of a community: the definition in its own partition (SURVEY#<id>, with its results
 * and answers beside it) and a copy in the community's list, written together once; a survey is
 * never edited (answers are counted against its questions by index).
 */

export interface SurveyRecord {
  id: string;
  communityId: string;
  title: string;
  questions: SurveyQuestion[];
  audience: SurveyAudience;
  /** the campaign whose participants are asked (audience `participants`), else null */
  campaignId: string | null;
  closesAt: string | null;
  createdBy: string;
  createdAt: string;
  /** who closed it early (POST /surveys/{id}/close): closesAt is then the moment they did */
  closedBy?: string;
}

const surveyItem = itemKind<SurveyRecord>('survey');
const listedItem = itemKind<SurveyRecord>('community-survey');

export async function createSurvey(db: DbContext, input: Omit<SurveyRecord, 'id' | 'createdAt'>): Promise<SurveyRecord> {
  const now = db.clock.now();
  const survey: SurveyRecord = { ...input, id: newId('s', now), createdAt: now.toISOString() };
  await db.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: db.tableName,
            Item: surveyItem.toItem(keys.surveyMeta(survey.id), survey),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName: db.tableName,
            Item: listedItem.toItem(keys.communitySurvey(survey.communityId, survey.createdAt, survey.id), survey),
          },
        },
      ],
    }),
  );
  return survey;
}

export async function getSurvey(db: DbContext, surveyId: string, consistent = false): Promise<SurveyRecord | null> {
  if (!isLookupableId(surveyId)) return null;
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.surveyMeta(surveyId), ConsistentRead: consistent }));
  return surveyItem.fromMaybe(out.Item);
}

/**
 * The condition "the survey is open at `at`" on its definition item, for a write's transaction:
 * an answer checks it beside its own put, so a close committed first refuses the answer (one
 * accepted first is counted; the close cannot come between the check and the answer's counters).
 */
export function surveyOpenCheck(tableName: string, surveyId: string, at: string): TransactItem {
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: keys.surveyMeta(surveyId),
      ConditionExpression: openCondition,
      ExpressionAttributeNames: { '#closesAt': 'closesAt' },
      ExpressionAttributeValues: { ':at': at, ':null': 'NULL' },
    },
  };
}

/** Open at :at (ISO strings of one format compare as times): no closing time, or a later one. */
const openCondition = 'attribute_exists(pk) AND (attribute_not_exists(#closesAt) OR attribute_type(#closesAt, :null) OR #closesAt > :at)';

/**
 * Closes the survey now (its closesAt becomes now, on the definition and on the community's list
 * copy, in one transaction conditioned on it being open). A survey already closed (early, or its
 * closesAt passed) is left as it is: `closed` false and the closing time it has, so a repeat
 * answers the same closesAt.
 */
export function closeSurvey(db: DbContext, surveyId: string, by: string): Promise<{ survey: SurveyRecord; closed: boolean }> {
  // A close racing an answer's check (or another close) may meet a transaction conflict: try again.
  return withRetry(() => closeOnce(db, surveyId, by), { retries: 10, baseMs: 10 });
}

async function closeOnce(db: DbContext, surveyId: string, by: string): Promise<{ survey: SurveyRecord; closed: boolean }> {
  const before = await getSurvey(db, surveyId, true);
  if (!before) throw new NotFoundError(`No survey ${surveyId}`);
  const now = db.clock.now();
  if (!surveyOpen(before.closesAt, now)) return { survey: before, closed: false };
  const at = now.toISOString();
  const set = {
    UpdateExpression: 'SET #closesAt = :now, #closedBy = :by',
    ExpressionAttributeNames: { '#closesAt': 'closesAt', '#closedBy': 'closedBy' },
  };
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: db.tableName,
              Key: keys.surveyMeta(surveyId),
              ...set,
              ConditionExpression: openCondition,
              ExpressionAttributeValues: { ':now': at, ':by': by, ':at': at, ':null': 'NULL' },
            },
          },
          {
            Update: {
              TableName: db.tableName,
              Key: keys.communitySurvey(before.communityId, before.createdAt, before.id),
              ...set,
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':now': at, ':by': by },
            },
          },
        ],
      }),
    );
  } catch (err) {
    // Closed meanwhile (a concurrent close): answer what it stored.
    if (cancelledTransaction(err)?.reasons[0]?.code !== 'ConditionalCheckFailed') throw err;
    const after = await getSurvey(db, surveyId, true);
    if (!after) throw new NotFoundError(`No survey ${surveyId}`);
    return { survey: after, closed: false };
  }
  return { survey: { ...before, closesAt: at, closedBy: by }, closed: true };
}

/** The community's surveys, newest first (one Query of its SURVEY# range). */
export async function listCommunitySurveys(
  db: DbContext,
  communityId: string,
  limit: number,
  cursor?: string | null,
): Promise<{ surveys: SurveyRecord[]; nextCursor: string | null }> {
  const page = await queryPrefixPage(db, { pk: keys.communityPartition(communityId), prefix: keys.communitySurveyPrefix(), limit, cursor });
  return { surveys: page.items.map(listedItem.fromItem), nextCursor: page.nextCursor };
}

/** Which of `surveyIds` the user answered (BatchGets of their response keys, projected to the key). */
export async function answeredAmong(db: DbContext, userId: string, surveyIds: readonly string[]): Promise<Set<string>> {
  if (surveyIds.length === 0 || !isLookupableId(userId)) return new Set();
  const byPartition = new Map(surveyIds.map((id) => [keys.surveyPartition(id), id]));
  const found = await batchGetAll(
    db,
    surveyIds.map((id) => keys.surveyResponse(id, userId)),
    { projection: 'pk' },
  );
  return new Set(found.flatMap((item) => byPartition.get(item.pk as string) ?? []));
}
