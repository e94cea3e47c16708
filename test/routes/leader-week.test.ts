import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T0 } from '../helpers/harness.js';
import { photoPng, uploadTo } from '../helpers/images.js';
import { expectLedgerBalances, type PayHarness, payHarness } from '../helpers/wechatpay-harness.js';

/**
 * A leader's week through the API alone (issue "The leader's toolkit", done when): a campaign with
 * photos and orders typed into the chat (代客下单, one claimed later by its member), a short-shipped
 * item, pickups by code; a prepaid campaign with two after-sale refunds (one in full, one in part)
 * backed by photos; next week's campaign cloned with its photos. The money balances at the end of each.
 */
let h: PayHarness;
let leader: { token: string; userId: string };
let helper: { token: string; userId: string };
let k = 0;

beforeAll(async () => {
  h = await payHarness({ images: true });
  leader = await h.login('week-leader', '团长老王');
  helper = await h.login('week-helper', '助手小李');
});
afterAll(async () => h?.close());

const AFTER_DEADLINE = '2026-12-04T00:00:00.000Z';
const member = (name: string) => h.login(`week-m-${k++}`, name);
const ok = async (p: Promise<{ status: number; text: string; body: any }>, status = 200) => {
  const res = await p;
  expect(res.status, res.text).toBe(status);
  return res.body;
};

/** Both sizes of one photo to the forms `grantPath` answers; the uploadId. */
async function upload(grantPath: string, token: string): Promise<string> {
  const g = await ok(h.call('POST', grantPath, { token, body: { contentType: 'image/png' } }), 201);
  expect((await uploadTo(g.forms.list, photoPng(600, 400))).status).toBe(204);
  expect((await uploadTo(g.forms.detail, photoPng(1200, 800))).status).toBe(204);
  return g.uploadId;
}

async function finishRefunds() {
  await h.fake.settleRefunds();
  await h.fake.idle();
}

