import { csvRow, UTF8_BOM } from './csv.js';
import type { PaymentLine, PaymentTotals } from './payment-view.js';
import { formatYuan } from './pricing.js';

const HEADERS = ['接龙号', '昵称', '状态', '应付(元)', '已付(元)', '已退(元)', '差额(元)', '收款状态'];
const STATE_LABEL = { unpaid: '未付', partial: '部分付款', paid: '已付清', overpaid: '多付待退' } as const;

/** The leader's collection sheet: each line, then the totals (what to collect, what to give back). */
export function paymentsCsv(lines: readonly PaymentLine[], totals: PaymentTotals): string {
  return paymentsCsvHeader() + lines.map(paymentsCsvRow).join('') + paymentsCsvFooter(totals);
}

// The same sheet in three pieces, so an export can write it row by row as the lines are read.
export function paymentsCsvHeader(): string {
  return UTF8_BOM + csvRow(HEADERS);
}

export function paymentsCsvRow(l: PaymentLine): string {
  return csvRow([
    l.seq,
    l.nickname,
    l.entryStatus === 'active' ? '有效' : '已取消',
    formatYuan(l.amountDue),
    formatYuan(l.paid),
    formatYuan(l.refunded),
    formatYuan(l.balance),
    STATE_LABEL[l.state],
  ]);
}

export function paymentsCsvFooter(totals: PaymentTotals): string {
  let out = csvRow([]);
  out += csvRow([
    '合计',
    '',
    '',
    formatYuan(totals.amountDue),
    formatYuan(totals.paid),
    formatYuan(totals.refunded),
    formatYuan(totals.balance),
    '',
  ]);
  out += csvRow(['待收(补款)', formatYuan(totals.toCollect)]);
  out += csvRow(['待退(退款)', formatYuan(totals.toRefund)]);
  return out;
}
