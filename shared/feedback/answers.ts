import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { answerDelta, type SurveyAnswer, toSurveyResults } from '../domain/index.js';
import { AlreadyAnsweredError, InvalidStateError } from '../errors.js';
import { newJoinToken } from '../ids.js';
import { addUpdate } from '../numbers/index.js';
import type { DbContext, TransactItem } from '../table/index.js';
import {
  cancelledTransaction,
  conditionFailure,
  GSI_BY_OWNER,
  indexKeys,
  itemKind,
  keys,
  queryAll,
  queryPrefixPage,
  withRetry,
} from '../table/index.js';
import { type SurveyRecord, surveyOpenCheck } from './surveys.js';

/**
 * Answers to a survey: ONE transaction of the member's response (a put conditioned on none
 * existing: the key `RESP#<userId>` is what makes "once per member" hold under any concurrency),
 * the ADDs of the results' counters and one item per text answer (without its author). A second
 * answer, even at the same instant, fails its condition and changes nothing: respondents is
 * exactly the number of distinct members who answered. The same transaction checks the survey is
 * still open (its definition's closesAt), so an early close and an answer never both win.
 */

export interface ResponseRecord {
  surveyId: string;
  communityId: string;
  userId: string;
  /** absent once the member's data was erased (the counters and texts stay, unattributed) */
  answers?: SurveyAnswer[];
  answeredAt: string;
  erasedAt?: string;
}

export interface TextAnswerRecord {
  surveyId: string;
  question: number;
  text: string;
  at: string;
}

const responseItem = itemKind<ResponseRecord>('survey-response');
const textItem = itemKind<TextAnswerRecord>('survey-text');

/** Hot item: every answer ADDs to the one results item, so a burst of answers retries its conflicts. */
const ANSWER_RETRIES = 25;

export async function submitAnswers(db: DbContext, survey: SurveyRecord, userId: string, answers: SurveyAnswer[]): Promise<ResponseRecord> {
  const { delta, texts } = answerDelta(survey.questions, answers);
  const token = newJoinToken();
  return withRetry(
    async () => {
      const at = db.clock.now().toISOString();
      const response: ResponseRecord = { surveyId: survey.id, communityId: survey.communityId, userId, answers, answeredAt: at };
      const writes: TransactItem[] = [
        {
          Put: {
            TableName: db.tableName,
            Item: {
              ...responseItem.toItem(keys.surveyResponse(survey.id, userId), response),
              ...indexKeys.responseByUser(userId, at, survey.id),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        addUpdate(db.tableName, keys.surveyResults(survey.id), delta, {}, { setAlways: { type: 'survey-results' } }),
        // Still open when this commits: a close that came first refuses the answer (nothing written).
        surveyOpenCheck(db.tableName, survey.id, at),
        ...texts.map(
          (t): TransactItem => ({
            Put: {
              TableName: db.tableName,
              Item: textItem.toItem(keys.surveyText(survey.id, at, token, t.question), {
                surveyId: survey.id,
                question: t.question,
                text: t.text,
                at,
              }),
            },
          }),
        ),
      ];
      try {
        await db.doc.send(new TransactWriteCommand({ TransactItems: writes }));
      } catch (err) {
        const reasons = cancelledTransaction(err)?.reasons;
        if (reasons?.[0]?.code === 'ConditionalCheckFailed') throw new AlreadyAnsweredError('You answered this survey already');
        if (reasons?.[2]?.code === 'ConditionalCheckFailed') throw new InvalidStateError('This survey is closed');
        throw err;
      }
      return response;
    },
    { retries: ANSWER_RETRIES, baseMs: 10 },
  );
}

export async function getResponse(db: DbContext, surveyId: string, userId: string): Promise<ResponseRecord | null> {
  const out = await db.doc.send(
    new GetCommand({ TableName: db.tableName, Key: keys.surveyResponse(surveyId, userId), ConsistentRead: true }),
  );
  return responseItem.fromMaybe(out.Item);
}

/** The leader's results: the counters (one GetItem) and a page of text answers, newest first. */
export async function surveyResults(db: DbContext, survey: SurveyRecord, limit: number, cursor?: string | null) {
  const [counters, texts] = await Promise.all([
    db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.surveyResults(survey.id), ConsistentRead: true })),
    queryPrefixPage(db, { pk: keys.surveyPartition(survey.id), prefix: keys.surveyTextPrefix(), limit, cursor }),
  ]);
  return {
    ...toSurveyResults(survey.questions, counters.Item),
    texts: texts.items.map(textItem.fromItem).map((t) => ({ question: t.question, text: t.text, at: t.at })),
    nextCursor: texts.nextCursor,
  };
}

/** Every survey response of the user still attributed to them (gsi1 RESPONDENT#<userId>). */
export async function userResponses(db: DbContext, userId: string): Promise<ResponseRecord[]> {
  const out: ResponseRecord[] = [];
  for await (const item of queryAll(db, {
    IndexName: GSI_BY_OWNER.name,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': GSI_BY_OWNER.partitionKey },
    ExpressionAttributeValues: { ':pk': indexKeys.respondentPartition(userId) },
  })) {
    out.push(responseItem.fromItem(item));
  }
  return out;
}

/**
 * Erasure: each response loses its answers and its index keys. What stays is the bare marker
 * (so the survey's "once per member" still holds), the counters and the text answers, which never
 * named their author. Idempotent. Returns how many were detached.
 */
export async function detachResponses(db: DbContext, userId: string): Promise<number> {
  let detached = 0;
  for (const r of await userResponses(db, userId)) {
    try {
      await db.doc.send(
        new UpdateCommand({
          TableName: db.tableName,
          Key: keys.surveyResponse(r.surveyId, userId),
          UpdateExpression: 'SET #erasedAt = :now REMOVE #answers, #g1pk, #g1sk',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#erasedAt)',
          ExpressionAttributeNames: {
            '#erasedAt': 'erasedAt',
            '#answers': 'answers',
            '#g1pk': GSI_BY_OWNER.partitionKey,
            '#g1sk': GSI_BY_OWNER.sortKey,
          },
          ExpressionAttributeValues: { ':now': db.clock.now().toISOString() },
        }),
      );
      detached++;
    } catch (err) {
      if (!conditionFailure(err)) throw err;
    }
  }
  return detached;
}
