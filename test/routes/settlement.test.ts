import { beforeAll, describe, expect, it } from 'vitest';
import { sweepAndWork } from '../../shared/jobs/index.js';
import { createLogger } from '../../shared/logger.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';

let h: Harness;
let leader: { token: string; userId: string };

beforeAll(async () => {
  h = await harness();
  leader = await h.login('leader', '团长老王');
});

async function campaignWith(
  joins: Array<{ who: string; qty: number; phone?: string; note?: string }>,
  overrides: Record<string, unknown> = {},
) {
  h.clock.set(T0);
  const c = await h.createCampaign(leader.token, overrides);
  const entries = [];
  for (const j of joins) {
    const m = await h.login(`${c.id}-${j.who}`, j.who);
    const res = await h.call('POST', `/campaigns/${c.id}/entries`, {
      token: m.token,
      body: {
        items: [{ itemId: 'i1', qty: j.qty }],
        pickupPointId: 'p1',
        ...(j.phone ? { phone: j.phone } : {}),
        ...(j.note ? { note: j.note } : {}),
      },
    });
    expect(res.status).toBe(201);
    entries.push({ ...res.body, token: m.token });
  }
  return { c, entries };
}

describe('close', () => {
  it('only the leader closes; closing twice is 200; closing a settled campaign is INVALID_STATE', async () => {
    const { c, entries } = await campaignWith([{ who: '甲', qty: 1 }]);
    const member = entries[0]!.token;
    expect((await h.call('POST', `/campaigns/${c.id}/close`, { token: member })).status).toBe(403);
    expect((await h.call('POST', `/campaigns/${c.id}/close`)).status).toBe(401);
    const first = await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token });
    expect(first.body).toMatchObject({ status: 'closed', acceptingEntries: false });
    expect((await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token })).status).toBe(200);
    await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token });
    const late = await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('INVALID_STATE');
  });
});

