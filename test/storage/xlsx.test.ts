import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { columnName, type XlsxCell, xlsxChunks } from '../../shared/spreadsheets/index.js';

/** The streamed xlsx writer, read back by a real spreadsheet library (exceljs), as a leader's phone would open it. */
async function bytesOf(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

async function* rowsOf(rows: readonly (readonly XlsxCell[])[]) {
  for (const r of rows) yield r;
}

async function read(buffer: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer as unknown as ArrayBuffer);
  return wb;
}

describe('xlsxChunks', () => {
  it('writes texts (Chinese, emoji, XML specials), counts and yuan that a spreadsheet reads back exactly', async () => {
    const rows: XlsxCell[][] = [
      ['接龙号', '昵称', '商品明细', '件数', '应付金额(元)'],
      [1, '王小明 🍇', '阳光玫瑰 2斤装(2斤)×2；鸡蛋×1', 3, { fen: 9470 }],
      [2, '<b>&"李"</b>', '=HYPERLINK("http://x")', 1, { fen: 5 }],
      [3, 'tab\there\u0001bell', null, 0, { fen: -1200 }],
    ];
    const wb = await read(await bytesOf(xlsxChunks('结算 c_123', rowsOf(rows))));
    const ws = wb.worksheets[0]!;
    expect(ws.name).toBe('结算 c_123');
    expect(ws.getRow(1).values).toEqual([undefined, '接龙号', '昵称', '商品明细', '件数', '应付金额(元)']);
    expect(ws.getCell('B2').value).toBe('王小明 🍇');
    expect(ws.getCell('C2').value).toBe('阳光玫瑰 2斤装(2斤)×2；鸡蛋×1');
    expect(ws.getCell('D2').value).toBe(3);
    expect(ws.getCell('E2').value).toBe(94.7);
    expect(ws.getCell('E2').numFmt).toBe('0.00');
    expect(ws.getCell('B3').value).toBe('<b>&"李"</b>');
    // A text that looks like a formula stays text: no formula in the cell.
    expect(ws.getCell('C3').value).toBe('=HYPERLINK("http://x")');
    expect(ws.getCell('C3').formula).toBeUndefined();
    expect(ws.getCell('E3').value).toBe(0.05);
    expect(ws.getCell('B4').value).toBe('tab\therebell'); // a control character XML cannot hold is dropped
    expect(ws.getCell('C4').value).toBeNull();
    expect(ws.getCell('E4').value).toBe(-12);
  });

  it('streams 20,000 rows into one valid file and a sheet name Excel accepts', async () => {
    async function* many() {
      yield ['接龙号', '昵称', '金额'] as XlsxCell[];
      for (let i = 1; i <= 20_000; i++) yield [i, `邻居${i}`, { fen: i * 3 }] as XlsxCell[];
    }
    const buffer = await bytesOf(xlsxChunks('a/b:c*d?e[f]g\\h — a very long sheet name indeed', many()));
    const ws = (await read(buffer)).worksheets[0]!;
    expect(ws.rowCount).toBe(20_001);
    expect(ws.getCell('B20001').value).toBe('邻居20000');
    expect(ws.getCell('C20001').value).toBe(600);
    expect(ws.name.length).toBeLessThanOrEqual(31);
    expect(ws.name).not.toMatch(/[[\]:*?/\\]/);
  });

  it('fails when the rows fail half-way, instead of ending a file that looks whole', async () => {
    async function* broken() {
      yield ['a'] as XlsxCell[];
      throw new Error('the table went away');
    }
    await expect(bytesOf(xlsxChunks('x', broken()))).rejects.toThrow('the table went away');
  });

  it('names columns past Z', () => {
    expect([0, 25, 26, 27, 51, 52, 701, 702].map(columnName)).toEqual(['A', 'Z', 'AA', 'AB', 'AZ', 'BA', 'ZZ', 'AAA']);
  });
});
