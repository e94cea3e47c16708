import fc from 'fast-check';
import { expect } from 'vitest';
import type { CallResult, Harness } from '../helpers/harness.js';
import { T0 } from '../helpers/harness.js';

/**
 * Shared pieces of the property tests: campaign shapes as fast-check arbitraries, a pure model of
 * what the contract says the campaign holds, and the expected Campaign / Settlement views derived
 * from it. Everything here is independent of the implementation under test.
 */

export const CLOSES_AT = new Date(Date.parse(T0) + 60 * 60_000).toISOString(); // T0 + 1 h
export const UNKNOWN_ITEM = 'i9';
export const NOTES = ['晚上取', '放门卫室', '=1+1', ''] as const;

export interface TierCfg {
  threshold: number;
  unitPrice: number;
}
export interface ItemCfg {
  unitPrice: number;
  stock: number | null;
  perPersonLimit: number | null;
  tiers: TierCfg[];
}
export interface CampaignCfg {
  users: number;
  tierBasis: 'quantity' | 'participants';
  minParticipants: number;
  items: ItemCfg[];
}
export interface Line {
  itemId: string;
  qty: number;
}
export interface JoinBody {
  items: Line[];
  note?: string;
  pickupPointId?: string;
}
export interface Account {
  token: string;
  userId: string;
  nickname: string;
}

export const itemId = (index: number) => `i${index + 1}`;

// ---------------------------------------------------------------------------------------------
// Arbitraries

const itemCfgArb: fc.Arbitrary<ItemCfg> = fc
  .record({
    unitPrice: fc.constantFrom(0, 500, 1290, 3990),
    // small limited stock (0 included: sold out from the start), sometimes unlimited
    stock: fc.option(fc.integer({ min: 0, max: 8 }), { nil: null, freq: 3 }),
    perPersonLimit: fc.option(fc.constantFrom(1, 2, 3, 3, 4, 4), { nil: null, freq: 2 }),
    thresholds: fc.uniqueArray(fc.integer({ min: 1, max: 8 }), { maxLength: 2 }),
  })
  .map(({ unitPrice, stock, perPersonLimit, thresholds }) => {
    const step = Math.floor(unitPrice / 4);
    const tiers =
      unitPrice === 0
        ? []
        : [...thresholds].sort((a, b) => a - b).map((threshold, k) => ({ threshold, unitPrice: unitPrice - (k + 1) * step }));
    return { unitPrice, stock, perPersonLimit, tiers };
  });

export const campaignCfgArb: fc.Arbitrary<CampaignCfg> = fc.record({
  users: fc.integer({ min: 3, max: 8 }),
  tierBasis: fc.constantFrom('quantity' as const, 'participants' as const),
  minParticipants: fc.integer({ min: 1, max: 4 }),
  items: fc.array(itemCfgArb, { minLength: 1, maxLength: 3 }),
});

/** Quantities: mostly 1–3, sometimes more (over a small perPersonLimit or stock). */
const qtyArb = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 3 }) }, { weight: 2, arbitrary: fc.integer({ min: 4, max: 6 }) });

/** A raw line: an unknown item or a zero quantity now and then. */
export function lineArb(cfg: CampaignCfg): fc.Arbitrary<Line> {
  return fc.record({
    itemId: fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 0, max: cfg.items.length - 1 }).map(itemId) },
      { weight: 1, arbitrary: fc.constant(UNKNOWN_ITEM) },
    ),
    qty: fc.oneof({ weight: 6, arbitrary: qtyArb }, { weight: 1, arbitrary: fc.constant(0) }),
  });
}

/** Lines of a join or change: mostly distinct real items; now and then malformed (unknown, repeated, 0). */
export function linesArb(cfg: CampaignCfg): fc.Arbitrary<Line[]> {
  const wellFormed = fc
    .uniqueArray(fc.integer({ min: 0, max: cfg.items.length - 1 }), { minLength: 1, maxLength: cfg.items.length })
    .chain((idx) => fc.tuple(...idx.map((i) => qtyArb.map((qty) => ({ itemId: itemId(i), qty })))));
  const raw = fc.array(lineArb(cfg), { minLength: 1, maxLength: Math.min(3, cfg.items.length + 1) });
  return fc.oneof({ weight: 12, arbitrary: wellFormed }, { weight: 1, arbitrary: raw });
}

/** Well-formed lines within every perPersonLimit: joins that only stock, state or keys can reject. */
export function validLinesArb(cfg: CampaignCfg): fc.Arbitrary<Line[]> {
  return fc
    .uniqueArray(fc.integer({ min: 0, max: cfg.items.length - 1 }), { minLength: 1, maxLength: cfg.items.length })
    .chain((idx) =>
      fc.tuple(
        ...idx.map((i) => fc.integer({ min: 1, max: cfg.items[i]!.perPersonLimit ?? 4 }).map((qty) => ({ itemId: itemId(i), qty }))),
      ),
    );
}

