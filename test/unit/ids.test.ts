import { describe, expect, it } from 'vitest';
import { newId, newJoinToken, newShareCode, SHARE_CODE_ALPHABET, SHARE_CODE_LENGTH } from '../../shared/ids.js';
import { entryIds } from '../../shared/table/keys.js';

// Written by hand: upper-case letters and digits without 0/O, 1/I/L.
const SHARE_CODE = /^[2-9A-HJKMNP-Z]{8}$/;

describe('newShareCode', () => {
  it("is 8 characters of the unambiguous alphabet, within the contract's 6 to 10", () => {
    expect(SHARE_CODE_LENGTH).toBe(8);
    for (let i = 0; i < 2000; i++) {
      const code = newShareCode();
      expect(code).toMatch(SHARE_CODE);
      expect(code.length).toBeGreaterThanOrEqual(6);
      expect(code.length).toBeLessThanOrEqual(10);
    }
  });

  it.each(['0', 'O', '1', 'I', 'L', 'o', 'l', 'i'])('the alphabet has no "%s"', (ch) => {
    expect(SHARE_CODE_ALPHABET).not.toContain(ch);
  });

  it('the alphabet has no duplicate characters and is URL-safe', () => {
    expect(new Set(SHARE_CODE_ALPHABET).size).toBe(SHARE_CODE_ALPHABET.length);
    expect(encodeURIComponent(SHARE_CODE_ALPHABET)).toBe(SHARE_CODE_ALPHABET);
  });

  it('uses the whole alphabet and does not repeat codes', () => {
    const seen = new Set<string>();
    const chars = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const code = newShareCode();
      seen.add(code);
      for (const c of code) chars.add(c);
    }
    expect(seen.size).toBe(5000);
    expect([...chars].sort().join('')).toBe([...SHARE_CODE_ALPHABET].sort().join(''));
  });
});

describe('newId', () => {
  const at = new Date('2026-12-02T08:00:00.000Z');

  it('is the prefix, an underscore, then lower-case base32 without i, l, o, u', () => {
    for (const prefix of ['c', 'e', 'u']) {
      const id = newId(prefix, at);
      expect(id).toMatch(new RegExp(`^${prefix}_[0-9a-hjkmnp-tv-z]+$`));
      expect(encodeURIComponent(id)).toBe(id);
    }
  });

  it('10,000 ids made in the same millisecond are all different', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) ids.add(newId('e', at));
    expect(ids.size).toBe(10_000);
  });

  it('10,000 ids over consecutive milliseconds are all different', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) ids.add(newId('e', new Date(at.getTime() + (i % 7))));
    expect(ids.size).toBe(10_000);
  });

  it.each([
    { name: '1 ms later', earlier: '2026-12-02T08:00:00.000Z', later: '2026-12-02T08:00:00.001Z' },
    { name: '31 → 32 ms (a base-32 digit carries)', earlier: '2026-12-02T08:00:00.031Z', later: '2026-12-02T08:00:00.032Z' },
    { name: '1 s later', earlier: '2026-12-02T08:00:00.000Z', later: '2026-12-02T08:00:01.000Z' },
    { name: 'across a year boundary', earlier: '2026-12-31T23:59:59.999Z', later: '2027-01-01T00:00:00.000Z' },
    { name: 'years later', earlier: '2026-12-02T08:00:00.000Z', later: '2040-01-01T00:00:00.000Z' },
    { name: 'from 2001', earlier: '2001-09-09T01:46:40.000Z', later: '2026-12-02T08:00:00.000Z' },
  ])('a later timestamp sorts later: $name', ({ earlier, later }) => {
    for (let i = 0; i < 50; i++) {
      const a = newId('e', new Date(earlier));
      const b = newId('e', new Date(later));
      expect(a < b).toBe(true);
      // DynamoDB compares strings by UTF-8 bytes
      expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(-1);
    }
  });

  it('sorting ids as strings sorts them by creation time', () => {
    const times = Array.from({ length: 500 }, (_, i) => at.getTime() + i * 37);
    const made = times.map((t) => ({ t, id: newId('c', new Date(t)) }));
    const byId = [...made].reverse().sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    expect(byId.map((m) => m.t)).toEqual(times);
  });
});

describe('newJoinToken', () => {
  it('is 12 base32 characters (60 random bits: an entry id cannot be guessed), fits the ring and entry ids', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const token = newJoinToken();
      expect(token).toMatch(/^[0-9abcdefghjkmnpqrstvwxyz]{12}$/);
      expect(entryIds.parse(entryIds.of(i + 1, token))).toEqual({ seq: i + 1, token });
      seen.add(token);
    }
    expect(seen.size).toBe(2000);
  });
});
