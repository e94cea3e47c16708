import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, T0 } from '../helpers/harness.js';

let h: Harness;
let leader: { token: string; userId: string };

beforeAll(async () => {
  h = await harness();
  leader = await h.login('pv-leader', '团长老王');
});

async function scanAll(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await h.db.doc.send(new ScanCommand({ TableName: h.tableName, ExclusiveStartKey: start, ConsistentRead: true }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

describe('profile', () => {
  it('GET /me, PATCH /me with a new token; old entries keep their name, new joins use the new one', async () => {
    h.clock.set(T0);
    const m = await h.login('pv-profile', '王小明');
    const me = await h.call('GET', '/me', { token: m.token });
    expect(me.body).toEqual({ id: m.userId, nickname: '王小明', avatarUrl: null, createdAt: T0 });

    const c1 = await h.createCampaign(leader.token);
    const e1 = await h.call('POST', `/campaigns/${c1.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    expect(e1.body.nickname).toBe('王小明');

    const changed = await h.call('PATCH', '/me', {
      token: m.token,
      body: { nickname: '  小明同学 ', avatarUrl: 'https://thirdwx.qlogo.cn/a/132' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.user).toEqual({ id: m.userId, nickname: '小明同学', avatarUrl: 'https://thirdwx.qlogo.cn/a/132', createdAt: T0 });
    expect((await h.call('GET', '/me', { token: changed.body.token })).body.nickname).toBe('小明同学');

    const c2 = await h.createCampaign(leader.token);
    const e2 = await h.call('POST', `/campaigns/${c2.id}/entries`, {
      token: changed.body.token,
      body: { items: [{ itemId: 'i1', qty: 1 }] },
    });
    expect(e2.body.nickname).toBe('小明同学');
    const old = await h.call('GET', `/campaigns/${c1.id}/entries`, { token: leader.token });
    expect(old.body.entries[0].nickname).toBe('王小明');

    const cleared = await h.call('PATCH', '/me', { token: m.token, body: { avatarUrl: null } });
    expect(cleared.body.user.avatarUrl).toBeNull();
  });

  it.each([
    ['empty body', {}],
    ['empty nickname', { nickname: '   ' }],
    ['http avatar', { avatarUrl: 'http://example.com/a.png' }],
    ['not a URL', { avatarUrl: 'javascript:alert(1)' }],
  ])('PATCH /me rejects %s', async (_name, body) => {
    const m = await h.login('pv-bad', '某人');
    const res = await h.call('PATCH', '/me', { token: m.token, body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('export and erasure', () => {
  it('GET /me/export holds my profile, my entries with campaign titles, and the campaigns I lead', async () => {
    h.clock.set(T0);
    const m = await h.login('pv-export', '李雷');
    const mine = await h.createCampaign(m.token, { title: '我发起的团' });
    const other = await h.createCampaign(leader.token, { title: '别人的团' });
    const joined = await h.call('POST', `/campaigns/${other.id}/entries`, {
      token: m.token,
      body: { items: [{ itemId: 'i1', qty: 2 }], phone: '13700000001', note: '放门口' },
    });
    // The leader records a transfer: it is part of the member's data too.
    expect(
      (
        await h.call('PUT', `/campaigns/${other.id}/entries/${joined.body.id}/payment`, {
          token: leader.token,
          body: { status: 'paid', amount: 7980 },
        })
      ).status,
    ).toBe(200);
    const res = await h.call('GET', '/me/export', { token: m.token });
    expect(res.status).toBe(200);
    expect(res.body.profile).toMatchObject({ id: m.userId, nickname: '李雷', openid: 'pv-export' });
    expect(res.body.entries).toEqual([
      expect.objectContaining({
        campaignId: other.id,
        campaignTitle: '别人的团',
        phone: '13700000001',
        note: '放门口',
        items: [{ itemId: 'i1', qty: 2 }],
      }),
    ]);
    expect(res.body.campaignsLed).toEqual([expect.objectContaining({ id: mine.id, title: '我发起的团' })]);
    expect(res.body.payments).toEqual([
      {
        campaignId: other.id,
        entryId: joined.body.id,
        paid: 7980,
        refunded: 0,
        events: [expect.objectContaining({ event: 'offline_marked', amount: 7980 })],
      },
    ]);
  });

  it('after DELETE /me no item holds the phone or nickname, and the settlement totals are unchanged', async () => {
    h.clock.set(T0);
    const c = await h.createCampaign(leader.token, { minParticipants: 2 });
    const gone = await h.login('pv-erase', '韩梅梅独特名');
    const stays = await h.login('pv-stays', '赵四');
    const phone = '13912345678';
    const note = '韩梅梅独特名的备注';
    const idem = { 'idempotency-key': 'pv-key-1' };
    expect(
      (
        await h.call('POST', `/campaigns/${c.id}/entries`, {
          token: gone.token,
          headers: idem,
          body: { items: [{ itemId: 'i1', qty: 3 }], phone, note },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await h.call('POST', `/campaigns/${c.id}/entries`, {
          token: stays.token,
          body: { items: [{ itemId: 'i1', qty: 2 }], phone: '13800000002' },
        })
      ).status,
    ).toBe(201);
    // a second campaign, still open, where the entry was cancelled and joined again
    const open = await h.createCampaign(leader.token);
    const first = await h.call('POST', `/campaigns/${open.id}/entries`, {
      token: gone.token,
      body: { items: [{ itemId: 'i1', qty: 1 }], phone },
    });
    await h.call('DELETE', `/campaigns/${open.id}/entries/${first.body.id}`, { token: gone.token });
    await h.call('POST', `/campaigns/${open.id}/entries`, { token: gone.token, body: { items: [{ itemId: 'i1', qty: 1 }], phone, note } });

    await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token });
    const before = await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token });
    expect(before.body).toMatchObject({ status: 'settled', entryCount: 2 });
    const csvBefore = await h.call('GET', `/campaigns/${c.id}/settlement.csv`, { token: leader.token });
    expect(csvBefore.text).toContain(phone);

    const erased = await h.call('DELETE', '/me', { token: gone.token });
    expect(erased.status).toBe(200);
    expect(erased.body).toEqual({ erased: true, entries: 3, claims: 2, profileDeleted: true });

    const items = await scanAll();
    for (const item of items) {
      const text = JSON.stringify(item);
      expect(text, `item ${String(item.pk)} / ${String(item.sk)}`).not.toContain(phone);
      expect(text, `item ${String(item.pk)} / ${String(item.sk)}`).not.toContain('韩梅梅独特名');
      expect(text).not.toContain('pv-key-1');
    }
    // the other member's data is untouched
    expect(JSON.stringify(items)).toContain('13800000002');

    const after = await h.call('GET', `/campaigns/${c.id}/settlement`, { token: leader.token });
    const { entries: entriesBefore, ...summaryBefore } = before.body;
    const { entries: entriesAfter, ...summaryAfter } = after.body;
    expect(summaryAfter).toEqual(summaryBefore);
    expect(entriesAfter.map((e: any) => [e.seq, e.amount, e.items])).toEqual(entriesBefore.map((e: any) => [e.seq, e.amount, e.items]));
    expect(entriesAfter[0]).toMatchObject({ nickname: '已注销用户', phone: null });
    const csvAfter = await h.call('GET', `/campaigns/${c.id}/settlement.csv`, { token: leader.token });
    expect(csvAfter.text).not.toContain(phone);
    expect(csvAfter.text).toContain('已注销用户');

    // The open campaign: the line stays active and counted, anonymous; the list is still 1..N.
    const list = await h.call('GET', `/campaigns/${open.id}/entries`, { token: leader.token });
    expect(list.body.entries.map((e: any) => [e.seq, e.nickname, e.status, e.phone, e.note])).toEqual([
      [1, '已注销用户', 'cancelled', null, null],
      [2, '已注销用户', 'active', null, null],
    ]);
    expect((await h.call('GET', `/campaigns/${open.id}`)).body.participantCount).toBe(1);

    // The profile is gone; a repeat is harmless.
    expect((await h.call('GET', '/me', { token: gone.token })).status).toBe(404);
    expect((await h.call('GET', '/me/entries', { token: gone.token })).body.entries).toEqual([]);
    expect((await h.call('DELETE', '/me', { token: gone.token })).body).toEqual({
      erased: true,
      entries: 0,
      claims: 0,
      profileDeleted: false,
    });
  });
});
