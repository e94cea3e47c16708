import { beforeAll, describe, expect, it } from 'vitest';
import { ledgerTotals } from '../../shared/domain/payments.js';
import { allLedgerEvents, allPayments } from '../../shared/money/ledger.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';

let h: Harness;
let leader: { token: string; userId: string };
let k = 0;

beforeAll(async () => {
  h = await harness();
  leader = await h.login('pay-leader', '团长老王');
});

/** An offline campaign (3990, tier 3590 from 3 units), a helper, and members who join with `qtys`. */
async function offlineCampaign(qtys: number[], overrides: Record<string, unknown> = {}) {
  h.clock.set(T0);
  const c = await h.createCampaign(leader.token, {
    minParticipants: 1,
    items: [{ name: '阳光玫瑰', unitPrice: 3990, stock: 100, tiers: [{ threshold: 3, unitPrice: 3590 }] }],
    ...overrides,
  });
  const helper = await h.login(`pay-helper-${k++}`, '助手小李');
  expect((await h.call('POST', `/campaigns/${c.id}/helpers`, { token: leader.token, body: { userId: helper.userId } })).status).toBe(201);
  const members = [];
  for (const qty of qtys) {
    const u = await h.login(`pay-m-${k++}`, `成员${k}`);
    const res = await h.call('POST', `/campaigns/${c.id}/entries`, { token: u.token, body: { items: [{ itemId: 'i1', qty }] } });
    expect(res.status).toBe(201);
    members.push({ ...u, entry: res.body });
  }
  return { c, helper, members };
}

async function ledgerMatchesTotals(campaignId: string) {
  const events = [];
  for await (const e of allLedgerEvents(h.db, campaignId)) events.push(e);
  const payments = await allPayments(h.db, campaignId);
  for (const [entryId, record] of payments) {
    const recomputed = ledgerTotals(events.filter((e) => e.entryId === entryId));
    expect({ paid: record.paid, refunded: record.refunded }).toEqual(recomputed);
  }
  return events;
}

