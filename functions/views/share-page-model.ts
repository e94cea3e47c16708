import {
  type CampaignDefinition,
  type CampaignState,
  campaignView,
  chatTextLine,
  type Entry,
  formatYuan,
  type ImageUrl,
  type ImageView,
  itemTierPhrases,
} from '../../shared/domain/index.js';

/**
 * What the share page (GET /s/{shareCode} opened in a browser) shows, as plain strings: pure, so
 * every wording is unit-tested without HTML, and the view only lays it out. Prices and tier states
 * come from the same domain helpers as the API's JSON and the group-chat copy, so the three agree.
 */

/** Lines of the 接龙 list on the page: enough to show it is alive, small enough for a phone. */
export const SHARE_PAGE_MAX_LINES = 100;

export type SharePageStatus = 'open' | 'closed' | 'settled' | 'failed' | 'cancelled';

export interface SharePageItem {
  /** name and spec, as the chat copy labels it */
  name: string;
  /** the price now, "¥35.90" */
  price: string;
  /** the starting price when a tier has lowered it (shown struck through), else null */
  basePrice: string | null;
  /** "再 3 份解锁 ¥32.90", "已达最低价 ¥32.90", "单价 ¥39.90" */
  tier: string;
  /** "剩 12 份", "已售罄", or null for unlimited stock */
  stock: string | null;
  /** the item's photos that passed WeChat's check, in the leader's order (list size) */
  photos: SharePagePhoto[];
}

/** A photo on the page: the list size (≤ 750 px, what a phone's screen needs), with its proportions so nothing jumps as it loads. */
export interface SharePagePhoto {
  src: string;
  width: number;
  height: number;
}

export type SharePageCode =
  /** WeChat is configured: the API serves the campaign's 小程序码 (credits nobody: a public page) */
  | { kind: 'wxacode'; src: string }
  /** no WeChat on this server: a box telling the reader to find the campaign in the mini-program */
  | { kind: 'placeholder'; shareCode: string };

export interface SharePageModel {
  title: string;
  description: string;
  /** the cover photo (visible ones only: the page is public and cached), or null */
  cover: SharePagePhoto | null;
  status: SharePageStatus;
  /** "接龙中", "未开始", "已截止", "已成团", "未成团", "已取消" (called off) */
  statusLabel: string;
  /** "12月3日 20:00 截止" (Asia/Shanghai) */
  deadline: string;
  /** "已接龙 37 人" */
  participants: string;
  items: SharePageItem[];
  /** "1. 王* 阳光玫瑰 2斤装 2斤×2 3号楼门卫室": masked names, never a phone */
  lines: string[];
  /** "…共 N 人" when the list is cut at SHARE_PAGE_MAX_LINES, else null */
  more: string | null;
  code: SharePageCode;
}

export interface SharePageInput {
  def: CampaignDefinition;
  state: CampaignState;
  /** the entries read, in 接龙 order (only active ones are shown) */
  entries: Iterable<Entry>;
  now: Date;
  /** whether this server can make 小程序码 (deps.shareCodes) */
  wxacode: boolean;
  /** where photos are served (the CDN, or the API's /media); absent: photos are off, none shown */
  imageUrl?: ImageUrl;
  maxLines?: number;
}

const photoOf = (image: ImageView | null | undefined): SharePagePhoto | null =>
  image ? { src: image.list, width: image.width, height: image.height } : null;

/** China has one time zone and no daylight saving: Asia/Shanghai is UTC+8 all year. */
const CHINA_OFFSET_MS = 8 * 3600_000;

/** "12月3日 20:00": month and day without padding, as people write them; 24-hour time. */
export function chinaDateTime(iso: string): string {
  const d = new Date(Date.parse(iso) + CHINA_OFFSET_MS);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

function statusLabel(status: SharePageStatus, notYetOpen: boolean): string {
  switch (status) {
    case 'open':
      return notYetOpen ? '未开始' : '接龙中';
    case 'closed':
      return '已截止';
    case 'settled':
      return '已成团';
    case 'failed':
      return '未成团';
    case 'cancelled':
      return '已取消';
  }
}

export function sharePageModel(input: SharePageInput): SharePageModel {
  const { def, state, now } = input;
  // staff: false whoever reads: one page for everyone, so a photo WeChat has not passed is never on it.
  const view = campaignView(def, state, now, input.imageUrl ? { url: input.imageUrl, staff: false } : undefined);
  // A draft never reaches the page (404 before), but the type allows it: it reads as not open.
  const status: SharePageStatus = view.status === 'draft' ? 'closed' : view.status;
  const tiers = itemTierPhrases(def, state);
  const max = input.maxLines ?? SHARE_PAGE_MAX_LINES;
  const lines: string[] = [];
  let seen = 0;
  for (const entry of input.entries) {
    if (entry.status !== 'active') continue;
    seen++;
    // fullNames false: the public view, whoever asks ("王*"; chatTextLine never prints a phone).
    if (lines.length < max) lines.push(chatTextLine(def, entry, false));
  }
  return {
    title: def.title,
    description: def.description,
    cover: photoOf(view.coverImage),
    status,
    statusLabel: statusLabel(status, now.getTime() < Date.parse(def.opensAt)),
    deadline: `${chinaDateTime(def.closesAt)} 截止`,
    participants: `已接龙 ${state.participants} 人`,
    items: view.items.map((item, i) => ({
      name: item.spec ? `${item.name} ${item.spec}` : item.name,
      price: `¥${formatYuan(item.currentUnitPrice)}`,
      basePrice: item.currentUnitPrice < item.unitPrice ? `¥${formatYuan(item.unitPrice)}` : null,
      tier: tiers[i]!,
      stock: item.remaining === null ? null : item.remaining > 0 ? `剩 ${item.remaining} 份` : '已售罄',
      photos: (item.images ?? []).map(photoOf).filter((p): p is SharePagePhoto => p !== null),
    })),
    lines,
    // Same count as the chat copy's last line: the live participants, never less than what was seen.
    more: seen > lines.length ? `…共 ${Math.max(state.participants, seen)} 人` : null,
    code: input.wxacode
      ? // Relative to /s/{code}: still right behind a path prefix (an API Gateway stage); ref=none credits nobody.
        { kind: 'wxacode', src: `../campaigns/${encodeURIComponent(def.id)}/wxacode?ref=none` }
      : { kind: 'placeholder', shareCode: def.shareCode },
  };
}
