import type { CampaignDefinition } from '../domain/index.js';
import { InvalidStateError } from '../errors.js';
import type { DbContext, EntryRecord } from '../table/index.js';
import { withRetry } from '../table/index.js';
import { applyMoneyEvent, getPayment, MoneyConflictError, type PaymentRecord } from './ledger.js';

/**
 * The leader of an offline campaign (members pay by WeChat transfer) records how much an entry has
 * paid: `received` is the total received so far, 0 for "unpaid". Each change is an
 * `offline_marked` ledger event holding the difference, numbered by the PAY version it was computed
 * from, so two helpers marking at once cannot both count: the second recomputes. Marking the amount
 * already recorded writes nothing.
 */
export async function markOfflinePayment(
  db: DbContext,
  def: CampaignDefinition,
  entry: EntryRecord,
  received: number,
  actorId: string,
): Promise<PaymentRecord> {
  if (def.paymentMode !== 'offline') {
    throw new InvalidStateError('This campaign is paid with WeChat Pay; payments are recorded from WeChat, not marked by hand', {
      paymentMode: def.paymentMode,
    });
  }
  return withRetry(
    async () => {
      const current = await getPayment(db, def.id, entry.id);
      const version = current?.version ?? 0;
      const delta = received - (current?.paid ?? 0);
      if (delta === 0 && current) return current;
      const at = db.clock.now().toISOString();
      const outcome = await applyMoneyEvent(
        db,
        {
          campaignId: def.id,
          entryId: entry.id,
          seq: entry.seq,
          event: 'offline_marked',
          amount: delta,
          ref: `offline#${version + 1}`,
          actor: actorId,
          at,
        },
        entry.userId,
        { expectVersion: version },
      );
      // 'duplicate': another mark took this number first; recompute from what it recorded.
      if (!outcome.applied) throw new MoneyConflictError();
      return (await getPayment(db, def.id, entry.id))!;
    },
    // Another mark moved the PAY record on: read it again and recompute the difference.
    { retries: 8, retryOn: (err) => err instanceof MoneyConflictError },
  );
}