export function joinBodyArb(cfg: CampaignCfg): fc.Arbitrary<JoinBody> {
  return fc
    .record({
      items: linesArb(cfg),
      note: fc.option(fc.constantFrom(...NOTES), { nil: undefined }),
      pickupPointId: fc.oneof(
        { weight: 12, arbitrary: fc.constant(undefined) },
        { weight: 6, arbitrary: fc.constant('p1') },
        { weight: 1, arbitrary: fc.constant('p9') },
      ),
    })
    .map(({ items, note, pickupPointId }) => ({
      items,
      ...(note !== undefined ? { note } : {}),
      ...(pickupPointId !== undefined ? { pickupPointId } : {}),
    }));
}

// ---------------------------------------------------------------------------------------------
// Setup

export function campaignRequest(cfg: CampaignCfg) {
  return {
    title: '属性测试 阳光玫瑰',
    opensAt: T0,
    closesAt: CLOSES_AT,
    tierBasis: cfg.tierBasis,
    minParticipants: cfg.minParticipants,
    items: cfg.items.map((item, i) => ({
      name: `商品${i + 1}`,
      unitPrice: item.unitPrice,
      stock: item.stock,
      perPersonLimit: item.perPersonLimit,
      tiers: item.tiers,
    })),
    pickupPoints: [{ name: '3号楼门卫室', address: '幸福小区3号楼' }],
  };
}

export async function accounts(h: Harness, prefix: string, n: number): Promise<Account[]> {
  const nicknames = ['王小明', '李阿姨', 'Tom', '张三', '赵六', '陈一', '刘二', '周五', '吴九'];
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const nickname = nicknames[i % nicknames.length]!;
      const { token, userId } = await h.login(`${prefix}-${i}`, nickname);
      return { token, userId, nickname };
    }),
  );
}

export function describeResult(r: CallResult): string {
  return `${r.status} ${r.text.slice(0, 300)}`;
}

/** Outcome counts per request kind; printed after the file when PROPERTY_STATS=1 (coverage of the generators). */
export const outcomeStats = new Map<string, number>();
export function countOutcome(kind: string, r: CallResult) {
  const k = `${kind} → ${errorCode(r)}${r.headers.get('idempotent-replayed') === 'true' ? ' (replayed)' : ''}`;
  outcomeStats.set(k, (outcomeStats.get(k) ?? 0) + 1);
}
export function printOutcomeStats(title: string) {
  if (process.env.PROPERTY_STATS !== '1') return;
  const lines = [...outcomeStats].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `  ${String(n).padStart(5)}  ${k}`);
  console.log(`${title}\n${lines.join('\n')}`);
}

export function errorCode(r: CallResult): string | number {
  return r.status < 300 ? r.status : ((r.body?.error?.code as string | undefined) ?? `HTTP ${r.status}`);
}

// ---------------------------------------------------------------------------------------------
// Pure rules of the contract

export function priceAt(item: ItemCfg, basis: number): number {
  let price = item.unitPrice;
  for (const t of item.tiers) if (t.threshold <= basis) price = t.unitPrice;
  return price;
}

export function nextTierAt(item: ItemCfg, basis: number) {
  const t = item.tiers.find((x) => x.threshold > basis);
  return t ? { threshold: t.threshold, unitPrice: t.unitPrice, needed: t.threshold - basis } : null;
}

export function basisOf(cfg: CampaignCfg, sold: number, participants: number): number {
  return cfg.tierBasis === 'participants' ? participants : sold;
}

/**
 * Rejections that depend on the request body alone (400 for an unknown item, a repeated item, a
 * bad quantity or pickup point; LIMIT_EXCEEDED over perPersonLimit). The contract fixes no order
 * between independent rejections, so we collect every one that applies.
 */
export function bodyErrors(cfg: CampaignCfg, items: readonly Line[] | undefined, pickupPointId?: string): Set<string> {
  const errors = new Set<string>();
  if (pickupPointId !== undefined && pickupPointId !== 'p1') errors.add('VALIDATION_FAILED');
  if (!items) return errors;
  const seen = new Set<string>();
  for (const l of items) {
    if (l.qty <= 0) errors.add('VALIDATION_FAILED');
    const idx = cfg.items.findIndex((_, i) => itemId(i) === l.itemId);
    if (idx < 0) {
      errors.add('VALIDATION_FAILED');
      continue;
    }
    if (seen.has(l.itemId)) errors.add('VALIDATION_FAILED');
    seen.add(l.itemId);
    const limit = cfg.items[idx]!.perPersonLimit;
    if (limit !== null && l.qty > limit) errors.add('LIMIT_EXCEEDED');
  }
  return errors;
}

