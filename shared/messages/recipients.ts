import { getCampaign } from '../campaigns/index.js';
import { followersOf } from '../communities/index.js';
import { baseAmount, effectiveEntry, type FieldSource, type FieldValue } from '../domain/index.js';
import { allEntries, getEntryRecord } from '../entries/index.js';
import { CALL_OFF_EVENT_ID, getSettlementSummary, settlementEntries } from '../settlement/index.js';
import type { DbContext, OutboxRecord } from '../table/index.js';

export interface Recipient {
  readonly userId: string;
  readonly values: Record<FieldSource, FieldValue>;
}

const STATUS_TEXT = {
  'group-succeeded': '拼团成功',
  'group-failed': '未成团，已取消',
  'refund-arrived': '退款已到账',
  'goods-arrived': '已到货，请取货',
  'hold-expiring': '请尽快支付',
  'new-entries': '新接龙',
  'new-campaign': '新团购开团',
} as const;

/**
 * Who hears of an event, each with the values their message is filled with: a member's own amount
 * and units (summed over their lines), the campaign's title, their pickup point. Read from the
 * frozen settlement and the list at delivery time; an entry of an erased member has no openid
 * left, and deliver.ts skips it. A hold reminder's entry is read again here: a hold paid,
 * cancelled or ended since the sweep wrote the event has no one left to remind.
 */
export async function recipientsOf(db: DbContext, ev: OutboxRecord): Promise<Recipient[]> {
  const snapshot = await getCampaign(db, ev.campaignId);
  if (!snapshot) return [];
  const { def } = snapshot;
  const pointName = (id: string | null | undefined) => def.pickupPoints.find((p) => p.id === id)?.name ?? '—';
  const base = (userId: string, amount: number, units: number, pickupPointId: string | null | undefined): Recipient => ({
    userId,
    values: {
      title: { text: def.title },
      status: { text: ev.event === 'new-entries' ? `${STATUS_TEXT[ev.event]} ${ev.count ?? 0} 份` : STATUS_TEXT[ev.event] },
      amount: { fen: amount },
      units: { count: units },
      pickupPoint: { text: pointName(pickupPointId) },
      time: { at: ev.at },
      count: { count: ev.event === 'new-entries' ? (ev.count ?? 0) : units },
      deadline: { at: ev.event === 'hold-expiring' && ev.holdUntil ? ev.holdUntil : def.closesAt },
    },
  });
  if (ev.event === 'refund-arrived') return ev.userId ? [base(ev.userId, ev.amount ?? 0, 0, null)] : [];
  if (ev.event === 'new-entries') return [base(def.leaderId, 0, ev.count ?? 0, null)];
  if (ev.event === 'new-campaign') {
    // The community's followers, as they stand at delivery (one who stopped following meanwhile is not told).
    if (!def.communityId) return [];
    const out: Recipient[] = [];
    for await (const userId of followersOf(db, def.communityId)) if (userId !== def.leaderId) out.push(base(userId, 0, 0, null));
    return out;
  }
  if (ev.event === 'hold-expiring') {
    const stored = ev.entryId ? await getEntryRecord(db, ev.campaignId, ev.entryId) : null;
    // A called-off campaign's holds read as cancelled: nobody is asked to pay for it.
    const entry = stored && effectiveEntry(stored, snapshot.state);
    const stillHeld =
      entry?.status === 'pending_payment' &&
      entry.userId === ev.userId &&
      entry.holdUntil === ev.holdUntil &&
      Date.parse(entry.holdUntil ?? '') > db.clock.now().getTime();
    if (!entry || !stillHeld) return [];
    const units = entry.items.reduce((sum, l) => sum + l.qty, 0);
    return [base(entry.userId, baseAmount(def, entry.items), units, entry.pickupPointId)];
  }
  if (ev.eventId === CALL_OFF_EVENT_ID) {
    // Called off (maybe before any settlement): everyone whose entry was live hears it, owing 0.
    const byUser = new Map<string, { units: number; pickupPointId: string | null }>();
    for await (const e of allEntries(db, ev.campaignId)) {
      if (e.void || (e.status !== 'active' && e.status !== 'pending_payment')) continue;
      const mine = byUser.get(e.userId) ?? { units: 0, pickupPointId: e.pickupPointId ?? null };
      mine.units += e.items.reduce((sum, l) => sum + l.qty, 0);
      byUser.set(e.userId, mine);
    }
    return [...byUser].map(([userId, m]) => base(userId, 0, m.units, m.pickupPointId));
  }

  const summary = await getSettlementSummary(db, ev.campaignId);
  if (!summary) return [];
  const byUser = new Map<string, { amount: number; units: number; pickupPointId: string | null }>();
  for await (const line of settlementEntries(db, summary)) {
    if (ev.event === 'goods-arrived' && line.pickupPointId !== ev.pickupPointId) continue;
    const mine = byUser.get(line.userId) ?? { amount: 0, units: 0, pickupPointId: line.pickupPointId };
    mine.amount += line.amount;
    mine.units += line.items.reduce((sum, l) => sum + l.qty, 0);
    byUser.set(line.userId, mine);
  }
  return [...byUser].map(([userId, m]) => base(userId, m.amount, m.units, m.pickupPointId));
}
