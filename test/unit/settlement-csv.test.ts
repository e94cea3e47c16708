import { describe, expect, it } from 'vitest';
import { UTF8_BOM } from '../../shared/domain/csv.js';
import type { SettlementEntry, SettlementSummary } from '../../shared/domain/settlement.js';
import { settlementCsvFooter, settlementCsvHeader, settlementCsvRow } from '../../shared/domain/settlement-csv.js';
import { definition, item, pickup } from './fixtures.js';

/** RFC 4180 reader, written independently of the module: quoted fields, "" escapes, CRLF records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"' && field === '') {
      quoted = true;
    } else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else if (ch === '"' || ch === '\r' || ch === '\n') {
      throw new Error(`bare ${JSON.stringify(ch)} outside quotes at ${i}: not valid CSV`);
    } else {
      field += ch;
    }
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (field !== '' || record.length > 0) throw new Error('last record does not end with CRLF');
  return records;
}

const def = definition({
  items: [
    item({ id: 'g', name: '阳光玫瑰', spec: '2斤', unitPrice: 3990 }),
    item({ id: 'e', name: '土鸡蛋', spec: null, unitPrice: 1290 }),
  ],
  pickupPoints: [pickup('p1', '3号楼门卫室'), pickup('p2', '南门, 快递柜')],
});

function bill(overrides: Partial<SettlementEntry> = {}): SettlementEntry {
  return {
    entryId: 'e1',
    seq: 1,
    userId: 'u1',
    nickname: '王小明',
    phone: '13800138000',
    pickupPointId: 'p1',
    note: '放门口',
    items: [
      { itemId: 'g', qty: 2, unitPrice: 3590, amount: 7180 },
      { itemId: 'e', qty: 1, unitPrice: 1290, amount: 1290 },
    ],
    amount: 8470,
    pointsDiscount: 0,
    pointsUsed: 0,
    ...overrides,
  };
}

const HEADER = [
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

describe('settlementCsvHeader', () => {
  it('starts with the UTF-8 BOM so Excel reads Chinese text', () => {
    const header = settlementCsvHeader();
    expect(UTF8_BOM).toBe('\uFEFF');
    expect(header.charCodeAt(0)).toBe(0xfeff);
    expect(Buffer.from(header, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('is one CRLF-terminated row of Chinese column names', () => {
    const header = settlementCsvHeader();
    expect(header.endsWith('\r\n')).toBe(true);
    expect(parseCsv(header.slice(1))).toEqual([HEADER]);
  });
});

describe('settlementCsvRow: one row per entry', () => {
  it('lays out seq, nickname, phone, pickup point name, item detail, units, amount in yuan, note, status', () => {
    const records = parseCsv(settlementCsvRow(def, bill()));
    expect(records).toEqual([
      ['1', '王小明', '13800138000', '3号楼门卫室', '阳光玫瑰(2斤)×2；土鸡蛋×1', '3', '84.70', '放门口', '有效', '0.00', '0.00', '84.70'],
    ]);
    expect(records[0]).toHaveLength(HEADER.length);
  });

  it('leaves null phone, pickup point and note empty', () => {
    const records = parseCsv(settlementCsvRow(def, bill({ phone: null, pickupPointId: null, note: null })));
    expect(records[0]).toEqual(['1', '王小明', '', '', '阳光玫瑰(2斤)×2；土鸡蛋×1', '3', '84.70', '', '有效', '0.00', '0.00', '84.70']);
  });

  it('appends paid, refunded and the balance (negative: owed back); a negative number is not mistaken for a formula', () => {
    const records = parseCsv(settlementCsvRow(def, bill(), { paid: 10_000, refunded: 500 }));
    expect(records[0]!.slice(-3)).toEqual(['100.00', '5.00', '-10.30']);
  });

  it('prints a free entry as 0.00', () => {
    const records = parseCsv(settlementCsvRow(def, bill({ items: [{ itemId: 'e', qty: 4, unitPrice: 0, amount: 0 }], amount: 0 })));
    expect(records[0]?.[4]).toBe('土鸡蛋×4');
    expect(records[0]?.[5]).toBe('4');
    expect(records[0]?.[6]).toBe('0.00');
  });

  it('quotes a pickup point name that contains a comma', () => {
    const line = settlementCsvRow(def, bill({ pickupPointId: 'p2' }));
    expect(line).toContain(',"南门, 快递柜",');
    expect(parseCsv(line)[0]?.[3]).toBe('南门, 快递柜');
  });

  describe('CSV quoting: a nickname or note with a comma, quote or line break stays one cell', () => {
    it.each([
      { name: 'plain Chinese text is not quoted', value: '王小明', raw: '王小明' },
      { name: 'comma', value: '张三,李四', raw: '"张三,李四"' },
      { name: 'double quote', value: '说"你好"', raw: '"说""你好"""' },
      { name: 'line feed', value: '第一行\n第二行', raw: '"第一行\n第二行"' },
      { name: 'CRLF', value: 'a\r\nb', raw: '"a\r\nb"' },
      { name: 'lone carriage return', value: 'a\rb', raw: '"a\rb"' },
      { name: 'quote and comma together', value: '"a",b', raw: '"""a"",b"' },
    ])('$name', ({ value, raw }) => {
      const nickLine = settlementCsvRow(def, bill({ nickname: value }));
      expect(nickLine.startsWith(`1,${raw},13800138000,`)).toBe(true);
      const noteLine = settlementCsvRow(def, bill({ note: value }));
      expect(noteLine.endsWith(`,84.70,${raw},有效,0.00,0.00,84.70\r\n`)).toBe(true);
      const nickRecords = parseCsv(nickLine);
      expect(nickRecords).toHaveLength(1);
      expect(nickRecords[0]?.[1]).toBe(value);
      expect(nickRecords[0]).toHaveLength(HEADER.length);
      expect(parseCsv(noteLine)[0]?.[7]).toBe(value);
    });
  });

  describe('formula injection: a cell starting with = + - @ is prefixed so it stays text', () => {
    it.each([
      { value: '=HYPERLINK("http://evil.example","点我")', shown: `'=HYPERLINK("http://evil.example","点我")` },
      { value: '=1+1', shown: "'=1+1" },
      { value: '+86 138 0013 8000', shown: "'+86 138 0013 8000" },
      { value: '-2+3', shown: "'-2+3" },
      { value: '@SUM(A1:A9)', shown: "'@SUM(A1:A9)" },
      { value: "=cmd|' /C calc'!A0", shown: "'=cmd|' /C calc'!A0" },
      // not at the start: harmless, left alone
      { value: 'a=b', shown: 'a=b' },
      { value: '王+1', shown: '王+1' },
      { value: 'x@example.com', shown: 'x@example.com' },
    ])('$value → $shown', ({ value, shown }) => {
      const asNickname = parseCsv(settlementCsvRow(def, bill({ nickname: value })))[0];
      const asNote = parseCsv(settlementCsvRow(def, bill({ note: value })))[0];
      const asPhone = parseCsv(settlementCsvRow(def, bill({ phone: value })))[0];
      expect(asNickname?.[1]).toBe(shown);
      expect(asNote?.[7]).toBe(shown);
      expect(asPhone?.[2]).toBe(shown);
      expect(asNickname).toHaveLength(HEADER.length);
    });

    it('also guards item and pickup point names chosen by the leader', () => {
      const evil = definition({
        items: [item({ id: 'x', name: '=EVIL()', spec: null })],
        pickupPoints: [pickup('px', '@evil')],
      });
      const record = parseCsv(
        settlementCsvRow(evil, bill({ pickupPointId: 'px', items: [{ itemId: 'x', qty: 1, unitPrice: 100, amount: 100 }], amount: 100 })),
      )[0];
      expect(record?.[3]).toBe("'@evil");
      expect(record?.[4]).toBe("'=EVIL()×1");
    });
  });
});

describe('settlementCsvFooter: blank line, per-item purchase list, totals in yuan', () => {
  const summary: SettlementSummary = {
    campaignId: 'c1',
    status: 'settled',
    settledAt: '2026-12-03T12:00:05.000Z',
    entryCount: 3,
    items: [
      { itemId: 'g', name: '阳光玫瑰', spec: '2斤', quantity: 22, finalUnitPrice: 3590, amount: 78_980 },
      { itemId: 'e', name: '土鸡蛋', spec: null, quantity: 3, finalUnitPrice: 1290, amount: 3_870 },
    ],
    total: 82_850,
  };

  it('settled group', () => {
    const records = parseCsv(settlementCsvFooter(summary));
    expect(records[0]).toEqual(['']);
    expect(records[1]).toEqual(['商品', '规格', '总数量', '成交单价(元)', '小计(元)']);
    expect(records[2]).toEqual(['阳光玫瑰', '2斤', '22', '35.90', '789.80']);
    expect(records[3]).toEqual(['土鸡蛋', '', '3', '12.90', '38.70']);
    expect(records[4]).toEqual(['合计', '', '', '', '828.50']);
    expect(records[5]).toEqual(['参与人数', '3']);
    expect(records[6]?.[0]).toBe('结算状态');
    expect(records[6]?.[1]).toContain('成团');
    expect(records[6]?.[1]).not.toContain('失败');
    expect(records).toHaveLength(7);
  });

  it('failed group: zero total and a status line that says it failed', () => {
    const failed: SettlementSummary = {
      ...summary,
      status: 'failed',
      entryCount: 2,
      items: summary.items.map((i) => ({ ...i, amount: 0 })),
      total: 0,
    };
    const records = parseCsv(settlementCsvFooter(failed));
    expect(records[2]?.[4]).toBe('0.00');
    expect(records[3]?.[4]).toBe('0.00');
    expect(records[4]).toEqual(['合计', '', '', '', '0.00']);
    expect(records[5]).toEqual(['参与人数', '2']);
    expect(records[6]?.[1]).toContain('失败');
  });
});

describe('the whole sheet', () => {
  it('header, then exactly one row per active entry in the given order, then the footer', () => {
    const bills = [bill({ seq: 1, nickname: '甲' }), bill({ seq: 2, nickname: '乙,丙' }), bill({ seq: 5, nickname: '丁\n戊' })];
    const summary: SettlementSummary = {
      campaignId: 'c1',
      status: 'settled',
      settledAt: '2026-12-03T12:00:05.000Z',
      entryCount: 3,
      items: [],
      total: 3 * 8470,
    };
    const csv = settlementCsvHeader() + bills.map((b) => settlementCsvRow(def, b)).join('') + settlementCsvFooter(summary);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv.indexOf('\uFEFF', 1)).toBe(-1);
    const records = parseCsv(csv.slice(1));
    expect(records[0]).toEqual(HEADER);
    const blank = records.findIndex((r) => r.length === 1 && r[0] === '');
    const rows = records.slice(1, blank);
    expect(rows.map((r) => r[0])).toEqual(['1', '2', '5']);
    expect(rows.map((r) => r[1])).toEqual(['甲', '乙,丙', '丁\n戊']);
    for (const r of rows) expect(r).toHaveLength(HEADER.length);
    expect(records.find((r) => r[0] === '合计')?.[4]).toBe('254.10');
  });
});
