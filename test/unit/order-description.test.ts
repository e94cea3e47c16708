import { describe, expect, it } from 'vitest';
import { ORDER_DESCRIPTION_MAX_BYTES, orderDescription } from '../../shared/money/order-description.js';

/** What WeChat Pay accepts in `description`, written out independently of the module. */
function acceptable(s: string): boolean {
  if (s.length === 0 || Buffer.byteLength(s, 'utf8') > 127) return false;
  for (const ch of s) if (Buffer.byteLength(ch, 'utf8') > 3) return false;
  // no lone surrogates: a round trip through UTF-8 would change them
  return Buffer.from(s, 'utf8').toString('utf8') === s;
}
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('orderDescription: the WeChat Pay order description, made once from the campaign title', () => {
  it('is the title and the entry number', () => {
    expect(orderDescription('周六 阳光玫瑰葡萄 团购', 12)).toBe('周六 阳光玫瑰葡萄 团购 #12');
    expect(ORDER_DESCRIPTION_MAX_BYTES).toBe(127);
  });

  it.each([
    { title: '🍇🔥阳光玫瑰 团购', expected: '阳光玫瑰 团购 #3' },
    { title: '阳光玫瑰🍇 团购🔥', expected: '阳光玫瑰 团购 #3' },
    { title: '草莓 🍓 蓝莓', expected: '草莓 蓝莓 #3' },
    { title: '👨‍👩‍👧 家庭装 ❤️', expected: '家庭装 ❤ #3' },
    { title: '𠮷野家 便当', expected: '野家 便当 #3' },
    { title: '葡萄\ud83c 团', expected: '葡萄 团 #3' },
  ])('drops 4-byte characters (emoji, rare CJK, lone surrogates): $title', ({ title, expected }) => {
    const d = orderDescription(title, 3);
    expect(d).toBe(expected);
    expect(acceptable(d)).toBe(true);
  });

  it('a title of emoji only still gives a description', () => {
    const d = orderDescription('🍇🔥🍓', 7);
    expect(d).toBe('团购 #7');
    expect(acceptable(d)).toBe(true);
  });

  it('long Chinese text (more than 42 characters) is cut to 127 bytes with …, keeping the entry number', () => {
    const title = '山东烟台栖霞红富士苹果产地直发脆甜多汁'.repeat(5); // 95 characters, 285 bytes
    const d = orderDescription(title, 128);
    expect(bytes(d)).toBeLessThanOrEqual(127);
    expect(acceptable(d)).toBe(true);
    expect(d.endsWith('… #128')).toBe(true);
    expect(title.startsWith(d.slice(0, -'… #128'.length))).toBe(true);
    // as long as fits: one more character would not
    expect(bytes(d) + 3).toBeGreaterThan(127);
  });

  it('never cuts a character in half, whatever the mix of 1-, 2- and 3-byte characters', () => {
    for (let pad = 0; pad < 6; pad++) {
      const title = `${'a'.repeat(pad)}${'葡é'.repeat(40)}`;
      for (const seq of [1, 42, 9999]) {
        const d = orderDescription(title, seq);
        expect(acceptable(d), `${pad} ${seq}: ${d}`).toBe(true);
        expect(d.endsWith(` #${seq}`)).toBe(true);
        expect(d).not.toContain('\uFFFD');
      }
    }
  });

  it('keeps symbols of 1 to 3 bytes', () => {
    const title = '【限时】草莓&蓝莓 <特价> 100% ¥29.9 ★ №1 ～ ©';
    expect(orderDescription(title, 1)).toBe(`${title} #1`);
    expect(acceptable(orderDescription(title, 1))).toBe(true);
  });

  it('turns control characters (a line break in the title) into spaces and collapses runs of blanks', () => {
    expect(orderDescription('周六\n葡萄\t\t团购', 2)).toBe('周六 葡萄 团购 #2');
  });

  it('a 127-byte title that fits exactly with its number is not cut', () => {
    const title = 'a'.repeat(127 - ' #5'.length);
    expect(orderDescription(title, 5)).toBe(`${title} #5`);
    expect(orderDescription(`${title}b`, 5).endsWith('… #5')).toBe(true);
  });
});
