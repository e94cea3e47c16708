import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ImageCheck, ImageVariant } from '../domain/index.js';
import { conditionFailure, type DbContext, keys } from '../table/index.js';
import type { MediaCheckResult } from '../wechat/index.js';

export type CheckOutcome = 'recorded' | 'unknown-trace' | 'photo-gone';

/**
 * WeChat's verdict on one size of a photo (消息推送 wxa_media_check): found by its trace id, then
 * written by its path in the definition, only while that size still waits on that same trace (a
 * photo detached, or attached again under a newer check, is left alone). A repeated push writes
 * the same verdict again: harmless.
 */
export async function recordMediaCheck(db: DbContext, check: MediaCheckResult): Promise<CheckOutcome> {
  const found = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.mediaCheck(check.traceId) }));
  const item = found.Item as { campaignId: string; imageId: string; variant: ImageVariant } | undefined;
  if (!item) return 'unknown-trace';
  const verdict: ImageCheck = { traceId: check.traceId, result: check.result, checkedAt: db.clock.now().toISOString() };
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.campaignMeta(item.campaignId),
        UpdateExpression: 'SET #images.#id.#checks.#v = :verdict',
        ConditionExpression: '#images.#id.#checks.#v.#trace = :trace',
        ExpressionAttributeNames: {
          '#images': 'images',
          '#id': item.imageId,
          '#checks': 'checks',
          '#v': item.variant,
          '#trace': 'traceId',
        },
        ExpressionAttributeValues: { ':verdict': verdict, ':trace': check.traceId },
      }),
    );
    return 'recorded';
  } catch (err) {
    if (conditionFailure(err)) return 'photo-gone';
    throw err;
  }
}
