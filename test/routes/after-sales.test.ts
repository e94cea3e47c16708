import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultInjector } from '../helpers/faults.js';
import { T0 } from '../helpers/harness.js';
import { photoPng, uploadTo } from '../helpers/images.js';
import { expectLedgerBalances, type PayHarness, payHarness } from '../helpers/wechatpay-harness.js';

/** 售后: asked by the member after pickup, decided once by the leader or a helper, refunded through the usual refunds. */
let h: PayHarness;
const faults = new FaultInjector();
let leader: { token: string; userId: string };
let helper: { token: string; userId: string };
let k = 0;

beforeAll(async () => {
  h = await payHarness({ faults, images: true });
  leader = await h.login('as-leader', '团长');
  helper = await h.login('as-helper', '助手');
});
afterAll(async () => h?.close());

/** One member with 3 units at 1000 (no tier), settled and picked up. */
async function pickedUp(paymentMode: 'offline' | 'wechatpay', pickUp = true) {
  h.clock.set(T0);
  const c = await h.createCampaign(leader.token, {
    minParticipants: 1,
    paymentMode,
    items: [{ name: '草莓', unitPrice: 1000, stock: 50 }],
  });
  await h.call('POST', `/campaigns/${c.id}/helpers`, { token: leader.token, body: { userId: helper.userId } });
  const m = await h.login(`as-m-${k++}`, '成员');
  const res = await h.call('POST', `/campaigns/${c.id}/entries`, {
    token: m.token,
    body: { items: [{ itemId: 'i1', qty: 3 }], pickupPointId: 'p1' },
  });
  expect(res.status).toBe(201);
  if (paymentMode === 'wechatpay') await h.fake.pay(res.body.payment.outTradeNo);
  else await h.call('PUT', `/campaigns/${c.id}/entries/${res.body.id}/payment`, { token: leader.token, body: { status: 'paid' } });
  h.clock.set('2026-12-04T00:00:00.000Z');
  expect((await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token })).status).toBe(200);
  if (pickUp) expect((await h.call('POST', `/campaigns/${c.id}/entries/${res.body.id}/pickup`, { token: helper.token })).status).toBe(200);
  return { c, m, entryId: res.body.id as string };
}

const ask = (c: { id: string }, entryId: string, token: string, qty = 1, photos: string[] = []) =>
  h.call('POST', `/campaigns/${c.id}/entries/${entryId}/after-sale`, {
    token,
    body: { items: [{ itemId: 'i1', qty }], reason: '有两颗坏了', photos },
  });

/** A photo the member uploads for a request, as for campaign photos: both sizes to their forms. */
async function evidence(c: { id: string }, entryId: string, token: string, detail = photoPng(800, 600)): Promise<string> {
  const g = await h.call('POST', `/campaigns/${c.id}/entries/${entryId}/after-sale/uploads`, { token, body: { contentType: 'image/png' } });
  expect(g.status, g.text).toBe(201);
  expect((await uploadTo(g.body.forms.list, photoPng(200, 150))).status).toBe(204);
  expect((await uploadTo(g.body.forms.detail, detail)).status).toBe(204);
  return g.body.uploadId;
}
const decide = (c: { id: string }, requestId: string, token: string, body: unknown) =>
  h.call('POST', `/campaigns/${c.id}/after-sales/${requestId}/decision`, { token, body });

async function finishRefunds() {
  await h.fake.settleRefunds();
  await h.fake.idle();
}

