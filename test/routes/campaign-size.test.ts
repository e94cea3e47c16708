import { beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness } from '../helpers/harness.js';

let h: Harness;
let leader: { token: string; userId: string };

beforeAll(async () => {
  h = await harness();
  leader = await h.login('size-leader', '团长');
});

const points = (n: number, from = 1) => Array.from({ length: n }, (_, i) => ({ name: `自提点${from + i}`, address: '幸福小区' }));
const items = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `商品${i + 1}`, unitPrice: 100, stock: 10 }));

describe('every list of a campaign is capped, on create and on edit', () => {
  it('create: more than 50 items or pickup points, 10 tiers, or over-long strings are 400', async () => {
    const bodies = [
      { pickupPoints: points(51) },
      { items: items(51) },
      {
        items: [{ name: '苹果', unitPrice: 1000, tiers: Array.from({ length: 11 }, (_, i) => ({ threshold: i + 1, unitPrice: 999 - i })) }],
      },
      { title: '长'.repeat(101) },
      { pickupPoints: [{ name: '门卫室', address: '址'.repeat(201) }] },
      { items: [{ name: '苹果', spec: '规'.repeat(101), unitPrice: 1000 }] },
    ];
    for (const overrides of bodies) {
      const res = await h.call('POST', '/campaigns', { token: leader.token, body: { ...campaignJson(), ...overrides } });
      expect(res.status, JSON.stringify(overrides).slice(0, 80)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('edit: pickup points and items added over several edits stop at 50 in all, and nothing is written', async () => {
    const c = await h.createCampaign(leader.token, { pickupPoints: points(30), items: items(30) });
    const more = await h.call('PATCH', `/campaigns/${c.id}`, { token: leader.token, body: { addPickupPoints: points(20, 31) } });
    expect(more.status).toBe(200);
    expect(more.body.pickupPoints).toHaveLength(50);
    const over = await h.call('PATCH', `/campaigns/${c.id}`, {
      token: leader.token,
      body: { title: '不该改', addPickupPoints: points(1, 51) },
    });
    expect(over.status).toBe(400);
    expect(over.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ path: 'body.addPickupPoints' }] } });
    const overItems = await h.call('PATCH', `/campaigns/${c.id}`, { token: leader.token, body: { addItems: items(21) } });
    expect(overItems.status).toBe(400);
    expect(overItems.body.error.code).toBe('VALIDATION_FAILED');
    const after = await h.call('GET', `/campaigns/${c.id}`);
    expect(after.body.pickupPoints).toHaveLength(50);
    expect(after.body.items).toHaveLength(30);
    expect(after.body.title).not.toBe('不该改');
  });
});

function campaignJson() {
  return {
    title: '大团',
    opensAt: '2026-12-01T00:00:00.000Z',
    closesAt: '2026-12-03T12:00:00.000Z',
    items: [{ name: '苹果', unitPrice: 1000, stock: 100 }],
  };
}
