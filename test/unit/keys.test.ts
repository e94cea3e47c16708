import { describe, expect, it } from 'vitest';
import { entryIds, entrySortKey, indexKeys, keys } from '../../shared/table/keys.js';

describe('keys: one item collection per campaign (pk = CAMPAIGN#<id>)', () => {
  it.each([
    { name: 'campaign definition', key: keys.campaignMeta('c1'), expected: { pk: 'CAMPAIGN#c1', sk: '#META' } },
    { name: 'live counters', key: keys.campaignState('c1'), expected: { pk: 'CAMPAIGN#c1', sk: '#STATE' } },
    { name: 'settlement', key: keys.settlement('c1'), expected: { pk: 'CAMPAIGN#c1', sk: '#SETTLEMENT' } },
    { name: 'member claim', key: keys.member('c1', 'u1'), expected: { pk: 'CAMPAIGN#c1', sk: 'MEMBER#u1' } },
    { name: 'entry (by its number)', key: keys.entry('c1', 12), expected: { pk: 'CAMPAIGN#c1', sk: 'ENTRY#0000000012' } },
    { name: 'share code', key: keys.shareCode('ABCD2345'), expected: { pk: 'SHARE#ABCD2345', sk: '#SHARE' } },
    { name: 'user profile', key: keys.user('u1'), expected: { pk: 'USER#u1', sk: '#PROFILE' } },
  ])('$name', ({ key, expected }) => {
    expect(key).toEqual(expected);
  });

  it('campaignPartition is the pk every per-campaign key uses', () => {
    expect(keys.campaignPartition('c1')).toBe('CAMPAIGN#c1');
    for (const k of [
      keys.campaignMeta('c1'),
      keys.campaignState('c1'),
      keys.settlement('c1'),
      keys.member('c1', 'u'),
      keys.entry('c1', 1),
    ]) {
      expect(k.pk).toBe(keys.campaignPartition('c1'));
    }
  });

  it('no two kinds of item in a campaign share a sort key, even for look-alike ids', () => {
    const sks = [
      keys.campaignMeta('c1').sk,
      keys.campaignState('c1').sk,
      keys.settlement('c1').sk,
      keys.member('c1', 'x').sk,
      keys.entry('c1', 1).sk,
      keys.member('c1', 'META').sk,
      keys.member('c1', 'ENTRY#0000000001').sk,
      keys.helper('c1', 'x').sk,
    ];
    expect(new Set(sks).size).toBe(sks.length);
  });

  it('different campaigns never share a partition', () => {
    expect(keys.campaignState('c1').pk).not.toBe(keys.campaignState('c2').pk);
    expect(keys.shareCode('c1').pk).not.toBe(keys.campaignMeta('c1').pk);
    expect(keys.user('c1').pk).not.toBe(keys.campaignMeta('c1').pk);
  });
});

describe('entrySortKey: zero-padded so string order is numeric order', () => {
  it.each([
    { seq: 0, sk: 'ENTRY#0000000000' },
    { seq: 1, sk: 'ENTRY#0000000001' },
    { seq: 12, sk: 'ENTRY#0000000012' },
    { seq: 100, sk: 'ENTRY#0000000100' },
    { seq: 9_999_999_999, sk: 'ENTRY#9999999999' },
  ])('$seq → $sk', ({ seq, sk }) => {
    expect(entrySortKey(seq)).toBe(sk);
    expect(keys.entry('c1', seq).sk).toBe(sk);
  });

  it('sorting the keys as strings gives numeric order', () => {
    const seqs = [1, 2, 9, 10, 11, 19, 20, 99, 100, 101, 999, 1000, 10_000, 123_456];
    const shuffled = [...seqs].reverse().map(entrySortKey);
    expect(shuffled.sort()).toEqual(seqs.map(entrySortKey));
  });
});

describe('entryIds: e<seq>_<token>, the number says where the line is stored', () => {
  it('round-trips', () => {
    for (const seq of [1, 9, 10, 12_345, 9_999_999_999]) {
      expect(entryIds.parse(entryIds.of(seq, 'k3j9x2m4q8zt'))).toEqual({ seq, token: 'k3j9x2m4q8zt' });
    }
    expect(entryIds.parse(entryIds.void(7))).toEqual({ seq: 7, token: 'void' });
  });

  it.each([
    '',
    'e',
    'e_',
    'e1',
    'e1_',
    'e0_tok',
    'e01_tok',
    'e-1_tok',
    'e1.5_tok',
    'E1_tok',
    'e1_TOK',
    'e1_to k',
    'e1_tok/x',
    'e10000000000_tok',
    'e99999999999999999999_tok',
    `e1_${'a'.repeat(33)}`,
    'x1_tok',
    ' e1_tok',
    'e1_tok ',
    'e_0123456789abcdefghjk',
    'ENTRY#0000000001',
    '../e1_tok',
    'e１_tok',
  ])('%j names nothing (lookups answer 404 without reading)', (id) => {
    expect(entryIds.parse(id)).toBeNull();
  });
});

describe('indexKeys', () => {
  it('gsi1: campaigns a user leads, newest first by createdAt then id', () => {
    expect(indexKeys.campaignByLeader('u1', '2026-11-30T00:00:00.000Z', 'c1')).toEqual({
      gsi1pk: 'LEADER#u1',
      gsi1sk: '2026-11-30T00:00:00.000Z#c1',
    });
    expect(indexKeys.leaderPartition('u1')).toBe('LEADER#u1');
  });

  it('gsi1: entries a user made, newest first by createdAt then id', () => {
    expect(indexKeys.entryByParticipant('u1', '2026-12-02T08:00:00.000Z', 'e1')).toEqual({
      gsi1pk: 'PARTICIPANT#u1',
      gsi1sk: '2026-12-02T08:00:00.000Z#e1',
    });
    expect(indexKeys.participantPartition('u1')).toBe('PARTICIPANT#u1');
  });

  it("a user's led campaigns and joined entries live in different gsi1 partitions", () => {
    expect(indexKeys.leaderPartition('u1')).not.toBe(indexKeys.participantPartition('u1'));
  });

  it('gsi1 sort keys order by time', () => {
    const earlier = indexKeys.entryByParticipant('u1', '2026-12-02T08:00:00.000Z', 'zzz').gsi1sk;
    const later = indexKeys.entryByParticipant('u1', '2026-12-02T08:00:00.001Z', 'aaa').gsi1sk;
    expect(earlier < later).toBe(true);
  });

  it('gsi2: open campaigns by deadline', () => {
    expect(indexKeys.openByClose('2026-12-03T12:00:00.000Z', 'c1')).toEqual({ gsi2pk: 'OPEN', gsi2sk: '2026-12-03T12:00:00.000Z#c1' });
    expect(indexKeys.openPartition).toBe('OPEN');
  });

  it('helpers live in the campaign collection without a # prefix (the campaign read skips them); rate windows by scope and user', () => {
    expect(keys.helper('c1', 'u1')).toEqual({ pk: 'CAMPAIGN#c1', sk: 'HELPER#u1' });
    expect(keys.helper('c1', 'u1').sk.startsWith('#')).toBe(false);
    expect(keys.helper('c1', 'u1').sk.startsWith(keys.helperPrefix())).toBe(true);
    expect(keys.helper('c1', 'x').sk).not.toBe(keys.member('c1', 'x').sk);
    expect(keys.rateWindow('join', 'u1', '2026-12-01T00:00:00.000Z')).toEqual({ pk: 'RATE#join#u1', sk: '2026-12-01T00:00:00.000Z' });
  });
});
