import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';

/**
 * Large CSV exports: past the inline limit (lowered here so a few dozen rows cross it) the CSV is
 * streamed into the local S3 server and answered with 303 to a presigned URL, which really downloads.
 */
const INLINE_LIMIT = 2048;
let h: Harness;
let leader: { token: string; userId: string };
const auth = () => ({ authorization: `Bearer ${leader.token}` });

beforeAll(async () => {
  h = await harness({ exports: { inlineMaxBytes: INLINE_LIMIT } });
  leader = await h.login('leader', '团长老王');
});

/** A settled campaign with `n` entries; nicknames with commas and quotes so escaping survives the trip. */
async function settledCampaign(n: number) {
  h.clock.set(T0);
  const c = await h.createCampaign(leader.token, { minParticipants: 1 });
  const members = [];
  for (let i = 1; i <= n; i++) {
    const m = await h.login(`${c.id}-m${i}`, i % 7 === 0 ? `"邻居",${i}` : `邻居${i}`);
    const res = await h.call('POST', `/campaigns/${c.id}/entries`, {
      token: m.token,
      body: { items: [{ itemId: 'i1', qty: (i % 3) + 1 }], pickupPointId: 'p1', note: `楼${i}` },
    });
    expect(res.status).toBe(201);
    members.push(m);
  }
  expect((await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token })).status).toBe(200);
  expect((await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token })).status).toBe(200);
  return { c, members };
}

/** The bytes a presigned URL serves, with no credentials (what wx.downloadFile does). */
async function download(url: string) {
  const res = await fetch(url);
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { res, bytes, text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes) };
}

