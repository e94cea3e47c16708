/**
 * WeChat Pay's time format: RFC 3339 to the second with an offset, e.g. "2026-12-03T20:00:00+08:00".
 * We write Beijing time, as the docs' examples do; WeChat accepts any offset and we parse any.
 */
export function toWechatTime(d: Date): string {
  const beijing = new Date(d.getTime() + 8 * 3600_000);
  return `${beijing.toISOString().slice(0, 19)}+08:00`;
}
