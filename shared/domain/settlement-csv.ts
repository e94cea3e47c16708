import { csvRow, UTF8_BOM } from './csv.js';
import { balanceOf, type MoneyTotals } from './payments.js';
import { formatYuan } from './pricing.js';
import type { SettlementEntry, SettlementSummary } from './settlement.js';
import type { CampaignDefinition } from './types.js';

// The last three columns came with payments: appended, so importers reading by position keep working.
const HEADERS = [
  '接龙号',
  '昵称',
  '手机号',
  '自提点',
  '商品明细',
  '件数',
  '应付金额(元)',
  '备注',
  '状态',
  '已付(元)',
  '已退(元)',
  '差额(元)',
];

/**
 * The leader's sheet: one row per active entry in 接龙 order, then a blank line, then what to buy
 * from the supplier per item, and the grand total. Amounts in yuan, computed from integer fen.
 */
export function settlementCsvHeader(): string {
  return UTF8_BOM + csvRow(HEADERS);
}

export function settlementCsvRow(def: CampaignDefinition, entry: SettlementEntry, money: MoneyTotals = { paid: 0, refunded: 0 }): string {
  const names = new Map(def.items.map((i) => [i.id, i.spec ? `${i.name}(${i.spec})` : i.name]));
  const pickup = def.pickupPoints.find((p) => p.id === entry.pickupPointId)?.name ?? '';
  // After a shortage a line shows what the entry gets and, in brackets, what it ordered.
  const detail = entry.items
    .map((l) => `${names.get(l.itemId) ?? l.itemId}×${l.qty}${l.ordered !== undefined ? `（订${l.ordered}）` : ''}`)
    .join('；');
  const units = entry.items.reduce((n, l) => n + l.qty, 0);
  // An approved after-sale (PAY discount) comes off what the entry owes, as in the payments view.
  const due = Math.max(0, entry.amount - (money.discount ?? 0));
  return csvRow([
    entry.seq,
    entry.nickname,
    entry.phone,
    pickup,
    detail,
    units,
    formatYuan(due),
    entry.note,
    '有效',
    formatYuan(money.paid),
    formatYuan(money.refunded),
    formatYuan(balanceOf(due, money)),
  ]);
}

export function settlementCsvFooter(summary: SettlementSummary): string {
  let out = csvRow([]);
  out += csvRow(['商品', '规格', '总数量', '成交单价(元)', '小计(元)']);
  for (const i of summary.items) out += csvRow([i.name, i.spec, i.quantity, formatYuan(i.finalUnitPrice), formatYuan(i.amount)]);
  out += csvRow(['合计', '', '', '', formatYuan(summary.total)]);
  out += csvRow(['参与人数', summary.entryCount]);
  out += csvRow(['结算状态', summary.status === 'failed' ? '成团失败（未达最低人数，无需付款）' : '已成团']);
  return out;
}
