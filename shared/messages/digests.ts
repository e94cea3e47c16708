import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  batchGetAll,
  cancelledTransaction,
  conditionFailure,
  type DbContext,
  digestItem,
  GSI_DUE,
  indexKeys,
  isTransientConflict,
  keys,
  listDueItems,
  outboxPutOnce,
  type TransactItem,
} from '../table/index.js';

export const digestEventId = (toSeq: number) => `digest-${toSeq}`;

const WRITE_CONCURRENCY = 10;

/**
 * The leader's digests due now (gsi2 DIGEST): per campaign, the numbers taken since the last
 * digest are the STATE item's `seq` less the digest's `lastSeq` (one BatchGet for all of them), so
 * joins write nothing for it. With new ones, one transaction moves the digest on (conditional on
 * the `lastSeq` and due time read, so of overlapping sweeps one wins) and writes the outbox event
 * `digest-<seq>` with it; without, the digest is only due again an interval later. Once the
 * campaign stops taking joins (deadline passed, closed, settled), its last digest is sent and it
 * leaves the index.
 */
export async function writeDueDigests(db: DbContext, now: Date, intervalMs: number, limit: number): Promise<number> {
  const at = now.toISOString();
  const due = await listDueItems(db, indexKeys.digestPartition, { to: at }, limit);
  if (due.length === 0) return 0;
  const states = await batchGetAll(
    db,
    due.map((d) => keys.campaignState(String(d.campaignId))),
    { projection: '#pk, #seq, #status, #closesAt', names: { '#pk': 'pk', '#seq': 'seq', '#status': 'status', '#closesAt': 'closesAt' } },
  );
  const stateOf = new Map(states.map((s) => [String(s.pk), s]));
  const next = new Date(now.getTime() + intervalMs).toISOString();
  let written = 0;
  const one = async (item: Record<string, unknown>) => {
    const digest = digestItem.fromItem(item);
    const dueSk = String(item[GSI_DUE.sortKey]);
    const state = stateOf.get(keys.campaignPartition(digest.campaignId));
    const seq = Number(state?.seq ?? digest.lastSeq);
    const takesJoins = state !== undefined && (state.status === 'open' || state.status === 'draft') && String(state.closesAt) > at;
    const fresh = seq - digest.lastSeq;
    const move: TransactItem = {
      Update: {
        TableName: db.tableName,
        Key: keys.digest(digest.campaignId),
        UpdateExpression: `SET #lastSeq = :seq${fresh > 0 ? ', #lastAt = :at' : ''}${takesJoins ? ', #g2sk = :next' : ' REMOVE #g2pk, #g2sk'}`,
        ConditionExpression: '#lastSeq = :old AND #g2sk = :dueSk',
        ExpressionAttributeNames: {
          '#lastSeq': 'lastSeq',
          '#g2sk': GSI_DUE.sortKey,
          ...(fresh > 0 ? { '#lastAt': 'lastAt' } : {}),
          ...(takesJoins ? {} : { '#g2pk': GSI_DUE.partitionKey }),
        },
        ExpressionAttributeValues: {
          ':seq': seq,
          ':old': digest.lastSeq,
          ':dueSk': dueSk,
          ...(fresh > 0 ? { ':at': at } : {}),
          ...(takesJoins ? { ':next': indexKeys.digestDue(next, digest.campaignId)[GSI_DUE.sortKey] } : {}),
        },
      },
    };
    try {
      if (fresh <= 0) {
        await db.doc.send(new UpdateCommand(move.Update!));
        return;
      }
      await db.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            move,
            {
              Put: outboxPutOnce(db.tableName, {
                campaignId: digest.campaignId,
                eventId: digestEventId(seq),
                event: 'new-entries',
                at,
                count: fresh,
                toSeq: seq,
              }),
            },
          ],
        }),
      );
      written++;
    } catch (err) {
      // A twin sweep moved this digest on first (or the index showed a stale copy): its digest stands.
      // A conflict with a twin's transaction in flight: the twin's write, or the next sweep, does it.
      if (conditionFailure(err) || isTransientConflict(err)) return;
      if (cancelledTransaction(err)?.reasons.some((r) => r.code === 'ConditionalCheckFailed')) return;
      throw err;
    }
  };
  for (let i = 0; i < due.length; i += WRITE_CONCURRENCY) await Promise.all(due.slice(i, i + WRITE_CONCURRENCY).map(one));
  return written;
}
