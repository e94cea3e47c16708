import { randomBytes, randomInt } from 'node:crypto';

/** Crockford-like base32 without I, L, O, U: ids stay readable in logs and URLs. */
const ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * Opaque ids: a millisecond timestamp prefix (so ids made later sort later, handy in logs and
 * DynamoDB consoles) and 80 random bits, base32.
 */
export function newId(prefix: string, now: Date): string {
  let time = now.getTime();
  let head = '';
  for (let i = 0; i < 9; i++) {
    head = ID_ALPHABET[time % 32] + head;
    time = Math.floor(time / 32);
  }
  const bytes = randomBytes(16);
  let tail = '';
  for (let i = 0; i < 16; i++) tail += ID_ALPHABET[bytes[i]! % 32];
  return `${prefix}_${head}${tail}`;
}

/**
 * A join's random token (60 bits, base32): written on the claim and into the STATE ring before the
 * join has a number, and the tail of its entry id once it has one (see keys.ts `entryIds`).
 */
export function newJoinToken(): string {
  const bytes = randomBytes(12);
  let token = '';
  for (let i = 0; i < 12; i++) token += ID_ALPHABET[bytes[i]! % 32];
  return token;
}

/** No 0/O, 1/I/L: a share code read aloud in a WeChat group or typed by hand stays unambiguous. */
export const SHARE_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const SHARE_CODE_LENGTH = 8;

export function newShareCode(): string {
  let code = '';
  for (let i = 0; i < SHARE_CODE_LENGTH; i++) code += SHARE_CODE_ALPHABET[randomInt(SHARE_CODE_ALPHABET.length)];
  return code;
}
