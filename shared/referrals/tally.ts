import { type CampaignSnapshot, profileNicknames } from '../campaigns/index.js';
import { type Entry, type ReferralTally, tallyReferrals } from '../domain/index.js';
import { allEntries } from '../entries/index.js';
import { type DbContext, toEntry } from '../table/index.js';

export interface NamedReferralTally extends ReferralTally {
  /** the referrer's name on their own line in this campaign, else their profile's; null once erased */
  nickname: string | null;
}

/**
 * Referral counts of a campaign, from a strongly consistent read of its whole entry list (one
 * query page per 1,000 lines: a staff view, not the join path). The counts keep no counters of
 * their own, so concurrent joins and cancels can never leave them out of step with the list.
 */
export async function campaignReferrals(db: DbContext, snapshot: CampaignSnapshot): Promise<NamedReferralTally[]> {
  const entries: Entry[] = [];
  for await (const record of allEntries(db, snapshot.def.id)) if (!record.void) entries.push(toEntry(record));
  const tallies = tallyReferrals(snapshot.def, snapshot.state, entries);
  const names = new Map(entries.map((e) => [e.userId, e.nickname]));
  const unnamed = tallies.map((t) => t.referrerId).filter((id) => !names.has(id));
  const profiles = unnamed.length > 0 ? await profileNicknames(db, unnamed) : new Map<string, string>();
  return tallies.map((t) => ({ ...t, nickname: names.get(t.referrerId) ?? profiles.get(t.referrerId) ?? null }));
}
