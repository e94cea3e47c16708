import type { CampaignSnapshot } from '../campaigns/index.js';
import { addToTotals, effectiveEntry, emptyPaymentTotals, type PaymentLine, type PaymentTotals, paymentLine } from '../domain/index.js';
import { allEntries } from '../entries/index.js';
import type { DbContext } from '../table/index.js';
import { toEntry } from '../table/index.js';
import { allPayments } from './ledger.js';

/**
 * Every payment line of a campaign in 接龙 order, with totals: the active entries (what they owe)
 * and any other entry that has money on it (a cancelled or expired entry that was paid is owed,
 * or was given, a refund).
 * Void lines (numbers of joins that died) never carry money and are left out.
 */
export async function paymentReport(db: DbContext, snapshot: CampaignSnapshot): Promise<{ lines: PaymentLine[]; totals: PaymentTotals }> {
  const lines: PaymentLine[] = [];
  const totals = emptyPaymentTotals();
  for await (const line of paymentLines(db, snapshot)) {
    lines.push(line);
    addToTotals(totals, line);
  }
  return { lines, totals };
}

/** The same lines one at a time as the entries are paged in, for exports that must not hold them all. */
export async function* paymentLines(db: DbContext, snapshot: CampaignSnapshot): AsyncGenerator<PaymentLine> {
  const money = await allPayments(db, snapshot.def.id);
  for await (const record of allEntries(db, snapshot.def.id)) {
    if (record.void) continue;
    const paid = money.get(record.id);
    // Once called off, every entry reads as cancelled: due 0, a paid one owed its money back.
    const entry = effectiveEntry(toEntry(record), snapshot.state);
    // A held (unpaid) or expired entry has an order but no money: not a line until money moves.
    if (entry.status !== 'active' && !(paid && (paid.paid !== 0 || paid.refunded !== 0))) continue;
    yield paymentLine(snapshot.def, entry, snapshot.settlement, paid);
  }
}
