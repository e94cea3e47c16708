/**
 * Accept negotiation for the few routes that answer a browser too (GET /s/{shareCode}). HTML only
 * when the client asks for it over JSON: `text/html` (or `text/*`) with a higher q than
 * `application/json`, or the same q and listed first. The bare wildcard (any type) alone, no Accept,
 * or a malformed one stay JSON, so API clients and the mini-program's wx.request never see HTML.
 */

interface Range {
  type: string;
  subtype: string;
  q: number;
  index: number;
}

function parseAccept(header: string): Range[] {
  const out: Range[] = [];
  header.split(',').forEach((part, index) => {
    const [media, ...params] = part.split(';');
    const [type, subtype] = (media ?? '').trim().toLowerCase().split('/');
    if (!type || !subtype) return;
    let q = 1;
    for (const param of params) {
      const [key, value] = param.split('=').map((s) => s.trim());
      if (key?.toLowerCase() === 'q') {
        const n = Number(value);
        q = Number.isFinite(n) ? Math.min(Math.max(n, 0), 1) : 0;
      }
    }
    out.push({ type, subtype, q, index });
  });
  return out;
}

/** The most specific range matching the media type (RFC 9110 §12.5.1): exact, then type/*, then *\/*. */
function match(ranges: Range[], type: string, subtype: string): Range | null {
  const exact = ranges.find((r) => r.type === type && r.subtype === subtype);
  if (exact) return exact;
  const wildSub = ranges.find((r) => r.type === type && r.subtype === '*');
  if (wildSub) return wildSub;
  return ranges.find((r) => r.type === '*' && r.subtype === '*') ?? null;
}

export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranges = parseAccept(accept);
  const html = match(ranges, 'text', 'html');
  if (!html || html.q === 0) return false;
  const json = match(ranges, 'application', 'json');
  if (!json || json.q < html.q) return true;
  // Equal q: the one listed first; one range (the wildcard) matching both is a tie, and ties stay JSON.
  return json.q === html.q && html.index < json.index;
}
