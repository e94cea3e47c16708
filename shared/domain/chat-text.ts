import { maskNickname } from './masking.js';
import { formatYuan, type PricedItem, priceItems } from './pricing.js';
import type { CampaignDefinition, CampaignState, Entry, ItemDefinition } from './types.js';

/**
 * "A leader's copy for the group chat": the numbered 接龙 list as leaders paste it into a WeChat
 * group (title, the live tier state, one line per active entry). Pure: the route pages the entries in.
 */

/** Lines of the list in one copy; past it a last "…共 N 人" line says how many there are. */
export const CHAT_TEXT_MAX_LINES = 2000;
/** A nickname may be long; a pasted line should stay one line on a phone. */
const NAME_MAX = 20;

type Def = Pick<CampaignDefinition, 'title' | 'tierBasis' | 'items' | 'pickupPoints'>;
type State = Pick<CampaignState, 'sold' | 'participants'>;

export interface ChatTextInput {
  def: Def;
  state: State;
  /** the entries read, in 接龙 order; only `active` ones become lines */
  entries: Iterable<Entry>;
  /** leader and helpers: full nicknames; everyone else: "王*" */
  fullNames: boolean;
  maxLines?: number;
}

export interface ChatText {
  text: string;
  /** entry lines in the text */
  lines: number;
  /** the list went past maxLines: the text ends with "…共 N 人" */
  truncated: boolean;
}

/**
 * One line per text: a newline in a note or a name would start a new line in the chat, which
 * could even look like another numbered entry. Line breaks and control characters become a space.
 */
export function flattenChatText(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is removed
  return s.replace(/[ \t]*[\u0000-\u001f\u007f\u0085\u2028\u2029]+[ \t]*/g, ' ').trim();
}

const graphemes = new Intl.Segmenter('zh', { granularity: 'grapheme' });

/** At most `max` user-perceived characters (an emoji sequence counts as one and is never split). */
function clip(s: string, max: number): string {
  const parts = Array.from(graphemes.segment(s), (g) => g.segment);
  return parts.length <= max ? s : `${parts.slice(0, max).join('')}…`;
}

const itemLabel = (item: Pick<ItemDefinition, 'name' | 'spec'>) => flattenChatText(item.spec ? `${item.name} ${item.spec}` : item.name);

/** The tier state of one item: what unlocks the next price, or that the lowest price is reached. */
function tierPhrase(item: ItemDefinition, priced: PricedItem, unit: string): string {
  if (priced.nextTier) return `再 ${priced.nextTier.needed} ${unit}解锁 ¥${formatYuan(priced.nextTier.unitPrice)}`;
  if (item.tiers.length > 0) return `已达最低价 ¥${formatYuan(priced.currentUnitPrice)}`;
  return `单价 ¥${formatYuan(priced.currentUnitPrice)}`;
}

/**
 * Each item's tier state as the header words it ("再 3 份解锁 ¥32.90", "已达最低价 ¥32.90", "单价 ¥39.90"),
 * one per item in order: for a page that shows the items one by one (the share page), so both say the same.
 */
export function itemTierPhrases(def: Pick<Def, 'tierBasis' | 'items'>, state: State): string[] {
  const priced = priceItems(def.tierBasis, def.items, state.sold, state.participants);
  const unit = def.tierBasis === 'participants' ? '人' : '份';
  return def.items.map((item, i) => tierPhrase(item, priced[i]!, unit));
}

/**
 * The header: the title, then the live tier state. By units (`quantity`), each item counts its own
 * units ("已接龙 37 份"); by participants, everyone counts once ("已接龙 37 人") and each item says
 * what that unlocks. One item: one line; several: one line per item, named.
 */
export function chatTextHeader(def: Def, state: State): string[] {
  const priced = priceItems(def.tierBasis, def.items, state.sold, state.participants);
  const title = flattenChatText(def.title);
  if (def.tierBasis === 'participants') {
    const count = `已接龙 ${state.participants} 人`;
    if (def.items.length === 1) return [title, `${count}，${tierPhrase(def.items[0]!, priced[0]!, '人')}`];
    return [title, count, ...def.items.map((item, i) => `${itemLabel(item)} ${tierPhrase(item, priced[i]!, '人')}`)];
  }
  const itemLine = (item: ItemDefinition, i: number) => `已接龙 ${priced[i]!.basis} 份，${tierPhrase(item, priced[i]!, '份')}`;
  if (def.items.length === 1) return [title, itemLine(def.items[0]!, 0)];
  return [title, ...def.items.map((item, i) => `${itemLabel(item)} ${itemLine(item, i)}`)];
}

/** "1. 王* 阳光玫瑰 2斤装×2 3号楼门卫室 备注: 晚上取": its own number, kept as it is (gaps stay). */
export function chatTextLine(def: Def, entry: Entry, fullNames: boolean): string {
  const nickname = flattenChatText(entry.nickname);
  const name = fullNames ? clip(nickname, NAME_MAX) || '*' : maskNickname(nickname);
  const items = entry.items
    .map((line) => {
      const item = def.items.find((i) => i.id === line.itemId);
      return `${item ? itemLabel(item) : line.itemId}×${line.qty}`;
    })
    .join('，');
  const parts = [`${entry.seq}.`, name, items];
  const pickup = def.pickupPoints.find((p) => p.id === entry.pickupPointId);
  if (pickup) parts.push(flattenChatText(pickup.name));
  const note = entry.note === null ? '' : flattenChatText(entry.note);
  if (note) parts.push(`备注: ${note}`);
  return parts.filter((p) => p !== '').join(' ');
}

/**
 * The whole copy. Past `maxLines` active entries the rest are left out and a last line says how
 * many there are: `participants` (the live count, which also holds unpaid joins), never less than
 * what was seen.
 */
export function chatText(input: ChatTextInput): ChatText {
  const max = input.maxLines ?? CHAT_TEXT_MAX_LINES;
  const out = chatTextHeader(input.def, input.state);
  let lines = 0;
  let seen = 0;
  for (const entry of input.entries) {
    if (entry.status !== 'active') continue;
    seen++;
    if (lines < max) {
      out.push(chatTextLine(input.def, entry, input.fullNames));
      lines++;
    }
  }
  const truncated = seen > lines;
  if (truncated) out.push(`…共 ${Math.max(input.state.participants, seen)} 人`);
  return { text: `${out.join('\n')}\n`, lines, truncated };
}
