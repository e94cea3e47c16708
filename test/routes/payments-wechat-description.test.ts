import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOrder } from '../../shared/money/orders.js';
import { T0 } from '../helpers/harness.js';
import { expectValidPaySign, type PayHarness, payHarness } from '../helpers/wechatpay-harness.js';

/**
 * The order description WeChat Pay shows in the payer's bill comes from the campaign title. The fake
 * refuses what WeChat refuses (4-byte characters, over 127 bytes, another description for the same
 * out_trade_no), so these campaigns are payable only if the description is made right, once.
 */
let h: PayHarness;
let leader: { token: string; userId: string };
let k = 0;

beforeAll(async () => {
  h = await payHarness();
  leader = await h.login('wxd-leader', '团长');
});
afterAll(async () => h?.close());

async function prepaid(title: string) {
  h.clock.set(T0);
  return h.createCampaign(leader.token, {
    title,
    minParticipants: 1,
    paymentMode: 'wechatpay',
    items: [{ name: '阳光玫瑰', unitPrice: 3990, stock: 10 }],
  });
}

async function join(c: { id: string }) {
  const m = await h.login(`wxd-m-${k++}`, `成员${k}`);
  const res = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
  return { m, res };
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('prepaid campaigns whose title WeChat Pay would refuse as it is', () => {
  it.each([
    { name: 'emoji', title: '🍇🔥 阳光玫瑰 今晚截单', expected: '阳光玫瑰 今晚截单 #1' },
    { name: 'emoji only', title: '🍇🔥🍓', expected: '团购 #1' },
    { name: 'symbols', title: '【限时】草莓&蓝莓 <特价> 100% ¥29.9 ★', expected: '【限时】草莓&蓝莓 <特价> 100% ¥29.9 ★ #1' },
  ])('$name: the join gets a payable order', async ({ title, expected }) => {
    const c = await prepaid(title);
    const { res } = await join(c);
    expect(res.status, res.text).toBe(201);
    expectValidPaySign(h.fake, res.body.payment.requestPayment);
    expect(h.fake.orders.get(res.body.payment.outTradeNo)?.description).toBe(expected);
    // stored on the order, so later calls send it again unchanged
    expect((await getOrder(h.db, res.body.payment.outTradeNo))?.description).toBe(expected);
    await h.fake.pay(res.body.payment.outTradeNo);
    expect((await h.call('GET', `/campaigns/${c.id}/entries`, { token: leader.token })).body.entries[0].status).toBe('active');
  });

  it('long Chinese text (over 42 characters, 127 bytes): cut between characters, payable', async () => {
    const title = '山东烟台栖霞红富士苹果产地直发脆甜多汁'.repeat(5); // 95 characters
    const c = await prepaid(title);
    const { res } = await join(c);
    expect(res.status, res.text).toBe(201);
    const description = h.fake.orders.get(res.body.payment.outTradeNo)!.description;
    expect(bytes(description)).toBeLessThanOrEqual(127);
    expect(description.endsWith('… #1')).toBe(true);
    expect(title.startsWith(description.slice(0, -'… #1'.length))).toBe(true);
  });
});

describe('the title edited between two prepay calls', () => {
  it('the second call sends the stored description again: same order, same prepay_id, no refusal', async () => {
    const c = await prepaid('周六 阳光玫瑰葡萄 团购');
    const { m, res } = await join(c);
    expect(res.status).toBe(201);
    const edit = await h.call('PATCH', `/campaigns/${c.id}`, { token: leader.token, body: { title: '周日 阳光玫瑰葡萄 改期' } });
    expect(edit.status).toBe(200);
    const again = await h.call('POST', `/campaigns/${c.id}/entries/${res.body.id}/payment/prepay`, { token: m.token });
    expect(again.status, again.text).toBe(200);
    expect(again.body.outTradeNo).toBe(res.body.payment.outTradeNo);
    expect(again.body.requestPayment.package).toBe(res.body.payment.requestPayment.package);
    expect(h.fake.orders.get(res.body.payment.outTradeNo)?.description).toBe('周六 阳光玫瑰葡萄 团购 #1');
    // an emoji put into the title later changes nothing either
    await h.call('PATCH', `/campaigns/${c.id}`, { token: leader.token, body: { title: '🍇 改期' } });
    expect((await h.call('POST', `/campaigns/${c.id}/entries/${res.body.id}/payment/prepay`, { token: m.token })).status).toBe(200);
  });

  it('a new order after the edit (a top-up) takes the new title', async () => {
    const c = await prepaid('周六 葡萄');
    const { m, res } = await join(c);
    await h.fake.pay(res.body.payment.outTradeNo);
    await h.call('PATCH', `/campaigns/${c.id}`, { token: leader.token, body: { title: '周日 葡萄🍇' } });
    const raised = await h.call('PATCH', `/campaigns/${c.id}/entries/${res.body.id}`, {
      token: m.token,
      body: { items: [{ itemId: 'i1', qty: 2 }] },
    });
    expect(raised.status, raised.text).toBe(200);
    expect(h.fake.orders.get(raised.body.payment.outTradeNo)?.description).toBe('周日 葡萄 #1');
  });
});
