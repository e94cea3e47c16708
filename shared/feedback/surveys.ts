import { BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { SurveyAudience, SurveyQuestion } from '../domain/index.js';
import { newId } from '../ids.js';
import type { DbContext } from '../table/index.js';
import { decodeCursor, encodeCursor, isLookupableId, itemKind, keys } from '../table/index.js';

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

export async function getSurvey(db: DbContext, surveyId: string): Promise<SurveyRecord | null> {
  if (!isLookupableId(surveyId)) return null;
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.surveyMeta(surveyId) }));
  return surveyItem.fromMaybe(out.Item);
}

/** The community's surveys, newest first (one Query of its SURVEY# range). */
export async function listCommunitySurveys(
  db: DbContext,
  communityId: string,
  limit: number,
  cursor?: string | null,
): Promise<{ surveys: SurveyRecord[]; nextCursor: string | null }> {
  const pk = keys.communityPartition(communityId);
  const prefix = keys.communitySurveyPrefix();
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, { pk, skPrefix: prefix }),
    }),
  );
  return { surveys: (out.Items ?? []).map(listedItem.fromItem), nextCursor: encodeCursor(out.LastEvaluatedKey) };
}

/** Which of `surveyIds` the user answered (one BatchGet of their response keys, projected to the key). */
export async function answeredAmong(db: DbContext, userId: string, surveyIds: readonly string[]): Promise<Set<string>> {
  const answered = new Set<string>();
  if (surveyIds.length === 0 || !isLookupableId(userId)) return answered;
  const byPartition = new Map(surveyIds.map((id) => [keys.surveyPartition(id), id]));
  // ≤ 100 keys per BatchGet: a list page is at most 100 surveys.
  let pending: Array<Record<string, unknown>> = surveyIds.map((id) => keys.surveyResponse(id, userId));
  while (pending.length > 0) {
    const out = await db.doc.send(new BatchGetCommand({ RequestItems: { [db.tableName]: { Keys: pending, ProjectionExpression: 'pk' } } }));
    for (const item of out.Responses?.[db.tableName] ?? []) {
      const id = byPartition.get(item.pk as string);
      if (id) answered.add(id);
    }
    pending = (out.UnprocessedKeys?.[db.tableName]?.Keys as Array<Record<string, unknown>> | undefined) ?? [];
  }
  return answered;
}
