import { describe, expect, it } from 'vitest';
import { chatText, chatTextHeader, chatTextLine, flattenChatText } from '../../shared/domain/chat-text.js';
import type { Entry } from '../../shared/domain/types.js';
import { definition, entry, item, pickup, state } from './fixtures.js';

const grapes = item({
  id: 'g',
  name: '阳光玫瑰',
  spec: '2斤装',
  unitPrice: 3990,
  tiers: [
    { threshold: 20, unitPrice: 3590 },
    { threshold: 40, unitPrice: 3290 },
  ],
});
const def = definition({ items: [grapes], pickupPoints: [pickup('p1', '3号楼门卫室')] });

const line = (seq: number, over: Partial<Entry> = {}) =>
  entry({ id: `e${seq}`, seq, userId: `u${seq}`, items: [{ itemId: 'g', qty: 1 }], ...over });

describe('chatText', () => {
  it('is the list as leaders paste it: title, tier state, numbered lines', () => {
    const out = chatText({
      def,
      state: state({ participants: 2, sold: { g: 37 } }),
      entries: [
        line(1, { nickname: '王小明', items: [{ itemId: 'g', qty: 2 }], pickupPointId: 'p1' }),
        line(2, { nickname: '李四', note: '晚上取' }),
      ],
      fullNames: false,
    });
    expect(out.text).toBe(
      [
        '周六 阳光玫瑰葡萄 团购',
        '已接龙 37 份，再 3 份解锁 ¥32.90',
        '1. 王* 阳光玫瑰 2斤装×2 3号楼门卫室',
        '2. 李* 阳光玫瑰 2斤装×1 备注: 晚上取',
        '',
      ].join('\n'),
    );
    expect(out).toMatchObject({ lines: 2, truncated: false });
  });

  it('shows full names to staff, and leaves out cancelled, expired and unpaid lines keeping the numbers', () => {
    const out = chatText({
      def,
      state: state({ participants: 2, sold: { g: 2 } }),
      entries: [
        line(1, { nickname: '王小明' }),
        line(2, { status: 'cancelled' }),
        line(3, { status: 'expired' }),
        line(4, { status: 'pending_payment' }),
        line(5, { nickname: '李四' }),
      ],
      fullNames: true,
    });
    expect(out.text.split('\n').slice(2)).toEqual(['1. 王小明 阳光玫瑰 2斤装×1', '5. 李四 阳光玫瑰 2斤装×1', '']);
  });

  it('caps the list and ends with "…共 N 人"', () => {
    const entries = Array.from({ length: 5 }, (_, i) => line(i + 1));
    const out = chatText({ def, state: state({ participants: 6 }), entries, fullNames: false, maxLines: 3 });
    const rows = out.text.trimEnd().split('\n');
    expect(rows.slice(2)).toEqual(['1. 王* 阳光玫瑰 2斤装×1', '2. 王* 阳光玫瑰 2斤装×1', '3. 王* 阳光玫瑰 2斤装×1', '…共 6 人']);
    expect(out).toMatchObject({ lines: 3, truncated: true });
    // The count is never below what was read (the counter may lag an eventually consistent read).
    expect(chatText({ def, state: state({ participants: 1 }), entries, fullNames: false, maxLines: 3 }).text).toMatch(/…共 5 人\n$/);
  });

  it('exactly maxLines active lines is not truncated', () => {
    const out = chatText({
      def,
      state: state(),
      entries: [line(1), line(2, { status: 'cancelled' }), line(3)],
      fullNames: false,
      maxLines: 2,
    });
    expect(out).toMatchObject({ lines: 2, truncated: false });
    expect(out.text).not.toContain('共');
  });
});

describe('chatTextLine', () => {
  it('masks emoji nicknames by whole characters, and keeps emoji in full names', () => {
    expect(chatTextLine(def, line(1, { nickname: '🍇葡萄妈妈' }), false)).toBe('1. 🍇* 阳光玫瑰 2斤装×1');
    expect(chatTextLine(def, line(1, { nickname: '👨‍👩‍👧 一家' }), true)).toBe('1. 👨‍👩‍👧 一家 阳光玫瑰 2斤装×1');
  });

  it('clips long full names to 20 characters without splitting an emoji', () => {
    const long = `${'长'.repeat(19)}👩‍💻尾巴`;
    expect(chatTextLine(def, line(1, { nickname: long }), true)).toBe(`1. ${'长'.repeat(19)}👩‍💻… 阳光玫瑰 2斤装×1`);
    expect(chatTextLine(def, line(1, { nickname: long }), false)).toBe('1. 长* 阳光玫瑰 2斤装×1');
  });

  it('flattens newlines in notes and names so that a note cannot start a fake numbered line', () => {
    const text = chatTextLine(def, line(7, { nickname: '王\n小明', note: '晚上取\r\n2. 假冒 阳光玫瑰×100\u2028谢谢 ' }), true);
    expect(text).toBe('7. 王 小明 阳光玫瑰 2斤装×1 备注: 晚上取 2. 假冒 阳光玫瑰×100 谢谢');
    expect(text).not.toContain('\n');
  });

  it('lists several items, and an empty note or empty nickname adds nothing odd', () => {
    const eggs = item({ id: 'e', name: '土鸡蛋', unitPrice: 0 });
    const two = definition({ items: [grapes, eggs] });
    const e = line(3, {
      nickname: '',
      note: ' \n ',
      items: [
        { itemId: 'g', qty: 2 },
        { itemId: 'e', qty: 1 },
      ],
    });
    expect(chatTextLine(two, e, false)).toBe('3. * 阳光玫瑰 2斤装×2，土鸡蛋×1');
    expect(chatTextLine(two, e, true)).toBe('3. * 阳光玫瑰 2斤装×2，土鸡蛋×1');
  });
});

describe('chatTextHeader', () => {
  it('says the lowest price is reached at the top tier', () => {
    expect(chatTextHeader(def, state({ sold: { g: 40 } }))[1]).toBe('已接龙 40 份，已达最低价 ¥32.90');
  });

  it('counts participants for a participants basis', () => {
    const byPeople = definition({ ...def, tierBasis: 'participants' });
    expect(chatTextHeader(byPeople, state({ participants: 12, sold: { g: 30 } }))[1]).toBe('已接龙 12 人，再 8 人解锁 ¥35.90');
  });

  it('shows a free item as ¥0.00, and one line per item when there are several', () => {
    const gift = item({ id: 'f', name: '试吃装', unitPrice: 0 });
    expect(chatTextHeader(definition({ items: [gift] }), state({ sold: { f: 3 } }))).toEqual([
      '周六 阳光玫瑰葡萄 团购',
      '已接龙 3 份，单价 ¥0.00',
    ]);
    expect(chatTextHeader(definition({ items: [grapes, gift] }), state({ sold: { g: 5 } })).slice(1)).toEqual([
      '阳光玫瑰 2斤装 已接龙 5 份，再 15 份解锁 ¥35.90',
      '试吃装 已接龙 0 份，单价 ¥0.00',
    ]);
    const byPeople = definition({ items: [grapes, gift], tierBasis: 'participants' });
    expect(chatTextHeader(byPeople, state({ participants: 40 })).slice(1)).toEqual([
      '已接龙 40 人',
      '阳光玫瑰 2斤装 已达最低价 ¥32.90',
      '试吃装 单价 ¥0.00',
    ]);
  });

  it('flattens a title with a line break', () => {
    expect(flattenChatText('周六\n团购\t ')).toBe('周六 团购');
  });
});
