import { describe, expect, it } from 'vitest';
import { CampaignCache } from '../../shared/campaigns/cache.js';
import type { CampaignSnapshot } from '../../shared/campaigns/snapshot.js';
import type { CampaignDefinition } from '../../shared/domain/types.js';
import { initialState, toState } from '../../shared/table/records.js';

const def = (id: string): CampaignDefinition => ({
  id,
  shareCode: 'ABCDEFGH',
  leaderId: 'u1',
  title: 't',
  description: '',
  opensAt: '2026-12-01T00:00:00.000Z',
  closesAt: '2026-12-03T00:00:00.000Z',
  tierBasis: 'quantity',
  minParticipants: 1,
  createdAt: '2026-12-01T00:00:00.000Z',
  items: [
    { id: 'i1', name: 'a', spec: null, unitPrice: 100, stock: 10, perPersonLimit: null, tiers: [] },
    { id: 'i2', name: 'b', spec: null, unitPrice: 100, stock: null, perPersonLimit: null, tiers: [] },
  ],
  pickupPoints: [],
  paymentMode: 'offline',
  paymentHoldMinutes: 15,
  maxEntriesPerUser: 1,
});
const snapshot = (id: string): CampaignSnapshot => {
  const stateRecord = initialState(def(id));
  return { def: def(id), stateRecord, state: toState(stateRecord), settlement: null };
};

describe('CampaignCache', () => {
  it('expires entries after the ttl', () => {
    let t = 0;
    const cache = new CampaignCache(1000, 10, () => t);
    cache.put(snapshot('c1'));
    t = 1000;
    expect(cache.get('c1')?.def.id).toBe('c1');
    t = 1001;
    expect(cache.get('c1')).toBeUndefined();
  });

  it('evicts the oldest entry beyond its size', () => {
    const cache = new CampaignCache(1000, 2, () => 0);
    cache.put(snapshot('c1'));
    cache.put(snapshot('c2'));
    cache.put(snapshot('c3'));
    expect(cache.get('c1')).toBeUndefined();
    expect(cache.get('c2')).toBeDefined();
    expect(cache.get('c3')).toBeDefined();
  });

  it('merges partial counters from a reserve step (UPDATED_NEW) without losing other items', () => {
    const cache = new CampaignCache(1000, 10, () => 0);
    cache.put(snapshot('c1'));
    cache.updateState('c1', { seq: 4, participants: 4, sold: { i1: 7 }, remaining: { i1: 3 }, version: 9 });
    const s = cache.get('c1')!;
    expect(s.stateRecord).toMatchObject({ seq: 4, participants: 4, sold: { i1: 7, i2: 0 }, remaining: { i1: 3 }, version: 9 });
    expect(s.state).toMatchObject({ seq: 4, participants: 4, sold: { i1: 7, i2: 0 } });
  });

  it('ignores updates for campaigns it does not hold', () => {
    const cache = new CampaignCache(1000, 10, () => 0);
    cache.updateState('nope', { seq: 1 });
    expect(cache.get('nope')).toBeUndefined();
  });
});
