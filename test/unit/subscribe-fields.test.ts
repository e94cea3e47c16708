import { describe, expect, it } from 'vitest';
import { fieldKind, fieldValue, renderData, TemplatesSchema } from '../../shared/domain/index.js';

describe('subscribe-message fields', () => {
  it('reads the kind from the key', () => {
    expect(fieldKind('thing12')).toBe('thing');
    expect(fieldKind('character_string3')).toBe('character_string');
    expect(fieldKind('amount')).toBeNull();
    expect(fieldKind('weird1')).toBeNull();
  });

  it('fits each kind to its limit', () => {
    const long = '周六 阳光玫瑰葡萄 超长超长超长超长超长的团购标题 🍇🍇';
    const thing = fieldValue('thing', { text: long });
    expect([...thing]).toHaveLength(20);
    expect(thing.endsWith('…')).toBe(true);
    expect(fieldValue('thing', { text: '短标题🍇' })).toBe('短标题🍇');
    expect(fieldValue('thing', { text: 'a\nb' })).toBe('a b');
    expect(fieldValue('amount', { fen: 7980 })).toBe('¥79.80');
    expect(fieldValue('amount', { fen: 5 })).toBe('¥0.05');
    expect(fieldValue('number', { count: 12 })).toBe('12');
    expect(fieldValue('time', { at: '2026-12-03T16:30:00.000Z' })).toBe('2026-12-04 00:30');
    expect(fieldValue('date', { at: '2026-12-03T16:30:00.000Z' })).toBe('2026-12-04');
    expect(fieldValue('phrase', { text: '拼团成功啦啦啦' })).toBe('拼团成功啦');
    expect(fieldValue('phrase', { text: 'OK!' })).toBe('通知');
    expect(fieldValue('character_string', { text: '订单 AB-12' })).toBe('AB-12');
    expect(fieldValue('name', { text: '王小明王小明王小明王小明' })).toHaveLength(10);
    expect(fieldValue('name', { text: 'Wang Xiaoming Long Name Here' })).toHaveLength(20);
  });

  it('templates are validated as configuration and rendered per field', () => {
    const ok = TemplatesSchema.parse({ 'group-succeeded': { templateId: 'abc-1', data: { thing1: 'title', amount2: 'amount' } } });
    const data = renderData(ok['group-succeeded']!, {
      title: { text: '葡萄' },
      status: { text: '拼团成功' },
      amount: { fen: 3990 },
      units: { count: 1 },
      pickupPoint: { text: '门卫室' },
      time: { at: '2026-12-03T12:00:00.000Z' },
      count: { count: 1 },
      deadline: { at: '2026-12-03T12:00:00.000Z' },
    });
    expect(data).toEqual({ thing1: { value: '葡萄' }, amount2: { value: '¥39.90' } });
    expect(TemplatesSchema.safeParse({ 'group-succeeded': { templateId: 'x', data: { bogus1: 'title' } } }).success).toBe(false);
    expect(TemplatesSchema.safeParse({ 'group-succeeded': { templateId: 'x', data: { thing1: 'nope' } } }).success).toBe(false);
    expect(TemplatesSchema.safeParse({ 'no-such-event': { templateId: 'x', data: { thing1: 'title' } } }).success).toBe(false);
  });
});
