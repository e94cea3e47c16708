import { formatYuan } from './pricing.js';

/**
 * Subscribe-message `data` values, fitted to the rules WeChat enforces per field kind (the key's
 * letters: `thing3` is a thing). A value WeChat refuses fails the whole send (47003), so every
 * value is cut or reformatted here instead: wechat-facts.md §4 has the table and its sources.
 */
export const FIELD_KINDS = [
  'thing',
  'number',
  'letter',
  'symbol',
  'character_string',
  'time',
  'date',
  'amount',
  'phone_number',
  'car_number',
  'name',
  'phrase',
] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];

/** `thing3` → thing; `character_string12` → character_string; unknown kinds → null. */
export function fieldKind(key: string): FieldKind | null {
  const match = /^([a-z_]+?)(\d+)$/.exec(key);
  const kind = match?.[1];
  return kind && (FIELD_KINDS as readonly string[]).includes(kind) ? (kind as FieldKind) : null;
}

/** What a template field can be filled with: text, integer fen (amounts), or an ISO time. */
export type FieldValue = { text: string } | { fen: number } | { at: string } | { count: number };

/** Cut to `max` characters; `…` marks a cut only where the kind allows any symbol (thing, name). */
const clip = (text: string, max: number, ellipsis = false) => {
  // Code points, not UTF-16 units: an emoji counts as one character and is never cut in half.
  const chars = [...text.replace(/\p{Cc}+/gu, ' ').trim()];
  if (chars.length <= max) return chars.join('');
  return ellipsis ? `${chars.slice(0, max - 1).join('')}…` : chars.slice(0, max).join('');
};

/** China has one time zone and no daylight saving: UTC+8 always. */
const CHINA_OFFSET_MS = 8 * 3600_000;
function chinaTime(iso: string, withTime: boolean): string {
  const d = new Date(Date.parse(iso) + CHINA_OFFSET_MS);
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return withTime ? `${date} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` : date;
}

function asText(value: FieldValue): string {
  if ('text' in value) return value.text;
  if ('fen' in value) return `¥${formatYuan(value.fen)}`;
  if ('count' in value) return String(value.count);
  return chinaTime(value.at, true);
}

/** One `data` value that WeChat accepts for a field of this kind. */
export function fieldValue(kind: FieldKind, value: FieldValue): string {
  switch (kind) {
    case 'thing':
      return clip(asText(value), 20, true);
    case 'amount':
      // one currency symbol and at most 10 digits: ¥99,999,999.99 is far above any group-buy line
      return 'fen' in value ? `¥${formatYuan(value.fen)}` : clip(asText(value), 11);
    case 'number':
      return 'count' in value
        ? String(value.count)
        : 'fen' in value
          ? formatYuan(value.fen)
          : clip(asText(value).replace(/[^\d.]/g, ''), 32) || '0';
    case 'time':
      return 'at' in value ? chinaTime(value.at, true) : clip(asText(value), 20);
    case 'date':
      return 'at' in value ? chinaTime(value.at, false) : clip(asText(value), 20);
    case 'character_string':
      return clip(asText(value).replace(/[^\x21-\x7e]/g, ''), 32) || '-';
    case 'letter':
      return clip(asText(value).replace(/[^A-Za-z]/g, ''), 32) || 'A';
    case 'symbol':
      return clip(asText(value).replace(/[\p{L}\p{N}\s]/gu, ''), 5) || '-';
    case 'phone_number':
      return clip(asText(value).replace(/[^\d+\-() ]/g, ''), 17) || '-';
    case 'car_number':
      return clip(asText(value), 8);
    case 'name': {
      const text = asText(value);
      // mixed text counts as Chinese: ≤10 characters; letters and symbols only: ≤20
      return clip(text, /^[\x20-\x7e]*$/.test(text) ? 20 : 10, true);
    }
    case 'phrase':
      return clip(asText(value).replace(/[^\p{Script=Han}]/gu, ''), 5) || '通知';
  }
}
