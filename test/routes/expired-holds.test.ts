import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../shared/table/keys.js';
import { T0 } from '../helpers/harness.js';
import { recordRequests } from '../helpers/requests.js';
import { type PayHarness, payHarness } from '../helpers/wechatpay-harness.js';

let h: PayHarness;
let leader: { token: string; userId: string };
let k = 0;

beforeAll(async () => {
  h = await payHarness();
  leader = await h.login('eh-leader', '团长');
});
afterAll(async () => h?.close());

/** Every unit of stock, held by one member's join; 15-minute holds. */
async function prepaidCampaign() {
  h.clock.set(T0);
  return h.createCampaign(leader.token, {
    minParticipants: 1,
    paymentMode: 'wechatpay',
    paymentHoldMinutes: 15,
    items: [{ name: '限量礼盒', unitPrice: 19900, stock: 5 }],
  });
}

const joinAll = (c: { id: string }, token: string) =>
  h.call('POST', `/campaigns/${c.id}/entries`, { token, body: { items: [{ itemId: 'i1', qty: 5 }] } });

async function letHoldExpire() {
  h.clock.advance(15 * 60_000 + 1000);
  await h.sweep();
}

const claim = async (campaignId: string, userId: string) =>
  (await h.db.doc.send(new GetCommand({ TableName: h.db.tableName, Key: keys.member(campaignId, userId), ConsistentRead: true }))).Item;

describe('stock squatting: holds that expire unpaid', () => {
  it('after 2 expired holds in a campaign the member cannot join it again (409 TOO_MANY_EXPIRED_HOLDS); others can', async () => {
    const c = await prepaidCampaign();
    const squatter = await h.login(`eh-squatter-${k++}`, '占库存');
    for (let round = 1; round <= 2; round++) {
      const held = await joinAll(c, squatter.token);
      expect(held.status, held.text).toBe(201);
      expect(held.body.status).toBe('pending_payment');
      await letHoldExpire();
      // Counted on the member's claim, by the same transaction that expired the hold.
      expect((await claim(c.id, squatter.userId))?.expiredHolds).toBe(round);
    }
    const third = await joinAll(c, squatter.token);
    expect(third.status).toBe(409);
    expect(third.body.error).toMatchObject({ code: 'TOO_MANY_EXPIRED_HOLDS', details: { expiredHolds: 2, limit: 2 } });
    expect((await h.call('GET', `/campaigns/${c.id}`)).body.items[0].remaining).toBe(5);
    // Anyone else may still buy; the squatter may still join other campaigns.
    const other = await h.login(`eh-other-${k++}`, '正常买家');
    expect((await joinAll(c, other.token)).status).toBe(201);
    expect((await joinAll(await prepaidCampaign(), squatter.token)).status).toBe(201);
  });

  it('a household member’s holds expire slot by slot, counted once per member: then every slot refuses', async () => {
    h.clock.set(T0);
    const c = await h.createCampaign(leader.token, {
      minParticipants: 1,
      paymentMode: 'wechatpay',
      paymentHoldMinutes: 15,
      maxEntriesPerUser: 3,
      items: [{ name: '限量礼盒', unitPrice: 19900, stock: 5 }],
    });
    const m = await h.login(`eh-house-${k++}`, '一家人');
    const join = () => h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    for (let i = 0; i < 3; i++) expect((await join()).body.status).toBe('pending_payment');
    expect((await join()).body.error.code).toBe('ALREADY_JOINED');
    await letHoldExpire();
    const after = await claim(c.id, m.userId);
    expect(after).toMatchObject({ state: 'released', slot1: { state: 'released' }, slot2: { state: 'released' }, expiredHolds: 3 });
    expect((await h.call('GET', `/campaigns/${c.id}`)).body.items[0].remaining).toBe(5);
    const refused = await join();
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('TOO_MANY_EXPIRED_HOLDS');
  });

  it('the expiry writes the count inside its one transaction: no extra request', async () => {
    const c = await prepaidCampaign();
    const m = await h.login(`eh-one-${k++}`, '一次');
    expect((await joinAll(c, m.token)).status).toBe(201);
    h.clock.advance(15 * 60_000 + 1000);
    const { sent } = await recordRequests(h.db.doc, () => h.sweep());
    const touchesClaim = (t: any) => t.Update?.Key?.sk === `MEMBER#${m.userId}`;
    const expiry = sent.filter((s) => s.command === 'TransactWriteItemsCommand' && s.input.TransactItems.some(touchesClaim));
    expect(expiry).toHaveLength(1);
    // The same transaction expires the entry, frees the claim (counting the expiry) and gives the units back.
    expect(expiry[0]!.input.TransactItems.map((t: any) => t.Update?.Key?.sk)).toEqual(['ENTRY#0000000001', `MEMBER#${m.userId}`, '#STATE']);
    expect(expiry[0]!.input.TransactItems.find(touchesClaim).Update.UpdateExpression).toMatch(/ADD #expiredHolds :one/);
    expect(sent.filter((s) => s.command !== 'TransactWriteItemsCommand' && s.input.Key?.sk === `MEMBER#${m.userId}`)).toEqual([]);
  });

  it('a join that was paid does not count', async () => {
    const c = await prepaidCampaign();
    const m = await h.login(`eh-payer-${k++}`, '付了');
    const held = await joinAll(c, m.token);
    await h.fake.pay(held.body.payment.outTradeNo);
    await letHoldExpire();
    expect((await claim(c.id, m.userId))?.expiredHolds).toBeUndefined();
  });
});
