import { describe, expect, it } from 'vitest';
import { chinaDateTime, SHARE_PAGE_MAX_LINES, sharePageModel } from '../../functions/views/share-page-model.js';
import type { CampaignImage, ImageUrl } from '../../shared/domain/index.js';
import type { Entry } from '../../shared/domain/types.js';
import { definition, entry, item, pickup, state } from './fixtures.js';

const grapes = item({
  id: 'g',
  name: '阳光玫瑰',
  spec: '2斤装',
  unitPrice: 3990,
  stock: 100,
  tiers: [
    { threshold: 20, unitPrice: 3590 },
    { threshold: 40, unitPrice: 3290 },
  ],
});
const eggs = item({ id: 'e', name: '土鸡蛋', unitPrice: 1290, stock: null });
const def = definition({ items: [grapes, eggs], pickupPoints: [pickup('p1', '3号楼门卫室')] });
const NOW = new Date('2026-12-02T00:00:00.000Z');

const line = (seq: number, over: Partial<Entry> = {}) =>
  entry({ id: `e${seq}`, seq, userId: `u${seq}`, items: [{ itemId: 'g', qty: 1 }], ...over });

const model = (over: Partial<Parameters<typeof sharePageModel>[0]> = {}) =>
  sharePageModel({ def, state: state({ participants: 0 }), entries: [], now: NOW, wxacode: false, ...over });

