import type { CampaignSnapshot } from '../campaigns/index.js';
import type { Entry } from '../domain/index.js';
import { InvalidStateError } from '../errors.js';
import { consumeRate } from '../limits/index.js';
import type { PrepayView } from '../money/index.js';
import { getOpenid } from '../people/index.js';
import type { UseCaseContext } from './context.js';

/**
 * POST …/payment/prepay, after the owner check: the order the entry should pay now. Offline
 * campaign 409 and WeChat Pay off 503 come before the rate limit is spent, as before.
 */
export async function orderToPay(ctx: UseCaseContext, snapshot: CampaignSnapshot, entry: Entry, userId: string): Promise<PrepayView> {
  ctx.money.requirePrepaid(snapshot.def);
  await consumeRate(ctx.db, ctx.rateLimits, 'payment', userId);
  const view = await ctx.money.orderToPay(snapshot, entry, await getOpenid(ctx.db, userId));
  if (view?.state !== 'created') throw new InvalidStateError('Nothing to pay for this entry', { status: entry.status });
  return view;
}

/** POST …/payment/sync, after the member-or-staff check: record what WeChat Pay says was paid. */
export async function syncEntryPayment(ctx: UseCaseContext, snapshot: CampaignSnapshot, entryId: string, userId: string): Promise<void> {
  ctx.money.requirePrepaid(snapshot.def);
  await consumeRate(ctx.db, ctx.rateLimits, 'payment', userId);
  await ctx.money.syncEntryOrders(snapshot.def.id, entryId);
}