/** The same CSV answered inline: the app without object storage sends every CSV in the body. */
async function inlineCsv(path: string) {
  const bare = createApp({ ...h.deps, exports: undefined });
  const res = await bare.request(path, { headers: auth() });
  expect(res.status).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

const rowsOf = (text: string) => text.replace(/^\uFEFF/, '').split('\r\n');

describe('settlement.csv past the inline limit', () => {
  it('answers 303 See Other to a presigned URL; the download is the whole CSV with the BOM, every row and the totals', async () => {
    const n = 40;
    const { c } = await settledCampaign(n);
    const path = `/campaigns/${c.id}/settlement.csv?totals=1`;
    const res = await h.app.request(path, { headers: auth() });
    expect(res.status).toBe(303);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const location = res.headers.get('location')!;
    expect(new URL(location).pathname).toMatch(new RegExp(`/exports/${c.id}/settlement-[0-9a-f-]{36}\\.csv$`));

    const { res: got, bytes, text } = await download(location);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toContain('text/csv');
    expect(got.headers.get('content-disposition')).toContain(`settlement-${c.id}.csv`);
    expect(bytes.length).toBeGreaterThan(INLINE_LIMIT);
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = rowsOf(text);
    expect(rows[0]).toBe('接龙号,昵称,手机号,自提点,商品明细,件数,应付金额(元),备注,状态,已付(元),已退(元),差额(元)');
    const entryRows = rows.filter((r) => /^\d+,/.test(r));
    expect(entryRows.map((r) => Number(r.split(',')[0]))).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    // 80 units unlock the 50-unit tier: 32.90 each.
    expect(rows).toContain('7,"""邻居"",7",,3号楼门卫室,阳光玫瑰 2斤装(2斤)×2,2,65.80,楼7,有效,0.00,0.00,65.80');
    expect(text).toContain('参与人数,40');
    // Byte for byte what the body would have been.
    expect(Buffer.from(bytes).equals(Buffer.from(await inlineCsv(path)))).toBe(true);
  });

  it('?delivery=url answers JSON {url, expiresAt, bytes} even for a small CSV, which still comes inline without it', async () => {
    const { c } = await settledCampaign(2);
    const inline = await h.app.request(`/campaigns/${c.id}/settlement.csv`, { headers: auth() });
    expect(inline.status).toBe(200);
    expect(inline.headers.get('content-type')).toContain('text/csv');
    const inlineBytes = new Uint8Array(await inline.arrayBuffer());
    expect(rowsOf(new TextDecoder().decode(inlineBytes)).filter((r) => /^\d+,/.test(r))).toHaveLength(2);

    const before = Date.now();
    const link = await h.call('GET', `/campaigns/${c.id}/settlement.csv?delivery=url`, { token: leader.token });
    expect(link.status).toBe(200);
    expect(link.headers.get('content-type')).toContain('application/json');
    expect(Object.keys(link.body).sort()).toEqual(['bytes', 'expiresAt', 'url']);
    // Ten minutes from now (real time: S3 checks signatures against its own clock).
    const ttl = Date.parse(link.body.expiresAt) - before;
    expect(ttl).toBeGreaterThan(590_000);
    expect(ttl).toBeLessThanOrEqual(601_000);
    const { res, bytes } = await download(link.body.url);
    expect(res.status).toBe(200);
    expect(bytes.length).toBe(link.body.bytes);
    expect(Buffer.from(bytes).equals(Buffer.from(inlineBytes))).toBe(true);
  });

  it('the link is signed: a changed signature or key is refused', async () => {
    const { c } = await settledCampaign(1);
    const { url } = (await h.call('GET', `/campaigns/${c.id}/settlement.csv?delivery=url`, { token: leader.token })).body;
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(url.replace(/X-Amz-Signature=[0-9a-f]+/, `X-Amz-Signature=${'0'.repeat(64)}`))).status).toBe(403);
    expect((await fetch(url.replace('/settlement-', '/settlement-x'))).status).toBe(403);
  });

  it('only the leader and helpers get the file or a link', async () => {
    const { c, members } = await settledCampaign(1);
    for (const q of ['', '?delivery=url']) {
      expect((await h.call('GET', `/campaigns/${c.id}/settlement.csv${q}`)).status).toBe(401);
      expect((await h.call('GET', `/campaigns/${c.id}/settlement.csv${q}`, { token: members[0]!.token })).status).toBe(403);
      expect((await h.call('GET', `/campaigns/${c.id}/payments.csv${q}`, { token: members[0]!.token })).status).toBe(403);
    }
  });

  it('without object storage configured, ?delivery=url is 503 SERVICE_UNAVAILABLE (no half-made link)', async () => {
    const { c } = await settledCampaign(1);
    const bare = createApp({ ...h.deps, exports: undefined });
    const res = await bare.request(`/campaigns/${c.id}/settlement.csv?delivery=url`, { headers: auth() });
    expect(res.status).toBe(503);
    expect(((await res.json()) as any).error.code).toBe('SERVICE_UNAVAILABLE');
  });
});

describe('payments.csv past the inline limit', () => {
  it('answers 303 to the whole collection sheet: every line, then the totals', async () => {
    const n = 40;
    const { c } = await settledCampaign(n);
    const path = `/campaigns/${c.id}/payments.csv`;
    const res = await h.app.request(path, { headers: auth() });
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(new URL(location).pathname).toMatch(new RegExp(`/exports/${c.id}/payments-[0-9a-f-]{36}\\.csv$`));
    const { res: got, bytes, text } = await download(location);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-disposition')).toContain(`payments-${c.id}.csv`);
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = rowsOf(text);
    expect(rows[0]).toBe('接龙号,昵称,状态,应付(元),已付(元),已退(元),差额(元),收款状态');
    expect(rows.filter((r) => /^\d+,/.test(r)).map((r) => Number(r.split(',')[0]))).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(rows.find((r) => r.startsWith('合计,'))).toBeDefined();
    expect(Buffer.from(bytes).equals(Buffer.from(await inlineCsv(path)))).toBe(true);

    const link = await h.call('GET', `${path}?delivery=url`, { token: leader.token });
    expect(link.status).toBe(200);
    const again = await download(link.body.url);
    expect(again.bytes.length).toBe(link.body.bytes);
    expect(Buffer.from(again.bytes).equals(Buffer.from(bytes))).toBe(true);
  });
});
