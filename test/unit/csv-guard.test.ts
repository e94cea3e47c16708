import { describe, expect, it } from 'vitest';
import { type PaymentLine, paymentsCsv, settlementCsvRow } from '../../shared/domain/index.js';
import type { SettlementEntry } from '../../shared/domain/settlement.js';
import { definition, item, pickup } from './fixtures.js';

/**
 * The formula guard both CSV builders share. Spreadsheets skip leading blanks and control characters before
 * deciding a cell is a formula (OWASP "CSV Injection": also tab 0x09 and carriage return 0x0D), so a
 * nickname like "\t=HYPERLINK(...)" or "  =1+1" must be prefixed with ' as well.
 */
const CASES = [
  { name: 'tab alone', value: '\t=1+1', shown: "'\t=1+1" },
  { name: 'tab before text', value: '\tHYPERLINK', shown: "'\tHYPERLINK" },
  { name: 'carriage return before =', value: "\r=cmd|' /C calc'!A0", shown: "'\r=cmd|' /C calc'!A0" },
  { name: 'carriage return alone', value: '\rabc', shown: "'\rabc" },
  { name: 'spaces before =', value: '  =HYPERLINK("http://evil.example")', shown: `'  =HYPERLINK("http://evil.example")` },
  { name: 'space before +', value: ' +1+1', shown: "' +1+1" },
  { name: 'spaces before -', value: '   -2+3', shown: "'   -2+3" },
  { name: 'space before @', value: ' @SUM(A1:A9)', shown: "' @SUM(A1:A9)" },
  { name: 'tab and spaces before =', value: ' \t =1', shown: "' \t =1" },
  { name: 'ideographic space before =', value: '\u3000=1+1', shown: "'\u3000=1+1" },
  // still harmless and left alone
  { name: 'inner space before =', value: 'a =b', shown: 'a =b' },
  { name: 'leading spaces before text', value: '  王小明', shown: '  王小明' },
  { name: 'plain number', value: '-10.30', shown: '-10.30' },
];

/** Reads one CSV record (RFC 4180 quoting) without trusting the module under test. */
function firstRecord(text: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      out.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      out.push(field);
      return out;
    } else field += ch;
  }
  throw new Error('no CRLF-terminated record');
}

const def = definition({ items: [item({ id: 'g', name: '阳光玫瑰', unitPrice: 100 })], pickupPoints: [pickup('p1', '门卫室')] });

function bill(overrides: Partial<SettlementEntry>): SettlementEntry {
  return {
    entryId: 'e1',
    seq: 1,
    userId: 'u1',
    nickname: '王小明',
    phone: null,
    pickupPointId: 'p1',
    note: null,
    items: [{ itemId: 'g', qty: 1, unitPrice: 100, amount: 100 }],
    amount: 100,
    pointsDiscount: 0,
    pointsUsed: 0,
    ...overrides,
  };
}

function line(nickname: string): PaymentLine {
  return {
    entryId: 'e1',
    seq: 1,
    userId: 'u1',
    nickname,
    entryStatus: 'active',
    amountDue: 100,
    estimated: false,
    pointsDiscount: 0,
    paid: 0,
    refunded: 0,
    balance: 100,
    state: 'unpaid',
  };
}

const TOTALS = { amountDue: 100, paid: 0, refunded: 0, balance: 100, toCollect: 100, toRefund: 0, entries: 1, paidEntries: 0 };

describe('CSV formula guard: leading tab, carriage return, or blanks before = + - @', () => {
  it.each(CASES)('settlement CSV, $name', ({ value, shown }) => {
    expect(firstRecord(settlementCsvRow(def, bill({ nickname: value })))[1]).toBe(shown);
    expect(firstRecord(settlementCsvRow(def, bill({ note: value })))[7]).toBe(shown);
    expect(firstRecord(settlementCsvRow(def, bill({ phone: value })))[2]).toBe(shown);
  });

  it.each(CASES)('payments CSV, $name', ({ value, shown }) => {
    const csv = paymentsCsv([line(value)], TOTALS);
    const afterHeader = csv.slice(csv.indexOf('\r\n') + 2);
    expect(firstRecord(afterHeader)[1]).toBe(shown);
  });

  it('a guarded cell with a carriage return is still quoted, so the row stays one record', () => {
    const row = settlementCsvRow(def, bill({ nickname: '\r=1' }));
    expect(row.startsWith(`1,"'\r=1",`)).toBe(true);
  });
});
