import type { Counters } from '../domain/index.js';
import type { TransactItem } from '../table/index.js';

/**
 * Numbers items are only ever ADDed to (no read-modify-write), so any number of events may land on
 * one in any order. Per-item and per-point counters are top-level attributes named `<prefix><id>`
 * (ADD works on top-level attributes only), read back into maps by read.ts.
 */
export type Adds = Partial<Counters> & Record<string, number>;

/** One Update that sets `sets` (where absent: `if_not_exists`) and `setAlways`, and ADDs every non-zero number of `adds` and each of `addSets`. */
export function addUpdate(
  tableName: string,
  key: Record<string, string>,
  adds: Adds,
  sets: Record<string, unknown> = {},
  extra: {
    condition?: string;
    names?: Record<string, string>;
    values?: Record<string, unknown>;
    setAlways?: Record<string, unknown>;
    /** string sets ADDed to (a refund's ref) */
    addSets?: Record<string, Set<string>>;
  } = {},
): TransactItem & { Update: NonNullable<TransactItem['Update']> } {
  const names: Record<string, string> = { ...(extra.names ?? {}) };
  const values: Record<string, unknown> = { ...(extra.values ?? {}) };
  const setParts: string[] = [];
  let n = 0;
  for (const [name, value] of Object.entries(sets)) {
    names[`#s${n}`] = name;
    values[`:s${n}`] = value;
    setParts.push(`#s${n} = if_not_exists(#s${n}, :s${n})`);
    n++;
  }
  for (const [name, value] of Object.entries(extra.setAlways ?? {})) {
    names[`#s${n}`] = name;
    values[`:s${n}`] = value;
    setParts.push(`#s${n} = :s${n}`);
    n++;
  }
  const addParts: string[] = [];
  let m = 0;
  for (const [name, value] of Object.entries(adds)) {
    if (!value) continue;
    names[`#a${m}`] = name;
    values[`:a${m}`] = value;
    addParts.push(`#a${m} :a${m}`);
    m++;
  }
  for (const [name, value] of Object.entries(extra.addSets ?? {})) {
    names[`#a${m}`] = name;
    values[`:a${m}`] = value;
    addParts.push(`#a${m} :a${m}`);
    m++;
  }
  const expression = [setParts.length ? `SET ${setParts.join(', ')}` : '', addParts.length ? `ADD ${addParts.join(', ')}` : '']
    .filter(Boolean)
    .join(' ');
  return {
    Update: {
      TableName: tableName,
      Key: key,
      UpdateExpression: expression,
      ...(extra.condition ? { ConditionExpression: extra.condition } : {}),
      ExpressionAttributeNames: names,
      ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
    },
  };
}

/** Attribute prefixes of the per-item and per-point counters. */
export const ATTR = {
  /** campaign NUMBERS: units / amount of an item (by id); community STATS#ITEMS: by item name */
  itemUnits: 'iu#',
  itemAmount: 'ia#',
  /** campaign NUMBERS: by pickup point id ('-' none); community STATS#POINTS: by point name */
  pointEntries: 'pe#',
  pointUnits: 'pu#',
  pointAmount: 'pa#',
  pointPickups: 'pp#',
  pointNoShows: 'pn#',
  /** campaign NUMBERS: share-page views of one Shanghai day */
  viewsOn: 'v#',
} as const;

/** Pickup point key of an entry without one. */
export const NO_POINT = '-';
