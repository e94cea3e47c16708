import { expect } from 'vitest';
import type { Harness } from './harness.js';

/**
 * Reads the whole list (as the leader) and the campaign, and checks every invariant of the
 * contract: numbers 1..N without holes or repeats, one active entry per user (at most maxEntriesPerUser
 * in a household campaign), per-person limits (per entry),
 * and for each item sold = Σ qty of active entries, remaining = stock − sold ≥ 0.
 */
export async function expectInvariants(h: Harness, campaignId: string, leaderToken: string) {
  const entries: any[] = [];
  let cursor: string | null = null;
  do {
    const page: any = await h.call('GET', `/campaigns/${campaignId}/entries?limit=100${cursor ? `&cursor=${cursor}` : ''}`, {
      token: leaderToken,
    });
    expect(page.status).toBe(200);
    entries.push(...page.body.entries);
    cursor = page.body.nextCursor;
  } while (cursor);
  const campaign = (await h.call('GET', `/campaigns/${campaignId}`)).body;

  const seqs = entries.map((e) => e.seq);
  expect(seqs).toEqual(Array.from({ length: entries.length }, (_, i) => i + 1));

  const active = entries.filter((e) => e.status === 'active');
  // One active entry per user, or up to maxEntriesPerUser in a household campaign.
  const perUser = new Map<string, number>();
  for (const e of active) perUser.set(e.userId, (perUser.get(e.userId) ?? 0) + 1);
  for (const [userId, n] of perUser) expect(n, `active entries of ${userId}`).toBeLessThanOrEqual(campaign.maxEntriesPerUser ?? 1);
  expect(campaign.participantCount).toBe(active.length);

  for (const item of campaign.items) {
    const sold = active.reduce((sum, e) => sum + (e.items.find((l: any) => l.itemId === item.id)?.qty ?? 0), 0);
    expect(item.sold, `sold of ${item.id}`).toBe(sold);
    if (item.stock !== null) {
      expect(item.remaining).toBe(item.stock - sold);
      expect(item.remaining).toBeGreaterThanOrEqual(0);
    }
    if (item.perPersonLimit !== null) {
      for (const e of active) expect(e.items.find((l: any) => l.itemId === item.id)?.qty ?? 0).toBeLessThanOrEqual(item.perPersonLimit);
    }
  }
  return { entries, active, campaign };
}
