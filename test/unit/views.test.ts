import { describe, expect, it } from 'vitest';
import type { CampaignStatus } from '../../shared/domain/types.js';
import { campaignView, entryView, type Viewer } from '../../shared/domain/views.js';
import { definition, entry, item, pickup, state } from './fixtures.js';

const grapes = item({
  id: 'g',
  name: '阳光玫瑰 2斤装',
  spec: '2斤',
  unitPrice: 3990,
  stock: 200,
  perPersonLimit: 5,
  tiers: [
    { threshold: 20, unitPrice: 3590 },
    { threshold: 50, unitPrice: 3290 },
  ],
});
const eggs = item({ id: 'e', name: '土鸡蛋', unitPrice: 1290, stock: null });
const def = definition({
  id: 'c1',
  opensAt: '2026-12-01T00:00:00.000Z',
  closesAt: '2026-12-03T12:00:00.000Z',
  items: [grapes, eggs],
  pickupPoints: [pickup('p1', '3号楼门卫室')],
  minParticipants: 3,
});
const MIDDLE = new Date('2026-12-02T00:00:00.000Z');

describe('campaignView', () => {
  it('combines definition, live counters and pricing (quantity basis)', () => {
    const view = campaignView(def, state({ participants: 4, sold: { g: 20, e: 3 } }), MIDDLE);
    expect(view).toMatchObject({
      id: 'c1',
      shareCode: def.shareCode,
      leaderId: def.leaderId,
      status: 'open',
      title: def.title,
      description: def.description,
      opensAt: def.opensAt,
      closesAt: def.closesAt,
      tierBasis: 'quantity',
      minParticipants: 3,
      participantCount: 4,
      pickupPoints: [{ id: 'p1', name: '3号楼门卫室', address: null }],
      createdAt: def.createdAt,
    });
    expect(view.items).toEqual([
      { ...grapes, sold: 20, remaining: 180, currentUnitPrice: 3590, nextTier: { threshold: 50, unitPrice: 3290, needed: 30 } },
      { ...eggs, sold: 3, remaining: null, currentUnitPrice: 1290, nextTier: null },
    ]);
  });

  it('remaining is null for unlimited stock and stock − sold otherwise (0 when sold out)', () => {
    const view = campaignView(def, state({ sold: { g: 200, e: 999 } }), MIDDLE);
    expect(view.items.map((i) => i.remaining)).toEqual([0, null]);
    expect(view.items[0]?.nextTier).toBeNull();
    expect(view.items[0]?.currentUnitPrice).toBe(3290);
  });

  it('an item missing from the counters reads as nothing sold', () => {
    const view = campaignView(def, state({ sold: {} }), MIDDLE);
    expect(view.items.map((i) => [i.sold, i.remaining, i.currentUnitPrice])).toEqual([
      [0, 200, 3990],
      [0, null, 1290],
    ]);
    expect(view.items[0]?.nextTier).toEqual({ threshold: 20, unitPrice: 3590, needed: 20 });
  });

  it('participants basis prices every item by participantCount', () => {
    const perHead = definition({
      ...def,
      tierBasis: 'participants',
      items: [
        item({
          id: 'p',
          unitPrice: 1000,
          stock: 10,
          tiers: [
            { threshold: 3, unitPrice: 800 },
            { threshold: 6, unitPrice: 700 },
          ],
        }),
      ],
    });
    const view = campaignView(perHead, state({ participants: 4, sold: { p: 9 } }), MIDDLE);
    expect(view.items[0]).toMatchObject({
      sold: 9,
      remaining: 1,
      currentUnitPrice: 800,
      nextTier: { threshold: 6, unitPrice: 700, needed: 2 },
    });
  });

  it.each<{ name: string; stored: CampaignStatus; now: string; status: CampaignStatus; accepting: boolean }>([
    { name: 'before opensAt', stored: 'open', now: '2026-11-30T23:59:59.999Z', status: 'open', accepting: false },
    { name: 'exactly at opensAt', stored: 'open', now: '2026-12-01T00:00:00.000Z', status: 'open', accepting: true },
    { name: 'just before closesAt', stored: 'open', now: '2026-12-03T11:59:59.999Z', status: 'open', accepting: true },
    { name: 'exactly at closesAt, no job has run', stored: 'open', now: '2026-12-03T12:00:00.000Z', status: 'closed', accepting: false },
    { name: 'a day past closesAt, no job has run', stored: 'open', now: '2026-12-04T12:00:00.000Z', status: 'closed', accepting: false },
    { name: 'closed early by the leader', stored: 'closed', now: '2026-12-02T00:00:00.000Z', status: 'closed', accepting: false },
    { name: 'settled', stored: 'settled', now: '2026-12-05T00:00:00.000Z', status: 'settled', accepting: false },
    { name: 'failed', stored: 'failed', now: '2026-12-05T00:00:00.000Z', status: 'failed', accepting: false },
  ])('status: $name → $status', ({ stored, now, status, accepting }) => {
    const view = campaignView(def, state({ status: stored }), new Date(now));
    expect(view.status).toBe(status);
    expect(view.acceptingEntries).toBe(accepting);
  });
});

