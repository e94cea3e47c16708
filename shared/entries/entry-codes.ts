import { createHmac, timingSafeEqual } from 'node:crypto';
import { NotFoundError } from '../errors.js';
import type { DbContext, EntryRecord } from '../table/index.js';
import { lineAt } from './lookup.js';

/**
 * Entry codes, for pickups and claims. Pickup codes (提货码): what a member shows at the counter, `<number>-<8 characters>` (e.g.
 * `12-K7M3Q9XA`), as text to read out and as the QR code's content. The number says which line to
 * read; the characters are an HMAC of the campaign and the whole entry id (its random token
 * included), so a code is specific to the entry and cannot be made up from a number. Nothing is
 * stored: the key is derived from the token-signing secrets, and codes made under a previous
 * secret still verify while that secret is listed (AUTH_PREVIOUS_SECRETS).
 */
export const ENTRY_MAC_LENGTH = 8;
/** Crockford's base32: no I, L, O, U, so a code read aloud or typed from a phone stays unambiguous. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE = /^(\d{1,9})-([0-9A-Z]{8})$/;

/** The keys codes are made with (the first) and verified against (all): one per signing secret. */
export type PickupKeys = readonly Buffer[];

/** What a code is for: a pickup code cannot be used as a claim code, nor the other way round. */
export type CodePurpose = 'pickup' | 'claim';

export function entryCodeKeys(secrets: readonly string[], purpose: CodePurpose): PickupKeys {
  // A key of its own, not the signing secret itself: a code never helps forge a token.
  return secrets.map((s) => createHmac('sha256', s).update(`tuangou ${purpose} codes v1`).digest());
}

export const pickupKeys = (secrets: readonly string[]): PickupKeys => entryCodeKeys(secrets, 'pickup');

function mac(key: Buffer, campaignId: string, entryId: string): string {
  const digest = createHmac('sha256', key).update(`${campaignId}\u0000${entryId}`).digest();
  let out = '';
  for (let i = 0; i < ENTRY_MAC_LENGTH; i++) out += ALPHABET[digest[i]! % 32];
  return out;
}

export function entryCode(keys: PickupKeys, campaignId: string, entry: Pick<EntryRecord, 'id' | 'seq'>): string {
  return `${entry.seq}-${mac(keys[0]!, campaignId, entry.id)}`;
}

/** A code as typed or scanned: spaces and case forgiven, O read as 0 and I/L as 1; null when it is not a code's shape. */
export function parseEntryCode(text: string): { seq: number; mac: string } | null {
  const normal = text.trim().toUpperCase().replace(/\s+/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  const m = CODE.exec(normal);
  return m ? { seq: Number(m[1]), mac: m[2]! } : null;
}

/**
 * The entry a code names: one consistent read of the line at its number, then the HMAC. A wrong
 * code, a code of another campaign or of a number's earlier occupant are all the same 404.
 */
export async function entryForPickupCode(db: DbContext, keys: PickupKeys, campaignId: string, code: string): Promise<EntryRecord> {
  const entry = await entryForCode(db, keys, campaignId, code);
  if (!entry) throw new NotFoundError('No entry has this pickup code in this campaign');
  return entry;
}

/** The entry an entry code (pickup or claim, by its keys) names, or null. */
export async function entryForCode(db: DbContext, keys: PickupKeys, campaignId: string, code: string): Promise<EntryRecord | null> {
  const parsed = parseEntryCode(code);
  const entry = parsed ? await lineAt(db, campaignId, parsed.seq) : null;
  const given = Buffer.from(parsed?.mac ?? '');
  const ok =
    entry !== null &&
    keys.some((k) =>
      timingSafeEqual(
        Buffer.from(mac(k, campaignId, entry.id)),
        given.length === ENTRY_MAC_LENGTH ? given : Buffer.alloc(ENTRY_MAC_LENGTH),
      ),
    );
  return entry && ok ? entry : null;
}
