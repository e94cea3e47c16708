import { ValidationError } from '../errors.js';

/** Opaque pagination cursors: DynamoDB's LastEvaluatedKey, base64url JSON. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : null;
}

/**
 * The keys a list's cursor may hold. Base-table lists: one partition (`pk`) and, when the list is
 * a range of it, the sort-key prefix of that range. Index lists: the index's key names and the
 * partition value it is queried on (the table's own pk and sk ride along in its keys).
 */
export interface CursorScope {
  pk?: string;
  skPrefix?: string;
  index?: { partitionKey: string; sortKey: string; pk: string };
}

/** DynamoDB refuses key values over these (bytes, UTF-8) or empty: such a cursor would be a 500. */
const MAX_PARTITION_KEY_BYTES = 2048;
const MAX_SORT_KEY_BYTES = 1024;

function invalid(): never {
  throw new ValidationError('Invalid cursor', { fields: [{ path: 'cursor', message: 'not a cursor from this list' }] });
}

/**
 * A cursor back into ExclusiveStartKey, only if it has exactly the shape of a key of this list:
 * exactly its key attributes, non-empty strings DynamoDB accepts, in this list's partition and
 * range. Anything else (extra or missing keys, other types, another list's or another campaign's
 * cursor, a key outside the query's range that DynamoDB would refuse with an error) is 400, never
 * sent. `scope` as a string is a base-table partition (any sort key in it).
 */
export function decodeCursor(cursor: string | undefined | null, scope: string | CursorScope): Record<string, string> | undefined {
  if (!cursor) return undefined;
  const { pk, skPrefix, index } = typeof scope === 'string' ? { pk: scope, skPrefix: undefined, index: undefined } : scope;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    invalid();
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) invalid();
  const key = parsed as Record<string, unknown>;
  const expected = ['pk', 'sk', ...(index ? [index.partitionKey, index.sortKey] : [])];
  const names = Object.keys(key);
  if (names.length !== expected.length || !expected.every((name) => typeof key[name] === 'string')) invalid();
  const k = key as Record<string, string>;
  const fits = (value: string, max: number) => value !== '' && Buffer.byteLength(value, 'utf8') <= max;
  if (!fits(k.pk!, MAX_PARTITION_KEY_BYTES) || !fits(k.sk!, MAX_SORT_KEY_BYTES)) invalid();
  if (pk !== undefined && k.pk !== pk) invalid();
  if (skPrefix !== undefined && !k.sk!.startsWith(skPrefix)) invalid();
  if (index && (k[index.partitionKey] !== index.pk || !fits(k[index.sortKey]!, MAX_SORT_KEY_BYTES))) invalid();
  return k;
}
