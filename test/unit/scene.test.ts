import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeScene, encodeScene, parseRef, SCENE_MAX_LENGTH } from '../../shared/domain/scene.js';
import { SHARE_CODE_ALPHABET, SHARE_CODE_LENGTH } from '../../shared/ids.js';
import { REFERRER_TOKEN_LENGTH, referrerCandidate } from '../../shared/referrals/tokens.js';

/** WeChat's scene alphabet (wechat-facts.md §5), spelled out independently of the codec's own pattern. */
const WECHAT_SCENE_CHARS = new Set([..."0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$&'()*+,/:;=?@-._~"]);

const shareCode = fc.string({ unit: fc.constantFrom(...SHARE_CODE_ALPHABET), minLength: SHARE_CODE_LENGTH, maxLength: SHARE_CODE_LENGTH });
const token = fc.tuple(fc.string({ minLength: 1, maxLength: 40 }), fc.nat(3)).map(([userId, n]) => referrerCandidate(userId, n));

describe('scene codec', () => {
  it('round-trips every share code with and without a referrer token', () => {
    fc.assert(
      fc.property(shareCode, fc.option(token, { nil: null }), (code, referrer) => {
        expect(decodeScene(encodeScene({ shareCode: code, referrer }))).toEqual({ shareCode: code, referrer });
      }),
    );
  });

  it('always stays within 32 characters of WeChat’s alphabet', () => {
    fc.assert(
      fc.property(shareCode, token, (code, referrer) => {
        const scene = encodeScene({ shareCode: code, referrer });
        expect(scene.length).toBeLessThanOrEqual(SCENE_MAX_LENGTH);
        expect(
          [...scene].every((ch) => WECHAT_SCENE_CHARS.has(ch)),
          scene,
        ).toBe(true);
      }),
    );
  });

  it('refuses to encode what could not fit or round-trip', () => {
    expect(() => encodeScene({ shareCode: 'A'.repeat(16), referrer: 'b'.repeat(16) })).toThrow(/longer than 32/);
    expect(() => encodeScene({ shareCode: 'AB&CD', referrer: null })).toThrow(/share code/);
    expect(() => encodeScene({ shareCode: '中文', referrer: null })).toThrow(/share code/);
    expect(() => encodeScene({ shareCode: 'ABCD2345', referrer: 'x=y' })).toThrow(/referrer token/);
  });

  it('gives 10-character lowercase base32 tokens, stable per user and candidate', () => {
    expect(referrerCandidate('u_abc', 0)).toBe(referrerCandidate('u_abc', 0));
    expect(referrerCandidate('u_abc', 0)).not.toBe(referrerCandidate('u_abc', 1));
    expect(referrerCandidate('u_abc', 0)).toMatch(new RegExp(`^[0-9a-z]{${REFERRER_TOKEN_LENGTH}}$`));
  });

  it.each([
    ['empty', ''],
    ['no share code', 'r=abcd2345xy'],
    ['unknown field', 's=ABCD2345&x=1'],
    ['repeated field', 's=ABCD2345&s=EFGH2345'],
    ['field without =', 's=ABCD2345&r'],
    ['bad token characters', 's=ABCD2345&r=AB-CD'],
    ['longer than 32', `s=ABCD2345&r=${'a'.repeat(16)}&`],
    ['character WeChat does not allow', 's=ABCD 2345'],
    ['Chinese', 's=团购'],
    ['broken percent-encoding', 's%3DABCD%E0%A4%A'],
  ])('rejects an invalid scene: %s', (_name, scene) => {
    expect(decodeScene(scene)).toBeNull();
  });

  it('accepts a scene the page forgot to decodeURIComponent', () => {
    expect(decodeScene(encodeURIComponent('s=ABCD2345&r=k3m9x2q7ab'))).toEqual({ shareCode: 'ABCD2345', referrer: 'k3m9x2q7ab' });
  });

  it('reads a join ref as a bare token or a whole scene, and nothing else', () => {
    expect(parseRef('k3m9x2q7ab')).toEqual({ token: 'k3m9x2q7ab', shareCode: null });
    expect(parseRef('s=ABCD2345&r=k3m9x2q7ab')).toEqual({ token: 'k3m9x2q7ab', shareCode: 'ABCD2345' });
    expect(parseRef('s=ABCD2345')).toBeNull();
    expect(parseRef('<script>')).toBeNull();
    expect(parseRef('')).toBeNull();
  });
});
