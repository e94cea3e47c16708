import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  addCounters,
  type CampaignDefinition,
  COUNTERS,
  type Counters,
  type DerivedNumbers,
  deriveNumbers,
  lastDays,
  REPEAT_WINDOWS_DAYS,
  zeroCounters,
} from '../domain/index.js';
import type { DbContext } from '../table/index.js';
import { isLookupableId, keys } from '../table/index.js';
import { ATTR, NO_POINT } from './updates.js';

/** How many top items a numbers answer lists (by units and by amount). */
export const TOP_ITEMS = 10;
export const MAX_NUMBERS_DAYS = 366;

export interface ItemNumbers {
  /** item id (a campaign's numbers) or item name (a community's) */
  key: string;
  name: string;
  units: number;
  amount: number;
}

export interface PointNumbers {
  key: string;
  name: string | null;
  entries: number;
  units: number;
  amount: number;
  pickups?: number;
  noShows?: number;
}

export interface DayNumbers extends Counters {
  day: string;
}

export interface CommunityNumbers {
  communityId: string;
  totals: Counters;
  derived: DerivedNumbers;
  /** the sums of the last 30 and 90 days' counters: what the repeat rates are rates of */
  last30: Counters;
  last90: Counters;
  topItemsByUnits: ItemNumbers[];
  topItemsByAmount: ItemNumbers[];
  pickupPoints: PointNumbers[];
  /** one per Shanghai day, oldest first, days without events as zeros */
  days: DayNumbers[];
}

const countersOf = (item: Record<string, unknown> | undefined): Counters => {
  const c = zeroCounters();
  if (!item) return c;
  for (const name of COUNTERS) if (typeof item[name] === 'number') c[name] = item[name] as number;
  return c;
};

/** Per-item (or per-point) counters of an item, by the key after the attribute prefix. */
function byPrefix(item: Record<string, unknown> | undefined, prefix: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, value] of Object.entries(item ?? {}))
    if (name.startsWith(prefix) && typeof value === 'number') out.set(name.slice(prefix.length), value);
  return out;
}

function itemsOf(item: Record<string, unknown> | undefined, nameOf: (key: string) => string): ItemNumbers[] {
  const units = byPrefix(item, ATTR.itemUnits);
  const amounts = byPrefix(item, ATTR.itemAmount);
  return [...new Set([...units.keys(), ...amounts.keys()])].map((key) => ({
    key,
    name: nameOf(key),
    units: units.get(key) ?? 0,
    amount: amounts.get(key) ?? 0,
  }));
}

function pointsOf(item: Record<string, unknown> | undefined, nameOf: (key: string) => string | null, withPickups: boolean): PointNumbers[] {
  const entries = byPrefix(item, ATTR.pointEntries);
  const units = byPrefix(item, ATTR.pointUnits);
  const amounts = byPrefix(item, ATTR.pointAmount);
  const pickups = byPrefix(item, ATTR.pointPickups);
  const noShows = byPrefix(item, ATTR.pointNoShows);
  return [...entries.keys()].map((key) => ({
    key,
    name: nameOf(key),
    entries: entries.get(key) ?? 0,
    units: units.get(key) ?? 0,
    amount: amounts.get(key) ?? 0,
    ...(withPickups ? { pickups: pickups.get(key) ?? 0, noShows: noShows.get(key) ?? 0 } : {}),
  }));
}

const top = (items: ItemNumbers[], by: 'units' | 'amount') =>
  [...items].sort((a, b) => b[by] - a[by] || (a.key < b.key ? -1 : 1)).slice(0, TOP_ITEMS);

/**
 * GET /communities/{id}/numbers: ONE Query of the community's STATS# items, from the first day the
 * answer needs (the last `days`, or 90 for the 90-day repeat rate) up to STATS#TOTAL, which sorts
 * after every day, STATS#ITEMS and STATS#POINTS. Nothing else is read: no entries, no members.
 */
export async function communityNumbers(db: DbContext, communityId: string, days: number, now: Date): Promise<CommunityNumbers> {
  const window = lastDays(now, Math.max(days, ...REPEAT_WINDOWS_DAYS));
  const items = new Map<string, Record<string, unknown>>();
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': keys.communityPartition(communityId),
          ':from': keys.communityStatsDaySk(window[0]!),
          ':to': keys.communityStatsTotal(communityId).sk,
        },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of out.Items ?? []) items.set(item.sk as string, item);
    start = out.LastEvaluatedKey;
  } while (start);
  const dayCounters = (day: string) => countersOf(items.get(keys.communityStatsDay(communityId, day).sk));
  const sum = (list: string[]) => list.reduce((acc, day) => addCounters(acc, dayCounters(day)), zeroCounters());
  const last30 = sum(window.slice(-30));
  const last90 = sum(window.slice(-90));
  const totals = countersOf(items.get(keys.communityStatsTotal(communityId).sk));
  const all = itemsOf(items.get(keys.communityStatsItems(communityId).sk), (name) => name);
  return {
    communityId,
    totals,
    derived: deriveNumbers(totals, last30, last90),
    last30,
    last90,
    topItemsByUnits: top(all, 'units'),
    topItemsByAmount: top(all, 'amount'),
    pickupPoints: pointsOf(items.get(keys.communityStatsPoints(communityId).sk), (name) => (name === NO_POINT ? null : name), false),
    days: window.slice(-days).map((day) => ({ day, ...dayCounters(day) })),
  };
}

export interface CampaignNumbers {
  campaignId: string;
  communityId: string | null;
  /** null until the campaign is settled and folded */
  foldedAt: string | null;
  status: string | null;
  pickupClosedAt: string | null;
  totals: Counters;
  derived: DerivedNumbers;
  topItemsByUnits: ItemNumbers[];
  topItemsByAmount: ItemNumbers[];
  pickupPoints: PointNumbers[];
  /** share-page views per Shanghai day, oldest first */
  viewsByDay: Array<{ day: string; views: number }>;
}

/** GET /campaigns/{id}/numbers: one GetItem of the campaign's NUMBERS item. */
export async function campaignNumbers(db: DbContext, def: CampaignDefinition): Promise<CampaignNumbers> {
  const out = isLookupableId(def.id)
    ? await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.campaignNumbers(def.id) }))
    : { Item: undefined };
  const item = out.Item;
  const totals = countersOf(item);
  const all = itemsOf(item, (id) => def.items.find((i) => i.id === id)?.name ?? id);
  // Within one campaign a repeat is a purchase whose member's previous one was within the window.
  const within = { ...totals };
  return {
    campaignId: def.id,
    communityId: def.communityId ?? null,
    foldedAt: (item?.foldedAt as string | undefined) ?? null,
    status: (item?.status as string | undefined) ?? null,
    pickupClosedAt: (item?.pickupClosedAt as string | undefined) ?? null,
    totals,
    derived: deriveNumbers(totals, within, within),
    topItemsByUnits: top(all, 'units'),
    topItemsByAmount: top(all, 'amount'),
    pickupPoints: pointsOf(item, (id) => (id === NO_POINT ? null : (def.pickupPoints.find((p) => p.id === id)?.name ?? id)), true),
    viewsByDay: [...byPrefix(item, ATTR.viewsOn).entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, views]) => ({ day, views })),
  };
}