describe('a leader’s week', () => {
  it('Monday: photos, chat orders and a short-shipped item; every entry balances once the leader gives the differences back', async () => {
    h.clock.set(T0);
    const c = await h.createCampaign(leader.token, {
      title: '周一 阳光玫瑰 + 土鸡蛋',
      minParticipants: 2,
      items: [
        { name: '阳光玫瑰', unitPrice: 1000, stock: 50, tiers: [{ threshold: 10, unitPrice: 800 }] },
        { name: '土鸡蛋', unitPrice: 500, stock: null },
      ],
    });
    await ok(h.call('POST', `/campaigns/${c.id}/helpers`, { token: leader.token, body: { userId: helper.userId } }), 201);
    // Photos: the leader's cover, the helper's item photo.
    const cover = await upload(`/campaigns/${c.id}/images/uploads`, leader.token);
    await ok(h.call('POST', `/campaigns/${c.id}/images`, { token: leader.token, body: { uploadId: cover, cover: true } }), 201);
    const grapes = await upload(`/campaigns/${c.id}/images/uploads`, helper.token);
    await ok(h.call('POST', `/campaigns/${c.id}/images`, { token: helper.token, body: { uploadId: grapes, itemId: 'i1' } }), 201);

    // The rush: three members join in the mini-program, the helper types in two chat orders.
    const [m1, m2, m3, m4] = await Promise.all([member('张三'), member('李四'), member('王五'), member('王阿姨')]);
    const join = (m: { token: string }, items: unknown) =>
      ok(h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items, pickupPointId: 'p1' } }), 201);
    const e1 = await join(m1!, [{ itemId: 'i1', qty: 3 }]);
    const e2 = await join(m2!, [{ itemId: 'i1', qty: 2 }]);
    const wang = await ok(
      h.call('POST', `/campaigns/${c.id}/staff-entries`, {
        token: helper.token,
        body: { name: '王阿姨', phone: '13900001111', items: [{ itemId: 'i1', qty: 4 }], pickupPointId: 'p1' },
      }),
      201,
    );
    const e4 = await join(m3!, [
      { itemId: 'i1', qty: 1 },
      { itemId: 'i2', qty: 1 },
    ]);
    const li = await ok(
      h.call('POST', `/campaigns/${c.id}/staff-entries`, {
        token: helper.token,
        body: {
          name: '李叔',
          items: [
            { itemId: 'i1', qty: 1 },
            { itemId: 'i2', qty: 2 },
          ],
          pickupPointId: 'p1',
        },
      }),
      201,
    );
    expect([e1.seq, e2.seq, wang.seq, e4.seq, li.seq]).toEqual([1, 2, 3, 4, 5]);
    // 王阿姨 opens the mini-program later and takes her chat order over with its claim code.
    const claimed = await ok(h.call('POST', `/campaigns/${c.id}/entries/claim`, { token: m4!.token, body: { code: wang.claimCode } }));
    expect(claimed).toMatchObject({ id: wang.id, seq: 3, userId: m4!.userId });

    // Everyone pays the helper (WeChat transfer, cash) before the deadline: base prices.
    for (const e of [e1, e2, wang, e4, li]) {
      await ok(h.call('PUT', `/campaigns/${c.id}/entries/${e.id}/payment`, { token: helper.token, body: { status: 'paid' } }));
    }

    // Deadline: 11 grapes sold, the 10-unit tier (800) for everyone.
    h.clock.set(AFTER_DEADLINE);
    const settled = await ok(h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token }));
    expect(settled.items[0]).toMatchObject({ quantity: 11, finalUnitPrice: 800 });
    // The supplier brings 8 boxes of grapes: first come, first served.
    const short = await ok(
      h.call('POST', `/campaigns/${c.id}/shortage`, {
        token: leader.token,
        body: { items: [{ itemId: 'i1', delivered: 8 }], allocation: 'fifo' },
      }),
    );
    const grapesGot = short.entries.map((e: any) => e.items.find((l: any) => l.itemId === 'i1').qty);
    expect(grapesGot).toEqual([3, 2, 3, 0, 0]);

    // Pickups: members show their codes, the helper scans; 李叔 (no mini-program) is ticked off by hand.
    for (const [m, e] of [
      [m1!, e1],
      [m4!, wang],
      [m2!, e2],
      [m3!, e4],
    ] as const) {
      const { code } = await ok(h.call('GET', `/campaigns/${c.id}/entries/${e.id}/pickup-code`, { token: m.token }));
      expect((await ok(h.call('POST', `/campaigns/${c.id}/pickups/scan`, { token: helper.token, body: { code } }))).entryId).toBe(e.id);
    }
    await ok(h.call('POST', `/campaigns/${c.id}/entries/${li.id}/pickup`, { token: helper.token }));
    const pickups = await ok(h.call('GET', `/campaigns/${c.id}/pickups`, { token: leader.token }));
    expect(JSON.stringify(pickups)).not.toContain('"pickedUpAt":null');

    // What each owes or is owed: settled price × delivered units against what they paid.
    const amounts = [2400, 1600, 2400, 500, 1000];
    const view = await ok(h.call('GET', `/campaigns/${c.id}/payments`, { token: leader.token }));
    expect(view.entries.map((l: any) => [l.seq, l.amountDue, l.paid, l.balance])).toEqual([
      [1, 2400, 3000, -600],
      [2, 1600, 2000, -400],
      [3, 2400, 4000, -1600],
      [4, 500, 1500, -1000],
      [5, 1000, 2000, -1000],
    ]);
    expect(view.totals).toMatchObject({ toRefund: 4600, toCollect: 0 });
    // The leader transfers the differences back and records each; the ledger balances.
    const entries = [e1, e2, wang, e4, li];
    for (const [i, e] of entries.entries()) {
      await ok(
        h.call('PUT', `/campaigns/${c.id}/entries/${e.id}/payment`, { token: leader.token, body: { status: 'paid', amount: amounts[i] } }),
      );
    }
    await expectLedgerBalances(h, c.id, new Map(entries.map((e, i) => [e.id, amounts[i]!])));
    const xlsx = await h.app.request(`/campaigns/${c.id}/settlement.xlsx`, { headers: { authorization: `Bearer ${leader.token}` } });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');

    // Next Monday's campaign: the same, photos included, as a draft to publish.
    const next = await ok(
      h.call('POST', `/campaigns/${c.id}/clone`, { token: leader.token, body: { closesAt: '2026-12-10T12:00:00.000Z' } }),
      201,
    );
    expect(next.status).toBe('draft');
    expect(next.coverImage.detail).toContain(`/media/${next.id}/${cover}/detail`);
    await ok(h.call('POST', `/campaigns/${next.id}/publish`, { token: leader.token }));
    const page = await h.call('GET', `/s/${next.shareCode}`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.text).toContain(`/media/${next.id}/${cover}/list`);
    expect(page.text).toContain(`/media/${next.id}/${grapes}/list`);
  });

  it('Thursday: a prepaid campaign, two after-sale refunds with photos (one in full, one in part); Σ paid − Σ refunded = Σ final amounts', async () => {
    h.clock.set(T0);
    const c = await h.createCampaign(leader.token, {
      title: '周四 丹东草莓',
      minParticipants: 2,
      paymentMode: 'wechatpay',
      items: [{ name: '丹东草莓', unitPrice: 1000, stock: 20, tiers: [{ threshold: 4, unitPrice: 900 }] }],
    });
    await ok(h.call('POST', `/campaigns/${c.id}/helpers`, { token: leader.token, body: { userId: helper.userId } }), 201);
    const people = await Promise.all([member('赵一'), member('钱二'), member('孙三')]);
    const entries: Array<{ id: string; payment: { outTradeNo: string } }> = [];
    for (const [i, m] of people.entries()) {
      const e = await ok(
        h.call('POST', `/campaigns/${c.id}/entries`, {
          token: m.token,
          body: { items: [{ itemId: 'i1', qty: i === 2 ? 1 : 2 }], pickupPointId: 'p1' },
        }),
        201,
      );
      await h.fake.pay(e.payment.outTradeNo);
      entries.push(e);
    }
    h.clock.set(AFTER_DEADLINE);
    expect((await ok(h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token }))).items[0].finalUnitPrice).toBe(900);
    await finishRefunds(); // the tier's difference back: 200, 200, 100
    for (const e of entries) await ok(h.call('POST', `/campaigns/${c.id}/entries/${e.id}/pickup`, { token: helper.token }));

    // Two members find bad fruit: each photographs it and asks.
    const ask = async (i: number, qty: number) => {
      const photo = await upload(`/campaigns/${c.id}/entries/${entries[i]!.id}/after-sale/uploads`, people[i]!.token);
      return ok(
        h.call('POST', `/campaigns/${c.id}/entries/${entries[i]!.id}/after-sale`, {
          token: people[i]!.token,
          body: { items: [{ itemId: 'i1', qty }], reason: '压坏了', photos: [photo] },
        }),
        201,
      );
    };
    const first = await ask(0, 1);
    const second = await ask(1, 2);
    expect([first.amount, second.amount]).toEqual([900, 1800]);
    const seen = await ok(h.call('GET', `/campaigns/${c.id}/after-sales`, { token: helper.token }));
    expect(seen.afterSales.every((r: any) => r.photoLinks.length === 1)).toBe(true);
    const decide = (r: any, body: unknown) =>
      ok(h.call('POST', `/campaigns/${c.id}/after-sales/${r.requestId}/decision`, { token: helper.token, body }));
    expect(await decide(first, { approve: true })).toMatchObject({ state: 'approved', approvedAmount: 900 });
    expect(await decide(second, { approve: true, amount: 1000, note: '一盒坏了一半' })).toMatchObject({ approvedAmount: 1000 });
    await finishRefunds();
    await h.sweep();
    await finishRefunds();

    const refunds = (await ok(h.call('GET', `/campaigns/${c.id}/refunds`, { token: leader.token }))).refunds;
    const afterSales = refunds.filter((r: any) => r.purpose.startsWith('aftersale#'));
    expect(afterSales.map((r: any) => [r.amount, r.state]).sort()).toEqual([
      [1000, 'succeeded'],
      [900, 'succeeded'],
    ]);
    // Final amounts: 1800 − 900, 1800 − 1000, 900.
    await expectLedgerBalances(
      h,
      c.id,
      new Map([
        [entries[0]!.id, 900],
        [entries[1]!.id, 800],
        [entries[2]!.id, 900],
      ]),
    );
  });
});
