import { csvRow, type SheetCell, UTF8_BOM } from './csv.js';
import type { PaymentLine, PaymentTotals } from './payment-view.js';

export const PAYMENT_HEADERS = ['接龙号', '昵称', '状态', '应付(元)', '已付(元)', '已退(元)', '差额(元)', '收款状态'];
const STATE_LABEL = { unpaid: '未付', partial: '部分付款', paid: '已付清', overpaid: '多付待退' } as const;

/** The leader's collection sheet: each line, then the totals (what to collect, what to give back). */
export function paymentsCsv(lines: readonly PaymentLine[], totals: PaymentTotals): string {
  return UTF8_BOM + [PAYMENT_HEADERS, ...lines.map(paymentCells), ...paymentsFooterRows(totals)].map(csvRow).join('');
}

// The sheet's rows, so an export (CSV or xlsx) can write it row by row as the lines are read.

/** One line's row (CSV and xlsx). */
export function paymentCells(l: PaymentLine): SheetCell[] {
  return [
    l.seq,
    l.nickname,
    l.entryStatus === 'active' ? '有效' : '已取消',
    { fen: l.amountDue },
    { fen: l.paid },
    { fen: l.refunded },
    { fen: l.balance },
    STATE_LABEL[l.state],
  ];
}

/** The totals under the lines: what to collect, what to give back. */
export function paymentsFooterRows(totals: PaymentTotals): SheetCell[][] {
  return [
    [],
    ['合计', '', '', { fen: totals.amountDue }, { fen: totals.paid }, { fen: totals.refunded }, { fen: totals.balance }, ''],
    ['待收(补款)', { fen: totals.toCollect }],
    ['待退(退款)', { fen: totals.toRefund }],
  ];
}
