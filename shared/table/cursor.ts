import { ValidationError } from '../errors.js';

/** Opaque pagination cursors: DynamoDB's LastEvaluatedKey, base64url JSON. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : null;
}

export function decodeCursor(cursor: string | undefined | null, expectedPk: string | null): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && Object.values(parsed).every((v) => typeof v === 'string')) {
      // A cursor from another list would page through someone else's items: refuse it.
      if (expectedPk === null || Object.values(parsed).includes(expectedPk)) return parsed as Record<string, unknown>;
    }
  } catch {
    // fall through
  }
  throw new ValidationError('Invalid cursor', { fields: [{ path: 'cursor', message: 'not a cursor from this list' }] });
}
