import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CAMPAIGN_VALUE_FEN, WECHATPAY_MAX_ORDER_FEN } from '../../shared/domain/index.js';
import { T0 } from '../helpers/harness.js';
import { type PayHarness, payHarness } from '../helpers/wechatpay-harness.js';

let h: PayHarness;
let leader: { token: string; userId: string };
let k = 0;

beforeAll(async () => {
  h = await payHarness();
  leader = await h.login('mb-leader', '团长');
});
afterAll(async () => h?.close());

const base = { title: '贵重团', opensAt: T0, closesAt: '2026-12-03T12:00:00.000Z', minParticipants: 1 };
const create = (body: Record<string, unknown>) => h.call('POST', '/campaigns', { token: leader.token, body: { ...base, ...body } });
const member = () => h.login(`mb-m-${k++}`, `成员${k}`);
/** ¥1,000,000 a unit: ten units are WeChat Pay's largest order. */
const PRICE = 100_000_000;

describe('money bounds at creation and edit: every possible total stays a safe integer', () => {
  it('the bounds themselves: the campaign bound leaves room for every sum the API makes; WeChat Pay allows ¥10,000,000 an order', () => {
    expect(MAX_CAMPAIGN_VALUE_FEN * 90).toBeLessThan(Number.MAX_SAFE_INTEGER);
    expect(WECHATPAY_MAX_ORDER_FEN).toBe(1_000_000_000);
  });

  it('50 items at the largest price and stock are refused (400 AMOUNT_TOO_LARGE), as is one unlimited item too dear', async () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ name: `金条${i}`, unitPrice: PRICE, stock: 10_000_000 }));
    const all = await create({ items });
    expect(all.status).toBe(400);
    expect(all.body.error).toMatchObject({ code: 'AMOUNT_TOO_LARGE', details: { limit: MAX_CAMPAIGN_VALUE_FEN } });
    // Unlimited stock counts as the largest stock (10,000,000 units).
    const unlimited = await create({ items: [{ name: '无限', unitPrice: PRICE }] });
    expect(unlimited.status).toBe(400);
    expect(unlimited.body.error.code).toBe('AMOUNT_TOO_LARGE');
    // Large, but bounded: fine.
    expect((await create({ items: [{ name: '金条', unitPrice: PRICE, stock: 100_000 }] })).status).toBe(201);
  });

  it('an edit that would pass the bound (more stock, new items) is refused and changes nothing', async () => {
    const c = (await create({ items: [{ name: '金条', unitPrice: PRICE, stock: 100_000 }] })).body;
    const more = await h.call('PATCH', `/campaigns/${c.id}`, {
      token: leader.token,
      body: { stock: [{ itemId: 'i1', stock: 10_000_000 }] },
    });
    expect(more.status).toBe(400);
    expect(more.body.error.code).toBe('AMOUNT_TOO_LARGE');
    const added = await h.call('PATCH', `/campaigns/${c.id}`, {
      token: leader.token,
      body: { addItems: Array.from({ length: 49 }, (_, i) => ({ name: `金${i}`, unitPrice: PRICE })) },
    });
    expect(added.status).toBe(400);
    const after = (await h.call('GET', `/campaigns/${c.id}`)).body;
    expect(after.items).toHaveLength(1);
    expect(after.items[0].stock).toBe(100_000);
  });
});

describe('a prepaid entry never asks WeChat Pay for more than its per-order maximum', () => {
  it('join: above ¥10,000,000 is 400 AMOUNT_TOO_LARGE with nothing held; at it, the order is made', async () => {
    const c = (await create({ paymentMode: 'wechatpay', items: [{ name: '金条', unitPrice: PRICE, stock: 100 }] })).body;
    const m = await member();
    const over = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 11 }] } });
    expect(over.status).toBe(400);
    expect(over.body.error).toMatchObject({ code: 'AMOUNT_TOO_LARGE', details: { amount: 11 * PRICE, limit: WECHATPAY_MAX_ORDER_FEN } });
    const state = (await h.call('GET', `/campaigns/${c.id}`)).body;
    expect(state.participantCount).toBe(0);
    expect(state.items[0].remaining).toBe(100);
    const atLimit = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 10 }] } });
    expect(atLimit.status, atLimit.text).toBe(201);
    expect(atLimit.body.payment.amount).toBe(WECHATPAY_MAX_ORDER_FEN);
  });

  it('change: raising a paid entry above the maximum is refused too', async () => {
    const c = (await create({ paymentMode: 'wechatpay', items: [{ name: '金条', unitPrice: PRICE, stock: 100 }] })).body;
    const m = await member();
    const joined = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    await h.fake.pay(joined.body.payment.outTradeNo);
    const raised = await h.call('PATCH', `/campaigns/${c.id}/entries/${joined.body.id}`, {
      token: m.token,
      body: { items: [{ itemId: 'i1', qty: 11 }] },
    });
    expect(raised.status).toBe(400);
    expect(raised.body.error.code).toBe('AMOUNT_TOO_LARGE');
  });

  it('an offline campaign has no such maximum (the leader collects outside the app)', async () => {
    const c = (await create({ items: [{ name: '金条', unitPrice: PRICE, stock: 100 }] })).body;
    const m = await member();
    expect(
      (await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 11 }] } })).status,
    ).toBe(201);
  });
});
