/**
 * The public 接龙 list shows "王*", never the full nickname: the first character (a whole code
 * point, so emoji and rare CJK characters are not cut in half), then one asterisk.
 */
export function maskNickname(nickname: string): string {
  const first = Array.from(nickname.trim())[0];
  return first ? `${first}*` : '*';
}