describe('sharePageModel', () => {
  it('shows each item with its price now and the tier phrase the chat copy uses', () => {
    const m = model({ state: state({ participants: 5, sold: { g: 37, e: 4 } }) });
    expect(m.items).toEqual([
      { name: '阳光玫瑰 2斤装', price: '¥35.90', basePrice: '¥39.90', tier: '再 3 份解锁 ¥32.90', stock: '剩 63 份', photos: [] },
      { name: '土鸡蛋', price: '¥12.90', basePrice: null, tier: '单价 ¥12.90', stock: null, photos: [] },
    ]);
    expect(m.participants).toBe('已接龙 5 人');
  });

  it('says the lowest price is reached at the top tier, and sold out at zero stock', () => {
    const m = model({ state: state({ participants: 9, sold: { g: 100 } }) });
    expect(m.items[0]).toEqual({
      name: '阳光玫瑰 2斤装',
      price: '¥32.90',
      basePrice: '¥39.90',
      tier: '已达最低价 ¥32.90',
      stock: '已售罄',
      photos: [],
    });
  });

  it('counts people when the tiers count participants', () => {
    const m = model({ def: { ...def, tierBasis: 'participants' }, state: state({ participants: 18, sold: { g: 40 } }) });
    expect(m.items[0]!.tier).toBe('再 2 人解锁 ¥35.90');
  });

  it('masks every name and never carries a phone, a user id or a non-active line', () => {
    const m = model({
      state: state({ participants: 2, sold: { g: 3 } }),
      entries: [
        line(1, { nickname: '王小明', phone: '13800138000', items: [{ itemId: 'g', qty: 2 }], pickupPointId: 'p1' }),
        line(2, { nickname: '赵六', status: 'cancelled' }),
        line(3, { nickname: '钱七', status: 'pending_payment' }),
        line(4, { nickname: '李四', note: '晚上\n取' }),
      ],
    });
    expect(m.lines).toEqual(['1. 王* 阳光玫瑰 2斤装×2 3号楼门卫室', '4. 李* 阳光玫瑰 2斤装×1 备注: 晚上 取']);
    expect(m.more).toBeNull();
    expect(JSON.stringify(m)).not.toMatch(/13800138000|小明|赵|钱|u1/);
  });

  it('keeps an emoji nickname whole when masking it, and long names as they are (the page wraps them)', () => {
    const long = '超'.repeat(60);
    const m = model({
      def: { ...def, title: `🍇${long}`, items: [{ ...grapes, name: long, spec: null }] },
      entries: [line(1, { nickname: '👨‍👩‍👧 一家人' }), line(2, { nickname: '🍇葡萄' })],
    });
    // One code point kept: the family emoji's first person, never half a surrogate pair.
    expect(m.lines).toEqual([`1. 👨* ${long}×1`, `2. 🍇* ${long}×1`]);
    expect(m.title).toBe(`🍇${long}`);
    expect(m.items[0]!.name).toBe(long);
  });

  it(`cuts the list at ${SHARE_PAGE_MAX_LINES} lines with "…共 N 人" from the live count`, () => {
    const entries = Array.from({ length: 130 }, (_, i) => line(i + 1, { nickname: `邻居${i + 1}` }));
    const m = model({ state: state({ participants: 131, sold: { g: 131 } }), entries });
    expect(m.lines).toHaveLength(SHARE_PAGE_MAX_LINES);
    expect(m.lines.at(-1)).toBe('100. 邻* 阳光玫瑰 2斤装×1');
    expect(m.more).toBe('…共 131 人');
    // Exactly at the cap: nothing is cut.
    expect(model({ state: state({ participants: 100 }), entries: entries.slice(0, 100) }).more).toBeNull();
    // Never fewer than the lines seen, even if the counter lags the list read.
    expect(model({ state: state({ participants: 3 }), entries, maxLines: 5 }).more).toBe('…共 130 人');
  });

  it('formats the deadline in Asia/Shanghai time, across the date line', () => {
    expect(model().deadline).toBe('12月3日 20:00 截止');
    expect(chinaDateTime('2026-12-31T16:05:00.000Z')).toBe('1月1日 00:05');
    expect(chinaDateTime('2026-03-08T15:59:59.000Z')).toBe('3月8日 23:59');
  });

  it('names the status: open, not yet open, closed by the clock or the leader, settled, failed', () => {
    expect([model().status, model().statusLabel]).toEqual(['open', '接龙中']);
    expect(model({ now: new Date('2026-11-30T00:00:00.000Z') }).statusLabel).toBe('未开始');
    const late = model({ now: new Date('2026-12-03T12:00:00.000Z') });
    expect([late.status, late.statusLabel]).toEqual(['closed', '已截止']);
    expect(model({ state: state({ status: 'closed' }) }).statusLabel).toBe('已截止');
    expect(model({ state: state({ status: 'settled' }) }).statusLabel).toBe('已成团');
    expect(model({ state: state({ status: 'failed' }) }).statusLabel).toBe('未成团');
  });

  it("points the code at the API's own 小程序码 when WeChat is configured, else a placeholder with the share code", () => {
    expect(model({ wxacode: true }).code).toEqual({ kind: 'wxacode', src: '../campaigns/c1/wxacode?ref=none' });
    expect(model().code).toEqual({ kind: 'placeholder', shareCode: 'ABCD2345' });
  });

  it('shows the cover and item photos WeChat passed (list size, with proportions), never pending or rejected ones', () => {
    const checked = (result: 'pass' | 'pending' | 'risky') => ({ traceId: 't', result });
    const photo = (id: string, list: 'pass' | 'pending' | 'risky', detail: 'pass' | 'pending' | 'risky' = 'pass'): CampaignImage => ({
      id,
      contentType: 'image/jpeg',
      width: { list: 750, detail: 1500 },
      height: { list: 500, detail: 1000 },
      bytes: { list: 90_000, detail: 400_000 },
      checks: { list: checked(list), detail: checked(detail) },
      attachedBy: 'u0',
      attachedAt: NOW.toISOString(),
    });
    const withPhotos = definition({
      items: [{ ...grapes, imageIds: ['u_a', 'u_b', 'u_c'] }, eggs],
      pickupPoints: [pickup('p1', '3号楼门卫室')],
      images: {
        u_cover: photo('u_cover', 'pass'),
        u_a: photo('u_a', 'pass'),
        u_b: photo('u_b', 'pending'),
        u_c: photo('u_c', 'pass', 'risky'),
      },
      coverImageId: 'u_cover',
    });
    const url: ImageUrl = (c, i, v) => `https://img.example.cn/${c}/${i}/${v}`;
    const m = model({ def: withPhotos, imageUrl: url });
    expect(m.cover).toEqual({ src: 'https://img.example.cn/c1/u_cover/list', width: 1500, height: 1000 });
    expect(m.items[0]!.photos.map((p) => p.src)).toEqual(['https://img.example.cn/c1/u_a/list']);
    expect(m.items[1]!.photos).toEqual([]);
    // Photos off on this server (no URL to serve them from): none shown, whatever the definition holds.
    expect(model({ def: withPhotos }).cover).toBeNull();
    expect(model().cover).toBeNull();
  });
});
