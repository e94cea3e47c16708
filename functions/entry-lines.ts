import type { CampaignDb } from '../shared/campaigns/index.js';
import type { Entry } from '../shared/domain/index.js';
import { listEntries } from '../shared/entries/index.js';
import { toEntry } from '../shared/table/index.js';

/** Entries read per query at most: the group-chat copy wants every line up to its cap in few pages. */
const PAGE_MAX = 1000;

/**
 * The entries in 接龙 order until one past `maxActive` active lines has been seen (enough to know
 * a list capped there is cut), so a campaign of any size costs at most a few pages; a small cap
 * reads small pages. Public callers read eventually consistent, as the public list does; staff
 * read consistently. Shared by the group-chat copy (entries.txt) and the share page.
 */
export async function readEntryLines(
  db: CampaignDb,
  campaignId: string,
  opts: { consistent: boolean; maxActive: number },
): Promise<Entry[]> {
  const out: Entry[] = [];
  const page = Math.min(PAGE_MAX, opts.maxActive + 1);
  let active = 0;
  let cursor: string | null = null;
  do {
    const result = await listEntries(db, campaignId, page, cursor, { consistent: opts.consistent });
    for (const record of result.items) {
      const entry = toEntry(record);
      out.push(entry);
      if (entry.status === 'active') active++;
    }
    cursor = result.nextCursor;
  } while (cursor && active <= opts.maxActive);
  return out;
}
