import { campaignForJoin, freshCampaign, requireVisibleCampaign } from '../campaigns/index.js';
import { type Entry, type EntryLine, parseRef } from '../domain/index.js';
import { join } from '../entries/index.js';
import { consumeRate } from '../limits/index.js';
import { holdEnd, type PaymentPart } from '../money/index.js';
import { referrerOwner } from '../referrals/index.js';
import type { DbContext } from '../table/index.js';
import type { UseCaseContext } from './context.js';
import { checkNote } from './note-check.js';

export interface JoinInput {
  readonly campaignId: string;
  readonly user: { readonly id: string; readonly nickname: string };
  readonly items: EntryLine[];
  readonly note: string | null;
  readonly pickupPointId: string | null;
  readonly phone: string | null;
  readonly idempotencyKey?: string | undefined;
  /** who shared the code: a referrer token or a whole scene (`s=…&r=…`); anything else is ignored */
  readonly ref?: string | null | undefined;
}

export interface JoinOutcome {
  entry: Entry;
  /** an Idempotency-Key retry answered with the first request's entry */
  replayed: boolean;
  /** prepaid: the join's order, or why there is none now; {} for an offline join */
  payment: PaymentPart;
}

/**
 * POST /campaigns/{id}/entries. The hot path of the API: an offline join costs the rate-limit
 * write, the (usually cached) campaign read and the join's writes, and waits on nothing else
 * (Money answers "nothing to pay" without a promise).
 */
export async function joinCampaign(ctx: UseCaseContext, input: JoinInput): Promise<JoinOutcome> {
  const { db, money } = ctx;
  const { campaignId: id, user } = input;
  // One extra write per join, before any other work: per-user limit across all instances.
  await consumeRate(db, ctx.rateLimits, 'join', user.id);
  // A ref costs one small read, made alongside the campaign read; no ref, no read.
  const ref = input.ref ? parseRef(input.ref) : null;
  const pendingReferrer = ref ? lookUpReferrer(db, ref.token) : null;
  let { snapshot, cached } = await campaignForJoin(db, id);
  // Drafts are invisible to members: 404, as if the id named nothing. The cache may not say so
  // on its own word (the draft may just have been published): read fresh first.
  if (snapshot.state.status === 'draft') {
    if (cached) ({ snapshot, cached } = { snapshot: await freshCampaign(db, id), cached: false });
    if (snapshot.state.status === 'draft') await requireVisibleCampaign(db, snapshot, user.id);
  }
  // A scene made for another campaign, or the member's own token, attributes nothing. Share codes
  // are case-insensitive (GET /s/{code} upper-cases them), so a retyped scene still counts.
  const referrer = pendingReferrer && (await pendingReferrer);
  const forThisCampaign = !ref?.shareCode || ref.shareCode.toUpperCase() === snapshot.def.shareCode.toUpperCase();
  const referredBy = referrer && referrer !== user.id && forThisCampaign ? referrer : null;
  // Only a join with a note asks WeChat anything (checkNote returns at once without one).
  const contentReview = input.note ? await checkNote(ctx, user.id, input.note) : [];
  const pendingPayer = money.payerForJoin(snapshot.def, input.items, user.id);
  const payer = pendingPayer && (await pendingPayer);
  const result = await join(
    db,
    snapshot,
    {
      userId: user.id,
      nickname: user.nickname,
      items: input.items,
      note: input.note,
      pickupPointId: input.pickupPointId,
      phone: input.phone,
      ...(input.idempotencyKey !== undefined ? { idempotencyKey: input.idempotencyKey } : {}),
      ...(referredBy ? { referredBy } : {}),
      ...(payer ? { holdUntil: holdEnd(snapshot.def, db.clock.now()).toISOString() } : {}),
      ...(contentReview.length > 0 ? { contentReview } : {}),
    },
    cached ? () => freshCampaign(db, id) : undefined,
  );
  // A retried join (same Idempotency-Key) gets the same order again: its number is derived from the entry.
  const payment = payer && result.entry.status === 'pending_payment' ? await money.joinOrder(payer, snapshot.def, result.entry) : {};
  if (!result.replayed) ctx.metrics?.count('Joins');
  return { entry: result.entry, replayed: result.replayed, payment };
}

/** The user a referrer token names; a failed lookup attributes nothing rather than failing the join. */
function lookUpReferrer(db: DbContext, token: string): Promise<string | null> {
  return referrerOwner(db, token).catch(() => null);
}
