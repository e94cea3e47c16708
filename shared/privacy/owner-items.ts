import { queryOwnerIndex } from '../campaigns/index.js';
import type { DbContext } from '../table/index.js';

/** Every item of one gsi1 owner partition (a user's entries, or the campaigns they lead), page by page. */
export async function* ownerItems(db: DbContext, ownerPk: string): AsyncGenerator<Record<string, unknown>> {
  let cursor: string | null = null;
  do {
    const page = await queryOwnerIndex(db, ownerPk, 100, cursor);
    yield* page.items;
    cursor = page.nextCursor;
  } while (cursor);
}