describe('settle', () => {
  it('an open campaign before its deadline cannot be settled', async () => {
    const { c } = await campaignWith([{ who: '甲', qty: 1 }]);
    const res = await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('INVALID_STATE');
    expect((await h.call('GET', `/campaigns/${c.id}/settlement`, { token: leader.token })).status).toBe(404);
  });

  it('everyone pays the tier the group reached; amounts, totals and seq order are right', async () => {
    // 5 + 5 + 5 + 5 = 20 units reaches the 20-unit tier (3590), not the 50 one.
    const { c, entries } = await campaignWith([
      { who: '王小明', qty: 5, phone: '13800000001' },
      { who: '李雷', qty: 5 },
      { who: '韩梅梅', qty: 5, note: '周日取' },
      { who: '赵四', qty: 5 },
      { who: '钱五', qty: 3 },
    ]);
    // 钱五 cancels: back to 20 units
    await h.call('DELETE', `/campaigns/${c.id}/entries/${entries[4]!.id}`, { token: entries[4]!.token });
    h.clock.set('2026-12-03T12:00:00.000Z'); // deadline passed, nobody closed it
    const res = await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      campaignId: c.id,
      status: 'settled',
      settledAt: '2026-12-03T12:00:00.000Z',
      items: [{ itemId: 'i1', name: '阳光玫瑰 2斤装', quantity: 20, finalUnitPrice: 3590, amount: 71800 }],
      total: 71800,
      entryCount: 4,
    });
    expect(res.body.entries.map((e: any) => [e.seq, e.nickname, e.amount])).toEqual([
      [1, '王小明', 17950],
      [2, '李雷', 17950],
      [3, '韩梅梅', 17950],
      [4, '赵四', 17950],
    ]);
    expect(res.body.entries[0]).toMatchObject({
      phone: '13800000001',
      pickupPointId: 'p1',
      items: [{ itemId: 'i1', qty: 5, unitPrice: 3590, amount: 17950 }],
    });
    const campaign = await h.call('GET', `/campaigns/${c.id}`);
    expect(campaign.body.status).toBe('settled');
  });

  it('is idempotent: settling again, later, returns the same stored settlement', async () => {
    const { c } = await campaignWith([
      { who: 'a', qty: 1 },
      { who: 'b', qty: 2 },
      { who: 'c', qty: 3 },
    ]);
    await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token });
    const first = await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token });
    h.clock.advance(86_400_000);
    const again = await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token });
    const stored = await h.call('GET', `/campaigns/${c.id}/settlement`, { token: leader.token });
    expect(again.body).toEqual(first.body);
    expect(stored.body).toEqual(first.body);
  });

  it('concurrent settles agree on one settlement', async () => {
    const { c } = await campaignWith([
      { who: 'a', qty: 1 },
      { who: 'b', qty: 2 },
      { who: 'c', qty: 3 },
    ]);
    await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token })),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(new Set(results.map((r) => r.body.settledAt)).size).toBe(1);
  });

  it('fails when fewer than minParticipants joined: status failed, every amount 0', async () => {
    const { c } = await campaignWith([
      { who: 'a', qty: 2 },
      { who: 'b', qty: 1 },
    ]);
    await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token });
    const res = await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token });
    expect(res.body).toMatchObject({ status: 'failed', total: 0, entryCount: 2, items: [{ quantity: 3, amount: 0 }] });
    expect(res.body.entries.every((e: any) => e.amount === 0 && e.items.every((l: any) => l.amount === 0))).toBe(true);
    expect((await h.call('GET', `/campaigns/${c.id}`)).body.status).toBe('failed');
  });

  it('participants basis: the tier follows the number of entries; a free 报名 list settles at 0', async () => {
    const { c } = await campaignWith(
      [
        { who: 'a', qty: 1 },
        { who: 'b', qty: 1 },
        { who: 'c', qty: 1 },
      ],
      {
        tierBasis: 'participants',
        minParticipants: 1,
        items: [
          {
            name: '拼团课',
            unitPrice: 10000,
            tiers: [
              { threshold: 3, unitPrice: 8000 },
              { threshold: 10, unitPrice: 6000 },
            ],
          },
        ],
      },
    );
    await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token });
    const res = await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token });
    expect(res.body.items[0]).toMatchObject({ finalUnitPrice: 8000, amount: 24000 });

    const free = await campaignWith([{ who: 'x', qty: 1 }], { minParticipants: 1, items: [{ name: '周末爬山报名', unitPrice: 0 }] });
    await h.call('POST', `/campaigns/${free.c.id}/close`, { token: leader.token });
    const freeRes = await h.call('POST', `/campaigns/${free.c.id}/settle`, { token: leader.token });
    expect(freeRes.body).toMatchObject({ status: 'settled', total: 0, entryCount: 1 });
  });

  it('only the leader settles and reads the settlement', async () => {
    const { c, entries } = await campaignWith([{ who: 'a', qty: 1 }]);
    await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token });
    expect((await h.call('POST', `/campaigns/${c.id}/settle`, { token: entries[0]!.token })).status).toBe(403);
    await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token });
    expect((await h.call('GET', `/campaigns/${c.id}/settlement`, { token: entries[0]!.token })).status).toBe(403);
    expect((await h.call('GET', `/campaigns/${c.id}/settlement.csv`, { token: entries[0]!.token })).status).toBe(403);
    expect((await h.call('GET', `/campaigns/${c.id}/settlement`)).status).toBe(401);
    expect((await h.call('GET', `/campaigns/c_unknown/settlement`, { token: leader.token })).status).toBe(404);
  });

  it('entries cannot change after settlement', async () => {
    const { c, entries } = await campaignWith([{ who: 'a', qty: 1 }]);
    await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token });
    await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token });
    const patch = await h.call('PATCH', `/campaigns/${c.id}/entries/${entries[0]!.id}`, {
      token: entries[0]!.token,
      body: { items: [{ itemId: 'i1', qty: 2 }] },
    });
    expect(patch.body.error.code).toBe('CAMPAIGN_NOT_OPEN');
    const cancel = await h.call('DELETE', `/campaigns/${c.id}/entries/${entries[0]!.id}`, { token: entries[0]!.token });
    expect(cancel.body.error.code).toBe('CAMPAIGN_NOT_OPEN');
  });
});

