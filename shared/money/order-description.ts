/**
 * The `description` of a WeChat Pay order (what the payer sees in WeChat's bill): the campaign title
 * and the entry number. WeChat Pay takes 1 to 127 bytes of UTF-8 there, each character of 1 to 3 bytes,
 * and refuses anything else with PARAM_ERROR, so a title with an emoji could never be paid. It is made
 * once, when the order is made, and stored on it: WeChat refuses other parameters for the same
 * out_trade_no, so a retried prepay must send exactly what the first one sent, whatever the title is now.
 */
export const ORDER_DESCRIPTION_MAX_BYTES = 127;

/** For a title that was nothing but emoji. */
const FALLBACK_TITLE = '团购';
const ELLIPSIS = '…';

const utf8Bytes = (s: string) => Buffer.byteLength(s, 'utf8');

export function orderDescription(title: string, seq: number): string {
  const suffix = ` #${seq}`;
  return `${truncateToBytes(plainText(title) || FALLBACK_TITLE, ORDER_DESCRIPTION_MAX_BYTES - utf8Bytes(suffix))}${suffix}`;
}

/** Only characters of 1 to 3 UTF-8 bytes, control characters as spaces, blanks collapsed. */
function plainText(s: string): string {
  let out = '';
  // for…of walks code points: a pair is one character beyond U+FFFF, a lone surrogate comes alone
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp > 0xffff || (cp >= 0xd800 && cp <= 0xdfff)) continue; // 4 bytes in UTF-8, or no character at all
    if (cp === 0x200d || cp === 0xfe0e || cp === 0xfe0f) continue; // joiners and selectors left over from emoji
    out += /\p{Cc}/u.test(ch) ? ' ' : ch;
  }
  return out.replace(/\s+/g, ' ').trim();
}

/** At most `budget` bytes, cut between characters, with … when cut. */
function truncateToBytes(text: string, budget: number): string {
  if (utf8Bytes(text) <= budget) return text;
  let out = '';
  let used = utf8Bytes(ELLIPSIS);
  for (const ch of text) {
    const n = utf8Bytes(ch);
    if (used + n > budget) break;
    out += ch;
    used += n;
  }
  return `${out.trimEnd()}${ELLIPSIS}`;
}
