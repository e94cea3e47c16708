import { describe, expect, it } from 'vitest';
import { messageScheduleFromConfig } from '../../functions/bootstrap.js';
import { ConfigError, parseConfig } from '../../shared/config.js';
import { FIELD_SOURCES, holdWantsReminder, MESSAGE_EVENTS, TemplatesSchema } from '../../shared/domain/index.js';
import { messageSchedule } from '../../shared/messages/index.js';

const base = { TABLE_NAME: 'tuangou-test' };
const both = JSON.stringify({
  'hold-expiring': { templateId: 'hold-1', data: { thing1: 'title', time2: 'deadline' } },
  'new-entries': { templateId: 'digest-1', data: { thing1: 'title', number2: 'count' } },
});

describe('hold reminders and leader digests: configuration', () => {
  it('defaults to a 5-minute lead and a 60-minute interval, for the events that have a template', () => {
    const config = parseConfig({ ...base, WECHAT_SUBSCRIBE_TEMPLATES: both });
    expect(config).toMatchObject({ WECHAT_HOLD_REMINDER_MINUTES: 5, WECHAT_DIGEST_INTERVAL_MINUTES: 60 });
    expect(messageScheduleFromConfig(config)).toEqual({ holdReminderLeadMs: 5 * 60_000, digestIntervalMs: 60 * 60_000 });
    // no template for an event: nothing is looked for
    expect(messageScheduleFromConfig(parseConfig(base))).toEqual({ holdReminderLeadMs: null, digestIntervalMs: null });
    const onlyDigest = JSON.stringify({ 'new-entries': { templateId: 'digest-1', data: { number1: 'count' } } });
    expect(messageScheduleFromConfig(parseConfig({ ...base, WECHAT_SUBSCRIBE_TEMPLATES: onlyDigest }))).toEqual({
      holdReminderLeadMs: null,
      digestIntervalMs: 3_600_000,
    });
  });

  it('0 turns either off; bad values are refused by name', () => {
    const config = parseConfig({
      ...base,
      WECHAT_SUBSCRIBE_TEMPLATES: both,
      WECHAT_HOLD_REMINDER_MINUTES: '0',
      WECHAT_DIGEST_INTERVAL_MINUTES: '0',
    });
    expect(messageScheduleFromConfig(config)).toEqual({ holdReminderLeadMs: null, digestIntervalMs: null });
    expect(
      messageScheduleFromConfig(parseConfig({ ...base, WECHAT_SUBSCRIBE_TEMPLATES: both, WECHAT_DIGEST_INTERVAL_MINUTES: '15' })),
    ).toMatchObject({
      digestIntervalMs: 15 * 60_000,
    });
    for (const [key, value] of [
      ['WECHAT_HOLD_REMINDER_MINUTES', '-1'],
      ['WECHAT_HOLD_REMINDER_MINUTES', '61'],
      ['WECHAT_HOLD_REMINDER_MINUTES', 'soon'],
      ['WECHAT_DIGEST_INTERVAL_MINUTES', '1.5'],
    ] as const) {
      expect(() => parseConfig({ ...base, [key]: value })).toThrow(ConfigError);
      expect(() => parseConfig({ ...base, [key]: value })).toThrow(key);
    }
  });

  it('the new events and sources are template configuration like the others', () => {
    expect(MESSAGE_EVENTS).toEqual(expect.arrayContaining(['hold-expiring', 'new-entries']));
    expect(FIELD_SOURCES).toEqual(expect.arrayContaining(['count', 'deadline']));
    expect(TemplatesSchema.safeParse(JSON.parse(both)).success).toBe(true);
    expect(messageSchedule(TemplatesSchema.parse(JSON.parse(both)), { holdReminderMinutes: 3 })).toMatchObject({
      holdReminderLeadMs: 180_000,
    });
  });

  it('only a hold at least twice the lead gets a reminder', () => {
    const lead = 5 * 60_000;
    expect(holdWantsReminder('2026-12-01T00:00:00.000Z', '2026-12-01T00:15:00.000Z', lead)).toBe(true);
    expect(holdWantsReminder('2026-12-01T00:00:00.000Z', '2026-12-01T00:10:00.000Z', lead)).toBe(true);
    expect(holdWantsReminder('2026-12-01T00:00:00.000Z', '2026-12-01T00:09:59.000Z', lead)).toBe(false);
    expect(holdWantsReminder('2026-12-01T00:00:00.000Z', '2026-12-01T00:15:00.000Z', 0)).toBe(false);
  });
});
