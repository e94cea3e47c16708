import type { PickupEntryRecord } from '../entries/index.js';
import { userFeedback } from '../feedback/index.js';
import { getPayment, listAfterSales } from '../money/index.js';
import { getUserItem } from '../people/index.js';
import { userPoints } from '../points/index.js';
import type { DbContext } from '../table/index.js';
import { indexKeys, keys, queryCampaignPrefix } from '../table/index.js';
import { communitiesOf } from './communities-of.js';
import { ownerItems } from './owner-items.js';

/** Everything stored about one user, for GET /me/export (PIPL: the right to a copy). */
export async function exportUserData(db: DbContext, userId: string) {
  const user = await getUserItem(db, userId);
  const entries = [];
  for await (const raw of ownerItems(db, indexKeys.participantPartition(userId))) {
    const e = raw as unknown as PickupEntryRecord;
    entries.push({
      id: e.id,
      campaignId: e.campaignId,
      campaignTitle: e.campaignTitle,
      seq: e.seq,
      nickname: e.nickname,
      items: e.items,
      note: e.note ?? null,
      pickupPointId: e.pickupPointId ?? null,
      phone: e.phone ?? null,
      status: e.status,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
      pickedUpAt: e.pickedUpAt ?? null,
    });
  }
  const campaignsLed = [];
  for await (const c of ownerItems(db, indexKeys.leaderPartition(userId))) {
    campaignsLed.push({
      id: c.id as string,
      title: c.title as string,
      createdAt: c.createdAt as string,
      opensAt: c.opensAt as string,
      closesAt: c.closesAt as string,
    });
  }
  // Money: per entry that has any, its totals and every ledger event (the user's own payments and refunds).
  const payments = [];
  for (const e of entries) {
    const money = await getPayment(db, e.campaignId, e.id);
    if (!money) continue;
    const events = [];
    for await (const item of queryCampaignPrefix(db, keys.campaignPartition(e.campaignId), `${keys.ledgerPrefix()}${e.id}#`)) {
      events.push({
        event: item.event as string,
        amount: item.amount as number,
        ref: item.ref as string,
        at: item.at as string,
        ...(item.reason ? { reason: item.reason as string } : {}),
      });
    }
    payments.push({ campaignId: e.campaignId, entryId: e.id, paid: money.paid, refunded: money.refunded, events });
  }
  // After-sale requests (售后) the user filed: one query per campaign they have entries in.
  const afterSales = [];
  for (const campaignId of new Set(entries.map((e) => e.campaignId))) {
    for (const r of await listAfterSales(db, campaignId)) {
      if (r.userId !== userId) continue;
      afterSales.push({
        requestId: r.requestId,
        campaignId: r.campaignId,
        entryId: r.entryId,
        items: r.items,
        reason: r.reason,
        photos: r.photos,
        amount: r.amount,
        state: r.state,
        createdAt: r.createdAt,
        decidedAt: r.decidedAt ?? null,
        approvedAmount: r.approvedAmount ?? null,
        note: r.note ?? null,
        rejectReason: r.rejectReason ?? null,
      });
    }
  }
  // Points (积分): in the communities the user stands in, and those of the campaigns they joined.
  const points = await userPoints(
    db,
    userId,
    await communitiesOf(
      db,
      userId,
      entries.map((e) => e.campaignId),
    ),
  );
  // Feedback: reviews of the user's entries, answers to surveys (results stay the community's).
  const feedback = await userFeedback(db, userId, entries);
  return {
    exportedAt: db.clock.now().toISOString(),
    profile: user
      ? {
          id: userId,
          nickname: (user.nickname as string | undefined) ?? '',
          avatarUrl: (user.avatarUrl as string | undefined) ?? null,
          openid: (user.openid as string | undefined) ?? null,
          unionid: (user.unionid as string | undefined) ?? null,
          createdAt: (user.createdAt as string | undefined) ?? null,
          updatedAt: (user.updatedAt as string | undefined) ?? null,
          lastLoginAt: (user.lastLoginAt as string | undefined) ?? null,
        }
      : null,
    entries,
    payments,
    afterSales,
    campaignsLed,
    points,
    reviews: feedback.reviews,
    surveyAnswers: feedback.surveyAnswers,
  };
}