describe('payment mode', () => {
  it('defaults to offline and is part of the campaign', async () => {
    h.clock.set(T0);
    const c = await h.createCampaign(leader.token);
    expect(c).toMatchObject({ paymentMode: 'offline', paymentHoldMinutes: 15 });
    expect((await h.call('GET', `/campaigns/${c.id}`)).body.paymentMode).toBe('offline');
    const bad = await h.call('POST', '/campaigns', {
      token: leader.token,
      body: { ...(await import('../helpers/harness.js')).campaignBody(), paymentMode: 'alipay' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields.map((f: any) => f.path)).toContain('body.paymentMode');
  });
});

describe('offline payments', () => {
  it('before settling: amounts due are base-price estimates; marks by leader and helper move paid and balance', async () => {
    const { c, helper, members } = await offlineCampaign([1, 2]);
    const [a, b] = members;
    const view0 = await h.call('GET', `/campaigns/${c.id}/payments`, { token: leader.token });
    expect(view0.status).toBe(200);
    expect(view0.body).toMatchObject({ campaignId: c.id, paymentMode: 'offline', settlementStatus: null });
    expect(view0.body.entries.map((l: any) => [l.seq, l.amountDue, l.estimated, l.paid, l.balance, l.state])).toEqual([
      [1, 3990, true, 0, 3990, 'unpaid'],
      [2, 7980, true, 0, 7980, 'unpaid'],
    ]);
    expect(view0.body.totals).toMatchObject({ amountDue: 11970, paid: 0, toCollect: 11970, toRefund: 0, entries: 2, paidEntries: 0 });

    // Default amount: what is due. A helper may mark too.
    const markA = await h.call('PUT', `/campaigns/${c.id}/entries/${a!.entry.id}/payment`, {
      token: leader.token,
      body: { status: 'paid' },
    });
    expect(markA.status).toBe(200);
    expect(markA.body).toMatchObject({ paid: 3990, balance: 0, state: 'paid' });
    const markB = await h.call('PUT', `/campaigns/${c.id}/entries/${b!.entry.id}/payment`, {
      token: helper.token,
      body: { status: 'paid', amount: 5000 },
    });
    expect(markB.body).toMatchObject({ paid: 5000, balance: 2980, state: 'partial' });
    // Repeating the same amount writes nothing new.
    const eventsBefore = (await ledgerMatchesTotals(c.id)).length;
    expect(
      (
        await h.call('PUT', `/campaigns/${c.id}/entries/${b!.entry.id}/payment`, {
          token: helper.token,
          body: { status: 'paid', amount: 5000 },
        })
      ).body.paid,
    ).toBe(5000);
    expect((await ledgerMatchesTotals(c.id)).length).toBe(eventsBefore);

    // The member sees their own line; another member cannot.
    expect((await h.call('GET', `/campaigns/${c.id}/entries/${b!.entry.id}/payment`, { token: b!.token })).body).toMatchObject({
      paid: 5000,
      balance: 2980,
    });
    expect((await h.call('GET', `/campaigns/${c.id}/entries/${b!.entry.id}/payment`, { token: a!.token })).status).toBe(403);
    // Members cannot mark or see the view.
    expect(
      (await h.call('PUT', `/campaigns/${c.id}/entries/${b!.entry.id}/payment`, { token: b!.token, body: { status: 'paid' } })).status,
    ).toBe(403);
    expect((await h.call('GET', `/campaigns/${c.id}/payments`, { token: a!.token })).status).toBe(403);
    expect((await h.call('GET', `/campaigns/${c.id}/ledger`, { token: a!.token })).status).toBe(403);

    // Settled at the 3-unit tier (3590): A overpaid 400, B still owes 7180 − 5000.
    h.clock.set('2026-12-04T00:00:00.000Z');
    expect((await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token })).status).toBe(200);
    const view = await h.call('GET', `/campaigns/${c.id}/payments`, { token: helper.token });
    expect(view.body.settlementStatus).toBe('settled');
    expect(view.body.entries.map((l: any) => [l.seq, l.amountDue, l.estimated, l.paid, l.balance, l.state])).toEqual([
      [1, 3590, false, 3990, -400, 'overpaid'],
      [2, 7180, false, 5000, 2180, 'partial'],
    ]);
    expect(view.body.totals).toMatchObject({ amountDue: 10770, paid: 8990, balance: 1780, toCollect: 2180, toRefund: 400, paidEntries: 1 });

    // Unpaid: back to 0, and the ledger keeps both events.
    expect(
      (await h.call('PUT', `/campaigns/${c.id}/entries/${a!.entry.id}/payment`, { token: leader.token, body: { status: 'unpaid' } })).body,
    ).toMatchObject({ paid: 0, balance: 3590, state: 'unpaid' });
    const ledger = await h.call('GET', `/campaigns/${c.id}/ledger`, { token: leader.token });
    const aEvents = ledger.body.events.filter((e: any) => e.entryId === a!.entry.id);
    expect(aEvents.map((e: any) => [e.event, e.amount, e.actor])).toEqual([
      ['offline_marked', 3990, leader.userId],
      ['offline_marked', -3990, leader.userId],
    ]);
    await ledgerMatchesTotals(c.id);
  });

  it('the CSVs carry paid, refunded and balance', async () => {
    const { c, members } = await offlineCampaign([1, 1, 1]);
    await h.call('PUT', `/campaigns/${c.id}/entries/${members[0]!.entry.id}/payment`, {
      token: leader.token,
      body: { status: 'paid', amount: 3990 },
    });
    h.clock.set('2026-12-04T00:00:00.000Z');
    await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token });
    const settlementCsv = await h.call('GET', `/campaigns/${c.id}/settlement.csv`, { token: leader.token });
    const rows = settlementCsv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(rows[0]!.split(',').slice(-3)).toEqual(['已付(元)', '已退(元)', '差额(元)']);
    expect(rows[1]!.split(',').slice(-3)).toEqual(['39.90', '0.00', '-4.00']);
    expect(rows[2]!.split(',').slice(-3)).toEqual(['0.00', '0.00', '35.90']);
    expect(rows).toHaveLength(4);

    const paymentsCsv = await h.call('GET', `/campaigns/${c.id}/payments.csv`, { token: leader.token });
    expect(paymentsCsv.headers.get('content-type')).toContain('text/csv');
    const lines = paymentsCsv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('接龙号,昵称,状态,应付(元),已付(元),已退(元),差额(元),收款状态');
    expect(lines[1]).toMatch(/^1,.*,有效,35\.90,39\.90,0\.00,-4\.00,多付待退$/);
    expect(lines).toContain('待收(补款),71.80');
    expect(lines).toContain('待退(退款),4.00');
  });

  it('a cancelled entry that was paid stays in the view, owed a full refund', async () => {
    const { c, members } = await offlineCampaign([2, 1]);
    const a = members[0]!;
    await h.call('PUT', `/campaigns/${c.id}/entries/${a.entry.id}/payment`, { token: leader.token, body: { status: 'paid' } });
    expect((await h.call('DELETE', `/campaigns/${c.id}/entries/${a.entry.id}`, { token: a.token })).status).toBe(200);
    const view = await h.call('GET', `/campaigns/${c.id}/payments`, { token: leader.token });
    expect(view.body.entries.map((l: any) => [l.seq, l.entryStatus, l.amountDue, l.paid, l.balance])).toEqual([
      [1, 'cancelled', 0, 7980, -7980],
      [2, 'active', 3990, 0, 3990],
    ]);
  });

  it('pages through the lines with totals over all of them', async () => {
    const { c } = await offlineCampaign([1, 1, 1, 1, 1]);
    const seqs: number[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await h.call('GET', `/campaigns/${c.id}/payments?limit=2${cursor ? `&cursor=${cursor}` : ''}`, {
        token: leader.token,
      });
      expect(page.status).toBe(200);
      expect(page.body.totals.entries).toBe(5);
      seqs.push(...page.body.entries.map((l: any) => l.seq));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
    expect((await h.call('GET', `/campaigns/${c.id}/payments?cursor=garbage`, { token: leader.token })).status).toBe(400);
  });

  it('rejects bad marks with clear 4xx: negative or fractional amounts, unknown entries', async () => {
    const { c, members } = await offlineCampaign([1]);
    const url = `/campaigns/${c.id}/entries/${members[0]!.entry.id}/payment`;
    for (const body of [{ status: 'paid', amount: -1 }, { status: 'paid', amount: 1.5 }, { status: 'maybe' }, {}]) {
      const res = await h.call('PUT', url, { token: leader.token, body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await h.call('PUT', `/campaigns/${c.id}/entries/nope/payment`, { token: leader.token, body: { status: 'paid' } })).status).toBe(
      404,
    );
    expect((await h.call('GET', `/campaigns/nope/payments`, { token: leader.token })).status).toBe(404);
  });

  it('concurrent marks by many hands: each is recorded whole or answered 409, and the ledger sums to the last', async () => {
    const { c, members } = await offlineCampaign([1]);
    const url = `/campaigns/${c.id}/entries/${members[0]!.entry.id}/payment`;
    const amounts = Array.from({ length: 40 }, (_, i) => 100 * (i + 1));
    const results = await Promise.all(
      amounts.map((amount) => h.call('PUT', url, { token: leader.token, body: { status: 'paid', amount } })),
    );
    // Forty hands on one entry at once is far beyond real use: some may be told to retry, none half-counted.
    expect(
      results
        .filter((r) => r.status !== 200)
        .map((r) => r.body.error.code)
        .every((code) => code === 'CONFLICT'),
    ).toBe(true);
    const accepted = amounts.filter((_, i) => results[i]!.status === 200);
    expect(accepted.length).toBeGreaterThan(0);
    const record = (await allPayments(h.db, c.id)).get(members[0]!.entry.id)!;
    expect(accepted).toContain(record.paid);
    const events = await ledgerMatchesTotals(c.id);
    expect(events.reduce((s, e) => s + e.amount, 0)).toBe(record.paid);
    // Every event is numbered by the version it was computed from: 1..n without gaps.
    expect(events.map((e) => e.ref).sort((x, y) => Number(x.split('#')[1]) - Number(y.split('#')[1]))).toEqual(
      events.map((_, i) => `offline#${i + 1}`),
    );
  });
});
