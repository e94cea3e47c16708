import { csvRow, type SheetCell, UTF8_BOM } from './csv.js';
import { balanceOf, type MoneyTotals } from './payments.js';
import type { SettlementEntry, SettlementSummary } from './settlement.js';
import type { CallOff, CampaignDefinition } from './types.js';

// The last three columns came with payments: appended, so importers reading by position keep working.
export const SETTLEMENT_HEADERS = [
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
  return UTF8_BOM + csvRow(SETTLEMENT_HEADERS);
}

/** One active entry's row (CSV and xlsx). */
export function settlementCells(
  def: CampaignDefinition,
  entry: SettlementEntry,
  money: MoneyTotals = { paid: 0, refunded: 0 },
  /** the campaign was called off after settling: every line is cancelled and owes nothing (its money goes back) */
  calledOff = false,
): SheetCell[] {
  const names = new Map(def.items.map((i) => [i.id, i.spec ? `${i.name}(${i.spec})` : i.name]));
  const pickup = def.pickupPoints.find((p) => p.id === entry.pickupPointId)?.name ?? '';
  // After a shortage a line shows what the entry gets and, in brackets, what it ordered.
  const detail = entry.items
    .map((l) => `${names.get(l.itemId) ?? l.itemId}×${l.qty}${l.ordered !== undefined ? `（订${l.ordered}）` : ''}`)
    .join('；');
  const units = entry.items.reduce((n, l) => n + l.qty, 0);
  // An approved after-sale (PAY discount) comes off what the entry owes, as in the payments view.
  const due = calledOff ? 0 : Math.max(0, entry.amount - (money.discount ?? 0));
  return [
    entry.seq,
    entry.nickname,
    entry.phone,
    pickup,
    detail,
    units,
    { fen: due },
    entry.note,
    calledOff ? '已取消' : '有效',
    { fen: money.paid },
    { fen: money.refunded },
    { fen: balanceOf(due, money) },
  ];
}

export function settlementCsvRow(def: CampaignDefinition, entry: SettlementEntry, money: MoneyTotals = { paid: 0, refunded: 0 }): string {
  return csvRow(settlementCells(def, entry, money));
}

/** The purchase summary under the entry rows: a blank row, per item what to buy, the total, the count, the outcome. */
export function settlementFooterRows(summary: SettlementSummary, callOff: CallOff | null = null): SheetCell[][] {
  return [
    [],
    ['商品', '规格', '总数量', '成交单价(元)', '小计(元)'],
    ...summary.items.map((i) => [i.name, i.spec, i.quantity, { fen: i.finalUnitPrice }, { fen: i.amount }]),
    ['合计', '', '', '', { fen: summary.total }],
    ['参与人数', summary.entryCount],
    ['结算状态', summary.status === 'failed' ? '成团失败（未达最低人数，无需付款）' : '已成团'],
    ...(callOff ? [['团购已取消', `${callOff.cancelReason}（${callOff.cancelledAt}）；已付款项全部退回`]] : []),
  ];
}

export function settlementCsvFooter(summary: SettlementSummary): string {
  return settlementFooterRows(summary).map(csvRow).join('');
}