describe('settlement.csv', () => {
  it('is UTF-8 with BOM, Chinese headers, one row per active entry in seq order, and totals', async () => {
    const { c, entries } = await campaignWith([
      { who: '王小明', qty: 2, phone: '13800000001', note: '放门卫, 谢谢' },
      { who: '李雷', qty: 1 },
      { who: '韩梅梅', qty: 3 },
    ]);
    await h.call('DELETE', `/campaigns/${c.id}/entries/${entries[1]!.id}`, { token: entries[1]!.token });
    h.clock.set('2026-12-03T12:00:00.000Z');
    await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token });
    // settled with 2 active entries < minParticipants 3 → failed; make one that succeeds instead
    const ok = await campaignWith([
      { who: '王小明', qty: 2, phone: '13800000001', note: '放门卫, 谢谢' },
      { who: '李雷', qty: 1 },
      { who: '韩梅梅', qty: 3 },
    ]);
    await h.call('POST', `/campaigns/${ok.c.id}/close`, { token: leader.token });
    await h.call('POST', `/campaigns/${ok.c.id}/settle`, { token: leader.token });
    const res = await h.app.request(`/campaigns/${ok.c.id}/settlement.csv?totals=1`, {
      headers: { authorization: `Bearer ${leader.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes).slice(1);
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('接龙号,昵称,手机号,自提点,商品明细,件数,应付金额(元),备注,状态,已付(元),已退(元),差额(元)');
    expect(lines[1]).toBe('1,王小明,13800000001,3号楼门卫室,阳光玫瑰 2斤装(2斤)×2,2,79.80,"放门卫, 谢谢",有效,0.00,0.00,79.80');
    expect(lines[2]).toBe('2,李雷,,3号楼门卫室,阳光玫瑰 2斤装(2斤)×1,1,39.90,,有效,0.00,0.00,39.90');
    expect(lines[3]).toBe('3,韩梅梅,,3号楼门卫室,阳光玫瑰 2斤装(2斤)×3,3,119.70,,有效,0.00,0.00,119.70');
    expect(text).toContain('合计,,,,239.40');

    // Without totals: exactly the header and one row per active entry.
    const plain = await h.app.request(`/campaigns/${ok.c.id}/settlement.csv`, { headers: { authorization: `Bearer ${leader.token}` } });
    const plainLines = (await plain.text())
      .replace(/^\uFEFF/, '')
      .split('\r\n')
      .filter((l) => l !== '');
    expect(plainLines).toEqual(lines.slice(0, 4));
    const failed = await h.app.request(`/campaigns/${c.id}/settlement.csv?totals=true`, {
      headers: { authorization: `Bearer ${leader.token}` },
    });
    const failedText = await failed.text();
    expect(failedText.split('\r\n').filter((l) => /^\d+,/.test(l))).toHaveLength(2);
    expect(failedText).toContain('成团失败');
  });
});

describe('deadline sweep', () => {
  it('settles campaigns past closesAt without anyone pressing a button, once', async () => {
    const due = await campaignWith([
      { who: 'a', qty: 1 },
      { who: 'b', qty: 1 },
      { who: 'c', qty: 1 },
    ]);
    const notDue = await campaignWith([{ who: 'a', qty: 1 }], { closesAt: '2026-12-10T00:00:00.000Z' });
    h.clock.set('2026-12-03T12:00:00.000Z');
    const report = await sweepAndWork(h.db, createLogger('silent'), h.deps.money);
    expect(report.settled).toContain(due.c.id);
    expect(report.settled).not.toContain(notDue.c.id);
    expect(report.failed).toEqual([]);
    expect((await h.call('GET', `/campaigns/${due.c.id}`)).body.status).toBe('settled');
    expect((await h.call('GET', `/campaigns/${notDue.c.id}`)).body.status).toBe('open');
    const again = await sweepAndWork(h.db, createLogger('silent'), h.deps.money);
    expect(again.settled).not.toContain(due.c.id);
  });
});

describe('settlement pages', () => {
  it('pages the entries with limit and cursor; the summary is complete on every page', async () => {
    const joins = Array.from({ length: 7 }, (_, i) => ({ who: `页${i}`, qty: 1 }));
    const { c, entries } = await campaignWith(joins);
    await h.call('DELETE', `/campaigns/${c.id}/entries/${entries[2]!.id}`, { token: entries[2]!.token });
    await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token });
    const first = await h.call('POST', `/campaigns/${c.id}/settle?limit=3`, { token: leader.token });
    expect(first.body.entries.map((e: any) => e.seq)).toEqual([1, 2, 4]);
    expect(first.body).toMatchObject({ entryCount: 6, total: 6 * 3990 });
    const seqs = [...first.body.entries.map((e: any) => e.seq)];
    let cursor = first.body.nextCursor;
    while (cursor) {
      const page = await h.call('GET', `/campaigns/${c.id}/settlement?limit=3&cursor=${cursor}`, { token: leader.token });
      expect(page.body).toMatchObject({ entryCount: 6, total: 6 * 3990 });
      seqs.push(...page.body.entries.map((e: any) => e.seq));
      cursor = page.body.nextCursor;
    }
    expect(seqs).toEqual([1, 2, 4, 5, 6, 7]);
    const all = await h.call('GET', `/campaigns/${c.id}/settlement`, { token: leader.token });
    expect(all.body.nextCursor).toBeNull();
    expect(all.body.entries).toHaveLength(6);
    expect((await h.call('GET', `/campaigns/${c.id}/settlement?limit=0`, { token: leader.token })).status).toBe(400);
  });
});
