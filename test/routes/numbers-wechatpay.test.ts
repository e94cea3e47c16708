import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getMembership } from '../../shared/communities/index.js';
import { communityNumbers } from '../../shared/numbers/index.js';
import { getPointsBalance } from '../../shared/points/index.js';
import { T0 } from '../helpers/harness.js';
import { type PayHarness, payHarness } from '../helpers/wechatpay-harness.js';

/**
 * A prepaid campaign of a community, through the fake WeChat Pay: 退差价 refunds at settling are not
 * refunds of what was bought (the folded amount is already the final price), the refunds a call-off
 * after the fold sends are, each once as WeChat reports it; the settlement's points (joining, paying
 * on time) are taken back.
 */
let h: PayHarness;
let leader: { token: string; userId: string };

beforeAll(async () => {
  h = await payHarness();
  leader = await h.login('nw-leader', '团长');
});
afterAll(() => h.close());

async function finishRefunds() {
  await h.fake.settleRefunds();
  await h.fake.idle();
}

describe('numbers of a prepaid community campaign', () => {
  it('settlement refunds are not counted, call-off refunds are (once), and the points go back', async () => {
    h.clock.set(T0);
    const communityId = (await h.call('POST', '/communities', { token: leader.token, body: { name: '邻里团' } })).body.id;
    const rules = await h.call('PUT', `/communities/${communityId}/points-rules`, {
      token: leader.token,
      body: {
        earn: { joinSucceeded: 10, paidOnTime: 5, pickedUp: 0, reviewed: 0, referral: 0 },
        spend: { enabled: false, fenPerPoint: 1, maxFenPerEntry: 0, maxPercentOfEntry: 0 },
        titles: [],
      },
    });
    expect(rules.status).toBe(200);
    const c = await h.createCampaign(leader.token, {
      communityId,
      minParticipants: 1,
      paymentMode: 'wechatpay',
      items: [{ name: '阳光玫瑰', unitPrice: 3990, stock: 20, tiers: [{ threshold: 3, unitPrice: 3590 }] }],
    });
    const members = [];
    for (let i = 0; i < 3; i++) {
      const m = await h.login(`nw-m${i}`, `团友${i}`);
      const res = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
      expect(res.status).toBe(201);
      await h.fake.pay(res.body.payment.outTradeNo);
      members.push(m);
    }
    h.clock.set('2026-12-04T00:00:00.000Z');
    expect((await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token })).status).toBe(200);
    await finishRefunds(); // 退差价: 400 each
    const swept = await h.sweep();
    expect(swept.folded).toEqual([c.id]);
    for (const m of members) {
      expect((await getMembership(h.db, communityId, m.userId))?.book).toMatchObject({ campaigns: 1, amount: 3590, refunded: 0 });
      expect((await getPointsBalance(h.db, communityId, m.userId))?.balance).toBe(15);
    }
    expect((await h.call('POST', `/campaigns/${c.id}/call-off`, { token: leader.token, body: { reason: '供货商断货' } })).status).toBe(200);
    await finishRefunds();
    await h.sweep();
    await finishRefunds();
    for (const m of members) {
      expect((await getMembership(h.db, communityId, m.userId))?.book).toMatchObject({ campaigns: 1, amount: 3590, refunded: 3590 });
      expect((await getPointsBalance(h.db, communityId, m.userId))?.balance).toBe(0);
    }
    const numbers = await communityNumbers(h.db, communityId, 30, h.clock.now());
    expect(numbers.totals).toMatchObject({ purchases: 3, revenue: 3 * 3590, refunded: 3 * 3590 });
  });
});