describe('asking', () => {
  it('only the member, only after pickup, never above what the entry got or paid', async () => {
    const { c, m, entryId } = await pickedUp('offline', false);
    expect((await ask(c, entryId, m.token)).status).toBe(409); // not picked up yet
    await h.call('POST', `/campaigns/${c.id}/entries/${entryId}/pickup`, { token: helper.token });
    expect((await ask(c, entryId, leader.token)).status).toBe(403);
    const over = await ask(c, entryId, m.token, 4);
    expect(over.status).toBe(400);
    expect(over.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { itemId: 'i1', qty: 4, limit: 3 } });
    const first = await ask(c, entryId, m.token, 2);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ entryId, amount: 2000, state: 'pending', photos: [] });
    // 2 of the 3 units are asked for already: a second request may ask for 1 more, not 2.
    expect((await ask(c, entryId, m.token, 2)).status).toBe(400);
    expect((await ask(c, entryId, m.token, 1)).status).toBe(201);
  });

  it('more money than was paid and not given back is 400', async () => {
    const { c, m, entryId } = await pickedUp('offline');
    // The leader recorded only 1000 received of the 3000.
    await h.call('PUT', `/campaigns/${c.id}/entries/${entryId}/payment`, { token: leader.token, body: { status: 'paid', amount: 1000 } });
    const res = await ask(c, entryId, m.token, 2);
    expect(res.status).toBe(400);
    expect(res.body.error.details).toMatchObject({ amount: 2000, limit: 1000 });
  });

  it("erasing the member (DELETE /me) keeps the request's items and amount, not its reason or photos", async () => {
    const { c, m, entryId } = await pickedUp('offline');
    const req = (await ask(c, entryId, m.token, 1, [await evidence(c, entryId, m.token)])).body;
    expect(req.photoLinks).toHaveLength(1);
    // Before that, the member's copy of their data (GET /me/export) holds the request as they filed it.
    const exported = (await h.call('GET', '/me/export', { token: m.token })).body;
    expect(exported.afterSales).toEqual([
      expect.objectContaining({
        requestId: req.requestId,
        entryId,
        amount: 1000,
        state: 'pending',
        reason: req.reason,
        photos: req.photos,
      }),
    ]);
    expect((await h.call('DELETE', '/me', { token: m.token })).status).toBeLessThan(300);
    const [kept] = (await h.call('GET', `/campaigns/${c.id}/after-sales`, { token: leader.token })).body.afterSales;
    expect(kept).toMatchObject({ requestId: req.requestId, amount: 1000, items: [{ itemId: 'i1', qty: 1 }], reason: '', photos: [] });
    expect(kept.photoLinks).toBeUndefined();
  });

  it('photos: the member uploads them; they are checked, kept private and shown through signed links to the member and staff only', async () => {
    const { c, m, entryId } = await pickedUp('offline');
    const other = await h.login(`as-other-${k++}`, '路人');
    const upload = (token: string) =>
      h.call('POST', `/campaigns/${c.id}/entries/${entryId}/after-sale/uploads`, { token, body: { contentType: 'image/png' } });
    expect((await upload(leader.token)).status).toBe(403);
    expect((await upload(other.token)).status).toBe(403);

    // Not a real image, and an upload id nobody granted: 400 UPLOAD_INVALID naming it, nothing filed.
    const g = (await upload(m.token)).body;
    expect((await uploadTo(g.forms.list, Buffer.from('not an image'))).status).toBe(204);
    expect((await uploadTo(g.forms.detail, photoPng(300, 200))).status).toBe(204);
    const bad = await ask(c, entryId, m.token, 1, [g.uploadId]);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({
      code: 'UPLOAD_INVALID',
      details: { uploadId: g.uploadId, variant: 'list', problem: 'not-an-image' },
    });
    expect((await ask(c, entryId, m.token, 1, ['u_0000000000000000000000000'])).body.error.code).toBe('UPLOAD_INVALID');
    expect((await ask(c, entryId, m.token, 1, ['../../images/x'])).body.error.code).toBe('VALIDATION_FAILED');
    expect((await h.call('GET', `/campaigns/${c.id}/after-sales`, { token: leader.token })).body.afterSales).toEqual([]);

    const detail = photoPng(900, 700);
    const a = await evidence(c, entryId, m.token, detail);
    const b = await evidence(c, entryId, m.token);
    const filed = await ask(c, entryId, m.token, 1, [a, b]);
    expect(filed.status, filed.text).toBe(201);
    expect(filed.body.photos).toEqual([a, b]);
    const staffView = (await h.call('GET', `/campaigns/${c.id}/after-sales`, { token: helper.token })).body.afterSales[0];
    expect(staffView.photoLinks.map((p: { id: string }) => p.id)).toEqual([a, b]);
    const fetched = await fetch(staffView.photoLinks[0].detail);
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(detail)).toBe(true);
    // Private: not under the CDN's images/, and a link without its signature is refused.
    expect(staffView.photoLinks[0].detail).toContain(`/evidence/${c.id}/${a}/detail`);
    expect((await fetch(staffView.photoLinks[0].detail.split('?')[0])).status).toBe(403);
    // The member sees their own; someone else sees none of it.
    expect((await h.call('GET', `/campaigns/${c.id}/after-sales`, { token: m.token })).body.afterSales[0].photoLinks).toHaveLength(2);
    expect((await h.call('GET', `/campaigns/${c.id}/after-sales`, { token: other.token })).body.afterSales).toEqual([]);
  });

  it('the member lists their own requests, staff every one, a stranger none', async () => {
    const { c, m, entryId } = await pickedUp('offline');
    const other = await pickedUp('offline');
    expect((await ask(c, entryId, m.token)).status).toBe(201);
    const stranger = await h.login(`as-m-${k++}`, '路人');
    expect((await h.call('GET', `/campaigns/${c.id}/after-sales`, { token: m.token })).body.afterSales).toHaveLength(1);
    expect((await h.call('GET', `/campaigns/${c.id}/after-sales`, { token: helper.token })).body.afterSales).toHaveLength(1);
    expect((await h.call('GET', `/campaigns/${c.id}/after-sales`, { token: stranger.token })).body.afterSales).toEqual([]);
    expect((await h.call('GET', `/campaigns/${other.c.id}/after-sales`, { token: m.token })).body.afterSales).toEqual([]);
  });
});

