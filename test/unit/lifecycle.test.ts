import { describe, expect, it } from 'vitest';
import { acceptsEntries, canSettle, effectiveStatus, notOpenReason } from '../../shared/domain/lifecycle.js';
import type { CampaignStatus } from '../../shared/domain/types.js';

const window = { opensAt: '2026-12-01T00:00:00.000Z', closesAt: '2026-12-03T12:00:00.000Z' };

const T = {
  beforeOpen: new Date('2026-11-30T23:59:59.999Z'),
  atOpen: new Date('2026-12-01T00:00:00.000Z'),
  middle: new Date('2026-12-02T09:30:00.000Z'),
  justBeforeClose: new Date('2026-12-03T11:59:59.999Z'),
  atClose: new Date('2026-12-03T12:00:00.000Z'),
  afterClose: new Date('2026-12-04T00:00:00.000Z'),
} as const;
type Moment = keyof typeof T;

describe('effectiveStatus: a campaign past closesAt reads as closed even before any job has run', () => {
  it.each<{ stored: CampaignStatus; at: Moment; expected: CampaignStatus }>([
    { stored: 'open', at: 'beforeOpen', expected: 'open' },
    { stored: 'open', at: 'atOpen', expected: 'open' },
    { stored: 'open', at: 'middle', expected: 'open' },
    { stored: 'open', at: 'justBeforeClose', expected: 'open' },
    { stored: 'open', at: 'atClose', expected: 'closed' },
    { stored: 'open', at: 'afterClose', expected: 'closed' },
    { stored: 'closed', at: 'middle', expected: 'closed' },
    { stored: 'closed', at: 'afterClose', expected: 'closed' },
    { stored: 'settled', at: 'middle', expected: 'settled' },
    { stored: 'settled', at: 'afterClose', expected: 'settled' },
    { stored: 'failed', at: 'afterClose', expected: 'failed' },
    { stored: 'failed', at: 'atClose', expected: 'failed' },
  ])('stored $stored at $at → $expected', ({ stored, at, expected }) => {
    expect(effectiveStatus(stored, window.closesAt, T[at])).toBe(expected);
  });
});

describe('acceptsEntries / notOpenReason: open only in [opensAt, closesAt) while stored open', () => {
  it.each<{ stored: CampaignStatus; at: Moment; accepts: boolean; reason: ReturnType<typeof notOpenReason> }>([
    { stored: 'open', at: 'beforeOpen', accepts: false, reason: 'not_yet_open' },
    { stored: 'open', at: 'atOpen', accepts: true, reason: null },
    { stored: 'open', at: 'middle', accepts: true, reason: null },
    { stored: 'open', at: 'justBeforeClose', accepts: true, reason: null },
    { stored: 'open', at: 'atClose', accepts: false, reason: 'past_deadline' },
    { stored: 'open', at: 'afterClose', accepts: false, reason: 'past_deadline' },
    { stored: 'closed', at: 'atOpen', accepts: false, reason: 'closed' },
    { stored: 'closed', at: 'middle', accepts: false, reason: 'closed' },
    { stored: 'closed', at: 'afterClose', accepts: false, reason: 'closed' },
    { stored: 'settled', at: 'middle', accepts: false, reason: 'settled' },
    { stored: 'settled', at: 'afterClose', accepts: false, reason: 'settled' },
    // a failed campaign is one that was settled as failed: no changes either
    { stored: 'failed', at: 'middle', accepts: false, reason: 'settled' },
    { stored: 'failed', at: 'afterClose', accepts: false, reason: 'settled' },
  ])('stored $stored at $at → accepts $accepts, reason $reason', ({ stored, at, accepts, reason }) => {
    expect(acceptsEntries(window, { status: stored }, T[at])).toBe(accepts);
    expect(notOpenReason(window, { status: stored }, T[at])).toBe(reason);
  });

  it('accepts exactly when there is no reason to refuse, at every millisecond around both edges', () => {
    const edges = [Date.parse(window.opensAt), Date.parse(window.closesAt)];
    for (const edge of edges) {
      for (let d = -3; d <= 3; d++) {
        const now = new Date(edge + d);
        for (const status of ['open', 'closed', 'settled', 'failed'] as const) {
          expect(acceptsEntries(window, { status }, now)).toBe(notOpenReason(window, { status }, now) === null);
        }
      }
    }
  });
});

describe('canSettle: only when the list is frozen (closed by the leader, or past the deadline)', () => {
  it.each<{ stored: CampaignStatus; at: Moment; expected: boolean }>([
    { stored: 'open', at: 'beforeOpen', expected: false },
    { stored: 'open', at: 'middle', expected: false },
    { stored: 'open', at: 'justBeforeClose', expected: false },
    { stored: 'open', at: 'atClose', expected: true },
    { stored: 'open', at: 'afterClose', expected: true },
    { stored: 'closed', at: 'beforeOpen', expected: true },
    { stored: 'closed', at: 'middle', expected: true },
    { stored: 'closed', at: 'afterClose', expected: true },
    // already settled: settleCampaign answers a repeat from the stored settlement instead
    { stored: 'settled', at: 'afterClose', expected: false },
    { stored: 'failed', at: 'afterClose', expected: false },
  ])('stored $stored at $at → $expected', ({ stored, at, expected }) => {
    expect(canSettle(window, { status: stored }, T[at])).toBe(expected);
  });
});
