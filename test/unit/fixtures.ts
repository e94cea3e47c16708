/**
 * Small builders for the pure-module unit tests. Every value a test relies on is passed in
 * explicitly by that test; the defaults here are only there to make the shapes complete.
 */
import type { CampaignDefinition, CampaignState, Entry, ItemDefinition, PickupPoint, Tier } from '../../shared/domain/types.js';

export function item(overrides: Partial<ItemDefinition> & { id: string }): ItemDefinition {
  return {
    name: `商品 ${overrides.id}`,
    spec: null,
    unitPrice: 1000,
    stock: null,
    perPersonLimit: null,
    tiers: [] as Tier[],
    ...overrides,
  };
}

export function pickup(id: string, name: string): PickupPoint {
  return { id, name, address: null };
}

export function definition(overrides: Partial<CampaignDefinition> = {}): CampaignDefinition {
  return {
    id: 'c1',
    shareCode: 'ABCD2345',
    leaderId: 'u_leader',
    title: '周六 阳光玫瑰葡萄 团购',
    description: '产地直发',
    opensAt: '2026-12-01T00:00:00.000Z',
    closesAt: '2026-12-03T12:00:00.000Z',
    tierBasis: 'quantity',
    minParticipants: 1,
    items: [],
    pickupPoints: [],
    createdAt: '2026-11-30T00:00:00.000Z',
    paymentMode: 'offline',
    paymentHoldMinutes: 15,
    maxEntriesPerUser: 1,
    ...overrides,
  };
}

export function state(overrides: Partial<CampaignState> = {}): CampaignState {
  return {
    status: 'open',
    seq: 0,
    participants: 0,
    sold: {},
    closedAt: null,
    settledAt: null,
    callOff: null,
    ...overrides,
  };
}

export function entry(overrides: Partial<Entry> & { id: string; seq: number; userId: string }): Entry {
  return {
    campaignId: 'c1',
    nickname: '王小明',
    items: [],
    note: null,
    pickupPointId: null,
    phone: null,
    status: 'active',
    createdAt: '2026-12-01T08:00:00.000Z',
    updatedAt: '2026-12-01T08:00:00.000Z',
    version: 1,
    ...overrides,
  };
}
