import { formatYuan } from './pricing.js';
import type { SettlementEntry, SettlementSummary } from './settlement.js';
import type { CampaignDefinition } from './types.js';

/** Excel only reads UTF-8 Chinese text correctly when the file starts with a byte-order mark. */
export const UTF8_BOM = '\uFEFF';

const HEADERS = ['接龙号', '昵称', '手机号', '自提点', '商品明细', '件数', '应付金额(元)', '备注', '状态'];

function cell(value: string | number | null): string {
  const s = value === null ? '' : String(value);
  // Quote when needed; prefix formulas so a nickname like "=HYPERLINK(...)" stays text in Excel.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function row(values: Array<string | number | null>): string {
  return values.map(cell).join(',') + '\r\n';
}

/**
 * The leader's sheet: one row per active entry in 接龙 order, then a blank line, then what to buy
 * from the supplier per item, and the grand total. Amounts in yuan, computed from integer fen.
 */
export function settlementCsvHeader(): string {
  return UTF8_BOM + row(HEADERS);
}

export function settlementCsvRow(def: CampaignDefinition, entry: SettlementEntry): string {
  const names = new Map(def.items.map((i) => [i.id, i.spec ? `${i.name}(${i.spec})` : i.name]));
  const pickup = def.pickupPoints.find((p) => p.id === entry.pickupPointId)?.name ?? '';
  const detail = entry.items.map((l) => `${names.get(l.itemId) ?? l.itemId}×${l.qty}`).join('；');
  const units = entry.items.reduce((n, l) => n + l.qty, 0);
  return row([entry.seq, entry.nickname, entry.phone, pickup, detail, units, formatYuan(entry.amount), entry.note, '有效']);
}

export function settlementCsvFooter(summary: SettlementSummary): string {
  let out = row([]);
  out += row(['商品', '规格', '总数量', '成交单价(元)', '小计(元)']);
  for (const i of summary.items) out += row([i.name, i.spec, i.quantity, formatYuan(i.finalUnitPrice), formatYuan(i.amount)]);
  out += row(['合计', '', '', '', formatYuan(summary.total)]);
  out += row(['参与人数', summary.entryCount]);
  out += row(['结算状态', summary.status === 'failed' ? '成团失败（未达最低人数，无需付款）' : '已成团']);
  return out;
}
