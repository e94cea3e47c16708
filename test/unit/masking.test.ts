import { describe, expect, it } from 'vitest';
import { maskNickname } from '../../shared/domain/masking.js';

/** A lone surrogate half means an emoji or rare character was cut in two. */
const hasLoneSurrogate = (s: string) => /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

describe('maskNickname: first character (a whole code point), then one asterisk', () => {
  it.each([
    { name: 'Chinese name', nickname: '王小明', masked: '王*' },
    { name: 'two-character Chinese name', nickname: '李雷', masked: '李*' },
    { name: 'single character', nickname: '王', masked: '王*' },
    { name: 'emoji first (surrogate pair)', nickname: '😀开心果', masked: '😀*' },
    { name: 'emoji only', nickname: '🍇', masked: '🍇*' },
    { name: 'rare CJK ext-B character (surrogate pair)', nickname: '𠀋先生', masked: '𠀋*' },
    { name: 'latin', nickname: 'Alice', masked: 'A*' },
    { name: 'latin single letter', nickname: 'x', masked: 'x*' },
    { name: 'digits', nickname: '13800138000', masked: '1*' },
    { name: 'leading and trailing spaces are not the first character', nickname: '  张三 ', masked: '张*' },
    { name: 'leading full-width space (U+3000)', nickname: '\u3000赵六', masked: '赵*' },
    { name: 'whitespace only', nickname: '   ', masked: '*' },
    { name: 'tabs and newlines only', nickname: '\t\n', masked: '*' },
    { name: 'empty', nickname: '', masked: '*' },
  ])('$name: $nickname → $masked', ({ nickname, masked }) => {
    const out = maskNickname(nickname);
    expect(out).toBe(masked);
    expect(hasLoneSurrogate(out)).toBe(false);
  });

  it('never reveals more than one code point of the name', () => {
    for (const nickname of ['王小明', 'Alice Wang', '😀😀😀', '𠀋𠀋', 'ab']) {
      const out = maskNickname(nickname);
      expect(Array.from(out)).toHaveLength(2);
      expect(out.endsWith('*')).toBe(true);
      expect(out).not.toBe(nickname);
    }
  });
});