describe('deciding', () => {
  it('offline, approved in part: the ledger records it and the payments view shows it owed back; a second decision is 409', async () => {
    const { c, m, entryId } = await pickedUp('offline');
    const req = (await ask(c, entryId, m.token, 2)).body;
    expect((await decide(c, req.requestId, m.token, { approve: true })).status).toBe(403);
    expect((await decide(c, req.requestId, leader.token, { approve: true, amount: 2001 })).status).toBe(400);
    const ok = await decide(c, req.requestId, helper.token, { approve: true, amount: 1500, note: '一颗半' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ state: 'approved', approvedAmount: 1500, decidedBy: helper.userId, note: '一颗半' });
    const again = await decide(c, req.requestId, leader.token, { approve: false, reason: '改主意' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('INVALID_STATE');
    const line = (await h.call('GET', `/campaigns/${c.id}/entries/${entryId}/payment`, { token: leader.token })).body;
    expect(line).toMatchObject({ amountDue: 1500, paid: 3000, balance: -1500 });
    const events = await expectLedgerBalances(h, c.id);
    expect(events.filter((e) => e.event === 'after_sale_approved').map((e) => e.amount)).toEqual([1500]);
    // The leader gives 1500 back by transfer and records it: everything balances at 1500.
    await h.call('PUT', `/campaigns/${c.id}/entries/${entryId}/payment`, { token: leader.token, body: { status: 'paid', amount: 1500 } });
    await expectLedgerBalances(h, c.id, new Map([[entryId, 1500]]));
    // The settlement sheet agrees: 应付 15.00, 已付 15.00, 差额 0.00.
    const csv = await h.call('GET', `/campaigns/${c.id}/settlement.csv`, { token: leader.token });
    expect(csv.text.trim().split(/\r?\n/)[1]).toMatch(/,15\.00,.*,15\.00,0\.00,0\.00$/);
  });

  it('two staff deciding at once: one decision stands, the other is 409, and the money moves once', async () => {
    const { c, m, entryId } = await pickedUp('wechatpay');
    const req = (await ask(c, entryId, m.token, 1)).body;
    const answers = await Promise.all([
      decide(c, req.requestId, leader.token, { approve: true }),
      decide(c, req.requestId, helper.token, { approve: true, amount: 500 }),
      decide(c, req.requestId, helper.token, { approve: false, reason: '不行' }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
    await finishRefunds();
    const events = await expectLedgerBalances(h, c.id);
    expect(events.filter((e) => e.event === 'after_sale_approved').length).toBeLessThanOrEqual(1);
    const refunds = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    expect(refunds.length).toBeLessThanOrEqual(1);
  });

  it('rejected: nothing moves, and it cannot be approved afterwards', async () => {
    const { c, m, entryId } = await pickedUp('wechatpay');
    const req = (await ask(c, entryId, m.token, 1)).body;
    const no = await decide(c, req.requestId, leader.token, { approve: false, reason: '照片看不出问题' });
    expect(no.body).toMatchObject({ state: 'rejected', rejectReason: '照片看不出问题' });
    expect((await decide(c, req.requestId, leader.token, { approve: true })).status).toBe(409);
    const refunds = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    expect(refunds).toEqual([]);
    expect((await decide(c, 'as_unknown', leader.token, { approve: false, reason: 'x' })).status).toBe(404);
  });

  it('prepaid, approved in full: refunded through WeChat Pay, once, and the ledger balances', async () => {
    const { c, m, entryId } = await pickedUp('wechatpay');
    const req = (await ask(c, entryId, m.token, 2)).body;
    const ok = await decide(c, req.requestId, leader.token, { approve: true });
    expect(ok.body).toMatchObject({ state: 'approved', approvedAmount: 2000 });
    expect(ok.body.refundDue).toBeUndefined();
    await finishRefunds();
    await h.sweep();
    const refunds = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    expect(refunds.map((r: any) => [r.purpose, r.amount, r.state])).toEqual([[`aftersale#${req.requestId}`, 2000, 'succeeded']]);
    await expectLedgerBalances(h, c.id, new Map([[entryId, 1000]]));
    // A call-off afterwards gives back the last 1000 only.
    await h.call('POST', `/campaigns/${c.id}/call-off`, { token: leader.token, body: { reason: '全部召回' } });
    await finishRefunds();
    await expectLedgerBalances(h, c.id, new Map([[entryId, 0]]));
  });

  it('prepaid, the refund request failing after the approval: the sweep requests it from the timeline', async () => {
    const { c, m, entryId } = await pickedUp('wechatpay');
    const req = (await ask(c, entryId, m.token, 1)).body;
    faults.add('TransactWriteItemsCommand', 'error', 40, (input) => JSON.stringify(input).includes('"refund#'));
    const ok = await decide(c, req.requestId, leader.token, { approve: true });
    faults.clear();
    expect(ok.body).toMatchObject({ state: 'approved', refundDue: true });
    expect((await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds).toEqual([]);
    await h.sweep();
    await finishRefunds();
    const refunds = (await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds;
    expect(refunds.map((r: any) => [r.amount, r.state])).toEqual([[1000, 'succeeded']]);
    await h.sweep();
    expect((await h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token })).body.refunds).toHaveLength(1);
    await expectLedgerBalances(h, c.id, new Map([[entryId, 2000]]));
  });
});
