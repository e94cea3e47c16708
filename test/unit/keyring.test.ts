import { describe, expect, it } from 'vitest';
import { parseKeyring } from '../../shared/auth/keys.js';
import { deriveKid } from '../../shared/auth/tokens.js';
import { ConfigError } from '../../shared/config.js';

const S1 = 'first-secret-0123456789abcdef';
const S2 = 'second-secret-0123456789abcdef';
const S3 = 'third-secret-0123456789abcdef';

function failure(value: string, previous?: string): ConfigError {
  try {
    parseKeyring(value, 'AUTH_SECRET', previous);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected parseKeyring to fail');
}

describe('deriveKid', () => {
  it('is stable, short, header-safe and differs between secrets', () => {
    expect(deriveKid(S1)).toBe(deriveKid(S1));
    expect(deriveKid(S1)).not.toBe(deriveKid(S2));
    expect(deriveKid(S1)).toMatch(/^k[A-Za-z0-9_-]{10}$/);
    expect(deriveKid(S1)).not.toContain(S1.slice(0, 6));
  });
});

describe('parseKeyring', () => {
  it("a plain string (today's Secrets Manager value) is the current key with a derived kid", () => {
    expect(parseKeyring(S1)).toEqual({ current: { kid: deriveKid(S1), secret: S1 }, previous: [] });
  });

  it('JSON with explicit kids', () => {
    const value = JSON.stringify({ current: { kid: '2026-02', secret: S2 }, previous: [{ kid: '2026-01', secret: S1 }] });
    expect(parseKeyring(value)).toEqual({ current: { kid: '2026-02', secret: S2 }, previous: [{ kid: '2026-01', secret: S1 }] });
  });

  it('JSON whose keys omit kid or are bare strings: kids derived, so the old plain secret can be listed as it is', () => {
    const value = JSON.stringify({ current: { secret: S2 }, previous: [S1, { secret: S3 }] });
    expect(parseKeyring(value)).toEqual({
      current: { kid: deriveKid(S2), secret: S2 },
      previous: [
        { kid: deriveKid(S1), secret: S1 },
        { kid: deriveKid(S3), secret: S3 },
      ],
    });
  });

  it('JSON without previous, surrounded by whitespace', () => {
    expect(parseKeyring(`  ${JSON.stringify({ current: { kid: 'a', secret: S1 } })}\n`)).toEqual({
      current: { kid: 'a', secret: S1 },
      previous: [],
    });
  });

  it('AUTH_PREVIOUS_SECRETS adds comma-separated previous secrets (blanks ignored)', () => {
    expect(parseKeyring(S2, 'AUTH_SECRET', ` ${S1} ,, ${S3}`).previous).toEqual([
      { kid: deriveKid(S1), secret: S1 },
      { kid: deriveKid(S3), secret: S3 },
    ]);
  });

  it('the same secret listed twice is kept once', () => {
    const keyring = parseKeyring(JSON.stringify({ current: S2, previous: [S1] }), 'AUTH_SECRET', `${S1},${S2}`);
    expect(keyring.previous).toEqual([{ kid: deriveKid(S1), secret: S1 }]);
  });

  it.each([
    { name: 'a plain secret under 16 characters', value: 'short' },
    { name: 'JSON that does not parse', value: '{"current": ' },
    { name: 'JSON without current', value: JSON.stringify({ previous: [S1] }) },
    { name: 'a current secret under 16 characters', value: JSON.stringify({ current: { kid: 'a', secret: 'short' } }) },
    { name: 'a previous secret under 16 characters', value: JSON.stringify({ current: S1, previous: ['short'] }) },
    { name: 'a kid with a space', value: JSON.stringify({ current: { kid: 'a b', secret: S1 } }) },
    { name: 'an empty kid', value: JSON.stringify({ current: { kid: '', secret: S1 } }) },
    { name: 'an unknown field', value: JSON.stringify({ current: S1, next: S2 }) },
    { name: 'one kid for two secrets', value: JSON.stringify({ current: { kid: 'a', secret: S1 }, previous: [{ kid: 'a', secret: S2 }] }) },
  ])('rejects $name, without echoing any secret', ({ value }) => {
    const message = failure(value).message;
    expect(message).toMatch(/AUTH_SECRET/);
    for (const s of [S1, S2, S3]) expect(message).not.toContain(s);
  });

  it('rejects a short secret in AUTH_PREVIOUS_SECRETS by name', () => {
    expect(failure(S1, 'tooshort').message).toMatch(/AUTH_PREVIOUS_SECRETS/);
  });

  it('names the source it was given', () => {
    expect(() => parseKeyring('x', 'the secret behind AUTH_SECRET_ARN')).toThrow(/AUTH_SECRET_ARN/);
  });
});