/** What the server hashes as "the same body": the lines in order, note, pickup point, phone. */
export function bodyHash(b: JoinBody): string {
  return JSON.stringify([b.items.map((l) => [l.itemId, l.qty]), b.note ?? null, b.pickupPointId ?? null, null]);
}

export interface ActiveLike {
  id: string;
  seq: number;
  userId: string;
  nickname?: string;
  items: readonly Line[];
}

/** The settlement the contract prescribes for these active entries (in seq order). */
export function expectedSettlement(cfg: CampaignCfg, campaignId: string, active: readonly ActiveLike[]) {
  const count = active.length;
  const status = count < cfg.minParticipants ? 'failed' : 'settled';
  const failed = status === 'failed';
  const qty = cfg.items.map((_, i) => active.reduce((s, e) => s + (e.items.find((l) => l.itemId === itemId(i))?.qty ?? 0), 0));
  const prices = cfg.items.map((item, i) => priceAt(item, basisOf(cfg, qty[i]!, count)));
  const priceOf = (id: string) => prices[Number(id.slice(1)) - 1]!;
  const items = cfg.items.map((_, i) => ({ itemId: itemId(i), quantity: qty[i]!, amount: failed ? 0 : qty[i]! * prices[i]! }));
  return {
    campaignId,
    status,
    entryCount: count,
    total: items.reduce((s, i) => s + i.amount, 0),
    items,
    // the price the group unlocked; the contract only fixes amounts for a failed group
    finalUnitPrices: failed ? null : prices,
    entries: active.map((e) => {
      const lines = e.items.map((l) => ({ itemId: l.itemId, qty: l.qty, amount: failed ? 0 : l.qty * priceOf(l.itemId) }));
      return { entryId: e.id, seq: e.seq, userId: e.userId, items: lines, amount: lines.reduce((s, l) => s + l.amount, 0) };
    }),
  };
}

/** The actual settlement projected onto the fields `expectedSettlement` predicts. */
export function projectSettlement(s: any) {
  const failed = s.status === 'failed';
  return {
    campaignId: s.campaignId,
    status: s.status,
    entryCount: s.entryCount,
    total: s.total,
    items: s.items.map((i: any) => ({ itemId: i.itemId, quantity: i.quantity, amount: i.amount })),
    finalUnitPrices: failed ? null : s.items.map((i: any) => i.finalUnitPrice),
    entries: s.entries.map((e: any) => ({
      entryId: e.entryId,
      seq: e.seq,
      userId: e.userId,
      items: e.items.map((l: any) => ({ itemId: l.itemId, qty: l.qty, amount: l.amount })),
      amount: e.amount,
    })),
  };
}

/** Line unit prices of a settled (not failed) settlement are the item's final price. */
export function expectLinePricesFinal(s: any) {
  if (s.status !== 'settled') return;
  const final = new Map<string, number>(s.items.map((i: any) => [i.itemId, i.finalUnitPrice]));
  for (const e of s.entries)
    for (const l of e.items) expect(l.unitPrice, `unit price of ${e.entryId}/${l.itemId}`).toBe(final.get(l.itemId));
}

/** Reads the whole list as the leader, page by page (small pages, so paging is exercised too). */
export async function readList(h: Harness, campaignId: string, token?: string, limit = 7): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  do {
    const page: CallResult = await h.call(
      'GET',
      `/campaigns/${campaignId}/entries?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      token ? { token } : {},
    );
    expect(page.status, describeResult(page)).toBe(200);
    out.push(...page.body.entries);
    cursor = page.body.nextCursor;
  } while (cursor);
  return out;
}

/**
 * The settlement read page by page (GET …/settlement?limit=n&cursor=…): every page carries the
 * same summary, and the pages together hold the entries of the whole settlement, in seq order.
 */
export async function expectSettlementPagesEqual(h: Harness, campaignId: string, token: string, whole: any, limit = 2) {
  const { entries: wholeEntries, nextCursor: _n, ...summary } = whole;
  const entries: any[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: CallResult = await h.call(
      'GET',
      `/campaigns/${campaignId}/settlement?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { token },
    );
    expect(page.status, describeResult(page)).toBe(200);
    const { entries: pageEntries, nextCursor, ...pageSummary } = page.body;
    expect(pageSummary, 'every page carries the whole summary').toEqual(summary);
    expect(pageEntries.length).toBeLessThanOrEqual(limit);
    entries.push(...pageEntries);
    cursor = nextCursor;
    expect(++pages, 'paging ends').toBeLessThan(1000);
  } while (cursor);
  expect(entries, 'the pages hold every entry of the settlement once').toEqual(wholeEntries);
}