describe('entryView: who sees what', () => {
  const e = entry({
    id: 'e1',
    campaignId: 'c1',
    seq: 7,
    userId: 'u_owner',
    nickname: '王小明',
    phone: '13800138000',
    note: '放门口',
    pickupPointId: 'p1',
    items: [{ itemId: 'g', qty: 2 }],
    status: 'active',
  });

  it.each<{ name: string; viewer: Viewer; full: boolean; isMine: boolean | undefined }>([
    { name: 'anonymous (public list)', viewer: { kind: 'public' }, full: false, isMine: undefined },
    { name: 'another user', viewer: { kind: 'user', userId: 'u_other' }, full: false, isMine: false },
    { name: 'the entry owner', viewer: { kind: 'user', userId: 'u_owner' }, full: true, isMine: true },
    { name: 'the leader', viewer: { kind: 'leader', userId: 'u_leader' }, full: true, isMine: false },
    { name: 'the leader who also owns the entry', viewer: { kind: 'leader', userId: 'u_owner' }, full: true, isMine: true },
    { name: 'a helper of the campaign', viewer: { kind: 'helper', userId: 'u_helper' }, full: true, isMine: false },
  ])('$name', ({ viewer, full, isMine }) => {
    const view = entryView(e, viewer);
    // always visible (the contract's public fields)
    expect(view).toMatchObject({ seq: 7, items: [{ itemId: 'g', qty: 2 }], note: '放门口', status: 'active', createdAt: e.createdAt });
    expect(view.id).toBe('e1');
    expect(view.campaignId).toBe('c1');
    if (full) {
      expect(view.nickname).toBe('王小明');
      expect(view).toMatchObject({ userId: 'u_owner', phone: '13800138000' });
    } else {
      expect(view.nickname).toBe('王*');
      expect('phone' in view).toBe(false);
      expect('userId' in view).toBe(false);
      const json = JSON.stringify(view);
      expect(json).not.toContain('13800138000');
      expect(json).not.toContain('u_owner');
      expect(json).not.toContain('小明');
    }
    if (isMine === undefined) expect('isMine' in view).toBe(false);
    else expect((view as { isMine?: boolean }).isMine).toBe(isMine);
  });

  it('masks an emoji nickname without cutting the emoji in half', () => {
    const view = entryView({ ...e, nickname: '🍇葡萄控' }, { kind: 'public' });
    expect(view.nickname).toBe('🍇*');
  });

  it('a null phone stays null for those who may see it', () => {
    const view = entryView({ ...e, phone: null }, { kind: 'leader', userId: 'u_leader' });
    expect(view).toMatchObject({ phone: null });
  });

  it('a cancelled entry keeps its number and shows as cancelled', () => {
    const view = entryView({ ...e, status: 'cancelled' }, { kind: 'public' });
    expect(view).toMatchObject({ seq: 7, status: 'cancelled' });
  });
});
