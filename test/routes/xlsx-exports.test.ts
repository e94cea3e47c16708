import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, T0 } from '../helpers/harness.js';

/**
 * settlement.xlsx and payments.xlsx: the same rows as their CSVs, read back by a real spreadsheet
 * library, inline and through the local S3 server (the link wx.downloadFile fetches, then
 * wx.openDocument opens).
 */
let h: Harness;
let leader: { token: string; userId: string };
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

beforeAll(async () => {
  h = await harness({ exports: { inlineMaxBytes: 64 * 1024 } });
  leader = await h.login('xlsx-leader', '团长');
});

async function settledCampaign(n: number) {
  h.clock.set(T0);
  const c = await h.createCampaign(leader.token, { minParticipants: 1, title: '周六 阳光玫瑰/葡萄 团购' });
  for (let i = 1; i <= n; i++) {
    const m = await h.login(`${c.id}-m${i}`, i === 2 ? '=HYPERLINK("x") 🍇' : `邻居${i}`);
    const res = await h.call('POST', `/campaigns/${c.id}/entries`, {
      token: m.token,
      body: {
        items: [{ itemId: 'i1', qty: (i % 3) + 1 }],
        pickupPointId: 'p1',
        note: `楼${i}`,
        phone: `1380000${String(i).padStart(4, '0')}`,
      },
    });
    expect(res.status).toBe(201);
  }
  expect((await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token })).status).toBe(200);
  expect((await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token })).status).toBe(200);
  return c;
}

async function sheetOf(bytes: ArrayBuffer | Uint8Array) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(bytes as ArrayBuffer) as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  const rows: unknown[][] = [];
  ws.eachRow({ includeEmpty: true }, (row) => rows.push((row.values as unknown[]).slice(1)));
  return { ws, rows };
}

/** The CSV's rows as cells, for comparison: numbers where the xlsx has numbers. */
async function csvRows(path: string) {
  const res = await h.app.request(path, { headers: { authorization: `Bearer ${leader.token}` } });
  const text = (await res.text()).replace(/^\uFEFF/, '');
  // Every row ends in CRLF: the last piece is empty; the blank row before the totals is kept.
  return text.split('\r\n').slice(0, -1);
}

describe('settlement.xlsx', () => {
  it('holds the CSV’s rows, amounts as numbers with two decimals; a formula-looking name stays text', async () => {
    const c = await settledCampaign(5);
    const res = await h.app.request(`/campaigns/${c.id}/settlement.xlsx?totals=1`, {
      headers: { authorization: `Bearer ${leader.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(XLSX);
    expect(res.headers.get('content-disposition')).toContain(`settlement-${c.id}.xlsx`);
    expect(res.headers.get('content-disposition')).toContain(encodeURIComponent('周六 阳光玫瑰/葡萄 团购-结算.xlsx'));
    const { ws, rows } = await sheetOf(await res.arrayBuffer());
    expect(rows[0]).toEqual([
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
    ]);
    expect(rows[1]).toEqual([1, '邻居1', '13800000001', '3号楼门卫室', '阳光玫瑰 2斤装(2斤)×2', 2, 79.8, '楼1', '有效', 0, 0, 79.8]);
    expect(ws.getCell('B3').value).toBe('=HYPERLINK("x") 🍇');
    expect(ws.getCell('B3').formula).toBeUndefined();
    expect(ws.getCell('G2').numFmt).toBe('0.00');
    // Row for row what the CSV says (the CSV writes yuan as text with two decimals).
    const csv = await csvRows(`/campaigns/${c.id}/settlement.csv?totals=1`);
    expect(rows.length).toBe(csv.length);
    expect(rows.filter((r) => typeof r[0] === 'number').map((r) => r[0])).toEqual([1, 2, 3, 4, 5]);
    const total = rows.find((r) => r[0] === '合计')!;
    expect(csv.find((r) => r.startsWith('合计'))).toBe(`合计,,,,${(total[4] as number).toFixed(2)}`);
  });

  it('with delivery=url: a link to the stored workbook that downloads without credentials', async () => {
    const c = await settledCampaign(3);
    const res = await h.call('GET', `/campaigns/${c.id}/settlement.xlsx?delivery=url`, { token: leader.token });
    expect(res.status).toBe(200);
    expect(new URL(res.body.url).pathname).toMatch(new RegExp(`/exports/${c.id}/settlement-[0-9a-f-]{36}\\.xlsx$`));
    const got = await fetch(res.body.url);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe(XLSX);
    const bytes = new Uint8Array(await got.arrayBuffer());
    expect(bytes.length).toBe(res.body.bytes);
    const { rows } = await sheetOf(bytes);
    expect(rows.filter((r) => typeof r[0] === 'number')).toHaveLength(3);
  });

  it('is for the leader and helpers, after settlement', async () => {
    h.clock.set(T0);
    const open = await h.createCampaign(leader.token, { minParticipants: 1 });
    expect((await h.call('GET', `/campaigns/${open.id}/settlement.xlsx`, { token: leader.token })).status).toBe(404);
    const c = await settledCampaign(1);
    const stranger = await h.login('xlsx-stranger', '路人');
    expect((await h.call('GET', `/campaigns/${c.id}/settlement.xlsx`, { token: stranger.token })).status).toBe(403);
    expect((await h.call('GET', `/campaigns/${c.id}/settlement.xlsx`)).status).toBe(401);
  });
});

describe('payments.xlsx', () => {
  it('holds each line and the totals, amounts as numbers', async () => {
    const c = await settledCampaign(3);
    const res = await h.app.request(`/campaigns/${c.id}/payments.xlsx`, { headers: { authorization: `Bearer ${leader.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(XLSX);
    const { rows } = await sheetOf(await res.arrayBuffer());
    expect(rows[0]).toEqual(['接龙号', '昵称', '状态', '应付(元)', '已付(元)', '已退(元)', '差额(元)', '收款状态']);
    expect(rows[1]).toEqual([1, '邻居1', '有效', 79.8, 0, 0, 79.8, '未付']);
    const csv = await csvRows(`/campaigns/${c.id}/payments.csv`);
    expect(rows.length).toBe(csv.length);
    const due = rows.find((r) => r[0] === '待收(补款)')!;
    expect(csv).toContain(`待收(补款),${(due[1] as number).toFixed(2)}`);
  });
});
