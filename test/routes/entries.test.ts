import { beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, T0 } from '../helpers/harness.js';

let h: Harness;
let leader: { token: string; userId: string };

beforeAll(async () => {
  h = await harness();
  leader = await h.login('leader', '团长老王');
});

async function newCampaign(overrides: Record<string, unknown> = {}) {
  h.clock.set(T0);
  return h.createCampaign(leader.token, overrides);
}

describe('POST /campaigns/{id}/entries (join)', () => {
  it('numbers joins 1, 2, 3 and returns the full entry to its owner', async () => {
    const c = await newCampaign();
    const members = await Promise.all(['a1', 'a2', 'a3'].map((id) => h.login(id, `王${id}`)));
    const seqs: number[] = [];
    for (const m of members) {
      const res = await h.call('POST', `/campaigns/${c.id}/entries`, {
        token: m.token,
        body: { items: [{ itemId: 'i1', qty: 2 }], note: '3号楼 晚上取', pickupPointId: 'p1', phone: '13800138000' },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        campaignId: c.id,
        userId: m.userId,
        phone: '13800138000',
        note: '3号楼 晚上取',
        status: 'active',
        pickupPointId: 'p1',
      });
      seqs.push(res.body.seq);
    }
    expect(seqs).toEqual([1, 2, 3]);
    const campaign = await h.call('GET', `/campaigns/${c.id}`);
    expect(campaign.body.participantCount).toBe(3);
    expect(campaign.body.items[0]).toMatchObject({
      sold: 6,
      remaining: 194,
      currentUnitPrice: 3990,
      nextTier: { threshold: 20, unitPrice: 3590, needed: 14 },
    });
  });

  it('rejects a second active entry with ALREADY_JOINED naming the first', async () => {
    const c = await newCampaign();
    const m = await h.login('dup1');
    const first = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    const second = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: 'ALREADY_JOINED', details: { entryId: first.body.id } });
  });

  it('SOLD_OUT names the item and what remains, and takes no number', async () => {
    const c = await newCampaign({ items: [{ name: '榴莲', unitPrice: 9900, stock: 3 }] });
    const a = await h.login('so1');
    const b = await h.login('so2');
    const d = await h.login('so3');
    expect(
      (await h.call('POST', `/campaigns/${c.id}/entries`, { token: a.token, body: { items: [{ itemId: 'i1', qty: 2 }] } })).status,
    ).toBe(201);
    const rejected = await h.call('POST', `/campaigns/${c.id}/entries`, { token: b.token, body: { items: [{ itemId: 'i1', qty: 2 }] } });
    expect(rejected.status).toBe(409);
    expect(rejected.body.error).toMatchObject({ code: 'SOLD_OUT', details: { itemId: 'i1', remaining: 1, requested: 2 } });
    const ok = await h.call('POST', `/campaigns/${c.id}/entries`, { token: d.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    expect(ok.body.seq).toBe(2);
    // The rejected user holds no claim: they may join for what is left... nothing now.
    const again = await h.call('POST', `/campaigns/${c.id}/entries`, { token: b.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    expect(again.body.error.code).toBe('SOLD_OUT');
  });

  it('LIMIT_EXCEEDED names the item and the limit', async () => {
    const c = await newCampaign();
    const m = await h.login('lim1');
    const res = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 6 }] } });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { itemId: 'i1', limit: 5 } });
  });

  it.each([
    ['before opensAt', { opensAt: '2026-12-02T00:00:00.000Z' }, T0],
    ['exactly at closesAt', {}, '2026-12-03T12:00:00.000Z'],
    ['after closesAt, no job having run', {}, '2026-12-04T00:00:00.000Z'],
  ])('CAMPAIGN_NOT_OPEN %s', async (_name, overrides, now) => {
    const c = await newCampaign(overrides);
    const m = await h.login(`nopen-${_name}`);
    h.clock.set(now);
    const res = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CAMPAIGN_NOT_OPEN');
  });

  it('CAMPAIGN_NOT_OPEN after the leader closed it, and the campaign reads closed past its deadline', async () => {
    const c = await newCampaign();
    expect((await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token })).body.status).toBe('closed');
    const m = await h.login('closed1');
    const res = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    expect(res.body.error.code).toBe('CAMPAIGN_NOT_OPEN');
    const other = await newCampaign();
    h.clock.set('2026-12-03T12:00:00.000Z');
    const read = await h.call('GET', `/campaigns/${other.id}`);
    expect(read.body).toMatchObject({ status: 'closed', acceptingEntries: false });
  });

  it('validates the body: unknown item, duplicate item, bad qty, unknown pickup point, long note', async () => {
    const c = await newCampaign();
    const m = await h.login('val1');
    const cases = [
      { items: [{ itemId: 'nope', qty: 1 }] },
      {
        items: [
          { itemId: 'i1', qty: 1 },
          { itemId: 'i1', qty: 1 },
        ],
      },
      { items: [{ itemId: 'i1', qty: 0 }] },
      { items: [{ itemId: 'i1', qty: 1.5 }] },
      { items: [{ itemId: 'i1', qty: '2' }] },
      { items: [] },
      { items: [{ itemId: 'i1', qty: 1 }], pickupPointId: 'p9' },
      { items: [{ itemId: 'i1', qty: 1 }], note: 'x'.repeat(201) },
      { items: [{ itemId: 'i1', qty: 1 }], phone: 'call me' },
      [],
      'text',
    ];
    for (const body of cases) {
      const res = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.fields.length).toBeGreaterThan(0);
    }
    // nothing was written by any of them
    const list = await h.call('GET', `/campaigns/${c.id}/entries`);
    expect(list.body.entries).toEqual([]);
    expect((await h.call('GET', `/campaigns/${c.id}`)).body.items[0].sold).toBe(0);
  });

  it('malformed JSON is 400 VALIDATION_FAILED, a non-JSON content type is 415, never 500', async () => {
    const c = await newCampaign();
    const m = await h.login('mal1');
    const malformed = await h.call('POST', `/campaigns/${c.id}/entries`, {
      token: m.token,
      rawBody: '{"items": [',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('VALIDATION_FAILED');
    const form = await h.call('POST', `/campaigns/${c.id}/entries`, {
      token: m.token,
      rawBody: 'items=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    expect(form.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('a body over 64 KiB is 413', async () => {
    const c = await newCampaign();
    const m = await h.login('big1');
    const res = await h.call('POST', `/campaigns/${c.id}/entries`, {
      token: m.token,
      body: { items: [{ itemId: 'i1', qty: 1 }], note: 'x'.repeat(70_000) },
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('unknown campaign is 404 whatever the id looks like; no token is 401', async () => {
    const m = await h.login('nf1');
    for (const id of ['c_doesnotexist', '%E4%B8%AD', '..', 'x'.repeat(150)]) {
      const res = await h.call('POST', `/campaigns/${id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
      expect(res.status, id).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    const c = await newCampaign();
    const anon = await h.call('POST', `/campaigns/${c.id}/entries`, { body: { items: [{ itemId: 'i1', qty: 1 }] } });
    expect(anon.status).toBe(401);
    expect(anon.body.error.code).toBe('UNAUTHORIZED');
  });
});

describe('Idempotency-Key', () => {
  it('the same key and body returns the first entry; a different body is 422', async () => {
    const c = await newCampaign();
    const m = await h.login('idem1');
    const body = { items: [{ itemId: 'i1', qty: 2 }], note: '要大串的' };
    const first = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body, headers: { 'idempotency-key': 'k-1' } });
    const again = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body, headers: { 'idempotency-key': 'k-1' } });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const changed = await h.call('POST', `/campaigns/${c.id}/entries`, {
      token: m.token,
      body: { ...body, note: '换一个' },
      headers: { 'idempotency-key': 'k-1' },
    });
    expect(changed.status).toBe(422);
    expect(changed.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await h.call('GET', `/campaigns/${c.id}`)).body.items[0].sold).toBe(2);
  });

  it('a late retry of a join that was since cancelled returns that entry, not a new one', async () => {
    const c = await newCampaign();
    const m = await h.login('idem2');
    const body = { items: [{ itemId: 'i1', qty: 1 }] };
    const first = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body, headers: { 'idempotency-key': 'k-2' } });
    await h.call('DELETE', `/campaigns/${c.id}/entries/${first.body.id}`, { token: m.token });
    const retry = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body, headers: { 'idempotency-key': 'k-2' } });
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ id: first.body.id, status: 'cancelled' });
    const fresh = await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body, headers: { 'idempotency-key': 'k-3' } });
    expect(fresh.status).toBe(201);
    expect(fresh.body.seq).toBe(2);
  });

  it('keys are per user: another user with the same key gets their own entry', async () => {
    const c = await newCampaign();
    const a = await h.login('idem3a');
    const b = await h.login('idem3b');
    const body = { items: [{ itemId: 'i1', qty: 1 }] };
    const ra = await h.call('POST', `/campaigns/${c.id}/entries`, { token: a.token, body, headers: { 'idempotency-key': 'same' } });
    const rb = await h.call('POST', `/campaigns/${c.id}/entries`, { token: b.token, body, headers: { 'idempotency-key': 'same' } });
    expect(rb.status).toBe(201);
    expect(rb.body.id).not.toBe(ra.body.id);
  });
});

describe('PATCH and DELETE', () => {
  it('changes quantities up and down, keeping sold in step, and refuses more than remains', async () => {
    const c = await newCampaign({ items: [{ name: '苹果', unitPrice: 500, stock: 10, perPersonLimit: 8 }] });
    const a = await h.login('pa1');
    const b = await h.login('pa2');
    const ea = await h.call('POST', `/campaigns/${c.id}/entries`, { token: a.token, body: { items: [{ itemId: 'i1', qty: 3 }] } });
    await h.call('POST', `/campaigns/${c.id}/entries`, { token: b.token, body: { items: [{ itemId: 'i1', qty: 5 }] } });
    const up = await h.call('PATCH', `/campaigns/${c.id}/entries/${ea.body.id}`, {
      token: a.token,
      body: { items: [{ itemId: 'i1', qty: 5 }], note: '多要点' },
    });
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ items: [{ itemId: 'i1', qty: 5 }], note: '多要点', seq: 1 });
    const tooMany = await h.call('PATCH', `/campaigns/${c.id}/entries/${ea.body.id}`, {
      token: a.token,
      body: { items: [{ itemId: 'i1', qty: 6 }] },
    });
    expect(tooMany.body.error).toMatchObject({ code: 'SOLD_OUT', details: { itemId: 'i1', remaining: 0 } });
    const overLimit = await h.call('PATCH', `/campaigns/${c.id}/entries/${ea.body.id}`, {
      token: a.token,
      body: { items: [{ itemId: 'i1', qty: 9 }] },
    });
    expect(overLimit.body.error.code).toBe('LIMIT_EXCEEDED');
    const down = await h.call('PATCH', `/campaigns/${c.id}/entries/${ea.body.id}`, {
      token: a.token,
      body: { items: [{ itemId: 'i1', qty: 1 }] },
    });
    expect(down.status).toBe(200);
    const campaign = await h.call('GET', `/campaigns/${c.id}`);
    expect(campaign.body.items[0]).toMatchObject({ sold: 6, remaining: 4 });
  });

  it('only the owner may change an entry (403); unknown entry is 404; cancelled entry is INVALID_STATE', async () => {
    const c = await newCampaign();
    const a = await h.login('pb1');
    const b = await h.login('pb2');
    const ea = await h.call('POST', `/campaigns/${c.id}/entries`, { token: a.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    const other = await h.call('PATCH', `/campaigns/${c.id}/entries/${ea.body.id}`, { token: b.token, body: { note: 'hi' } });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('FORBIDDEN');
    const byLeader = await h.call('PATCH', `/campaigns/${c.id}/entries/${ea.body.id}`, { token: leader.token, body: { note: 'hi' } });
    expect(byLeader.status).toBe(403);
    const missing = await h.call('PATCH', `/campaigns/${c.id}/entries/e_nope`, { token: a.token, body: { note: 'hi' } });
    expect(missing.status).toBe(404);
    await h.call('DELETE', `/campaigns/${c.id}/entries/${ea.body.id}`, { token: a.token });
    const afterCancel = await h.call('PATCH', `/campaigns/${c.id}/entries/${ea.body.id}`, { token: a.token, body: { note: 'hi' } });
    expect(afterCancel.status).toBe(409);
    expect(afterCancel.body.error.code).toBe('INVALID_STATE');
  });

  it('cancel by owner or leader keeps the number, frees stock, and lets the user join again with a new number', async () => {
    const c = await newCampaign();
    const a = await h.login('pc1');
    const b = await h.login('pc2');
    const stranger = await h.login('pc3');
    const ea = await h.call('POST', `/campaigns/${c.id}/entries`, { token: a.token, body: { items: [{ itemId: 'i1', qty: 4 }] } });
    const eb = await h.call('POST', `/campaigns/${c.id}/entries`, { token: b.token, body: { items: [{ itemId: 'i1', qty: 2 }] } });
    expect((await h.call('DELETE', `/campaigns/${c.id}/entries/${eb.body.id}`, { token: stranger.token })).status).toBe(403);
    const byLeader = await h.call('DELETE', `/campaigns/${c.id}/entries/${eb.body.id}`, { token: leader.token });
    expect(byLeader.status).toBe(200);
    expect(byLeader.body).toMatchObject({ status: 'cancelled', seq: 2 });
    const byOwner = await h.call('DELETE', `/campaigns/${c.id}/entries/${ea.body.id}`, { token: a.token });
    expect(byOwner.body.status).toBe('cancelled');
    const repeat = await h.call('DELETE', `/campaigns/${c.id}/entries/${ea.body.id}`, { token: a.token });
    expect(repeat.status).toBe(200);
    const campaign = await h.call('GET', `/campaigns/${c.id}`);
    expect(campaign.body).toMatchObject({ participantCount: 0, items: [{ sold: 0, remaining: 200 }] });
    const rejoin = await h.call('POST', `/campaigns/${c.id}/entries`, { token: a.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    expect(rejoin.body.seq).toBe(3);
    const list = await h.call('GET', `/campaigns/${c.id}/entries`);
    expect(list.body.entries.map((e: any) => [e.seq, e.status])).toEqual([
      [1, 'cancelled'],
      [2, 'cancelled'],
      [3, 'active'],
    ]);
  });

  it('changes and cancels are refused once the campaign is past its deadline', async () => {
    const c = await newCampaign();
    const a = await h.login('pd1');
    const ea = await h.call('POST', `/campaigns/${c.id}/entries`, { token: a.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    h.clock.set('2026-12-03T12:00:00.001Z');
    expect(
      (await h.call('PATCH', `/campaigns/${c.id}/entries/${ea.body.id}`, { token: a.token, body: { note: 'x' } })).body.error.code,
    ).toBe('CAMPAIGN_NOT_OPEN');
    expect((await h.call('DELETE', `/campaigns/${c.id}/entries/${ea.body.id}`, { token: a.token })).body.error.code).toBe(
      'CAMPAIGN_NOT_OPEN',
    );
  });
});

describe('GET /campaigns/{id}/entries', () => {
  it('public view masks nicknames and hides phone and userId; the leader sees them; pages in seq order', async () => {
    const c = await newCampaign();
    const names = ['王小明', '李雷', '韩梅梅', '🍇葡萄控', 'Tom'];
    for (const [i, name] of names.entries()) {
      const m = await h.login(`list${i}`, name);
      await h.call('POST', `/campaigns/${c.id}/entries`, {
        token: m.token,
        body: { items: [{ itemId: 'i1', qty: 1 }], phone: `1380013800${i}` },
      });
    }
    const pub = await h.call('GET', `/campaigns/${c.id}/entries`);
    expect(pub.body.entries.map((e: any) => e.nickname)).toEqual(['王*', '李*', '韩*', '🍇*', 'T*']);
    for (const e of pub.body.entries) {
      expect(e).not.toHaveProperty('phone');
      expect(e).not.toHaveProperty('userId');
    }
    const asLeader = await h.call('GET', `/campaigns/${c.id}/entries`, { token: leader.token });
    expect(asLeader.body.entries.map((e: any) => e.nickname)).toEqual(names);
    expect(asLeader.body.entries[0].phone).toBe('13800138000');

    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await h.call('GET', `/campaigns/${c.id}/entries?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.entries.map((e: any) => e.seq));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it('bad limit or a cursor from elsewhere is 400', async () => {
    const c = await newCampaign();
    expect((await h.call('GET', `/campaigns/${c.id}/entries?limit=0`)).status).toBe(400);
    expect((await h.call('GET', `/campaigns/${c.id}/entries?limit=abc`)).status).toBe(400);
    expect((await h.call('GET', `/campaigns/${c.id}/entries?cursor=garbage`)).body.error.code).toBe('VALIDATION_FAILED');
    const foreign = Buffer.from(JSON.stringify({ pk: 'CAMPAIGN#other', sk: 'ENTRY#0000000001' })).toString('base64url');
    expect((await h.call('GET', `/campaigns/${c.id}/entries?cursor=${foreign}`)).status).toBe(400);
    // This campaign's partition, but outside its list (a claim's key): 400, never DynamoDB's 500.
    for (const key of [
      { pk: `CAMPAIGN#${c.id}`, sk: 'MEMBER#u1' },
      { pk: `CAMPAIGN#${c.id}`, sk: 'ENTRY#1', extra: 'x' },
    ]) {
      const outside = Buffer.from(JSON.stringify(key)).toString('base64url');
      expect((await h.call('GET', `/campaigns/${c.id}/entries?cursor=${outside}`)).status).toBe(400);
    }
  });
});

describe('the join-path cache never says no on its own', () => {
  it('stock freed by a cancel is sold again even though the cache last saw the item sold out', async () => {
    const c = await newCampaign({ items: [{ name: '限量礼盒', unitPrice: 19900, stock: 2 }] });
    const [a, b, d] = await Promise.all(['cache-a', 'cache-b', 'cache-d'].map((id) => h.login(id)));
    const ea = await h.call('POST', `/campaigns/${c.id}/entries`, { token: a!.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    await h.call('POST', `/campaigns/${c.id}/entries`, { token: b!.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    expect(
      (await h.call('POST', `/campaigns/${c.id}/entries`, { token: d!.token, body: { items: [{ itemId: 'i1', qty: 1 }] } })).body.error
        .code,
    ).toBe('SOLD_OUT');
    await h.call('DELETE', `/campaigns/${c.id}/entries/${ea.body.id}`, { token: a!.token });
    const again = await h.call('POST', `/campaigns/${c.id}/entries`, { token: d!.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    expect(again.status).toBe(201);
    expect(again.body.seq).toBe(3);
  });

  it('a sold-out storm costs one read per join; a retry of a join that got the last unit still gets its entry', async () => {
    const c = await newCampaign({ items: [{ name: '限量礼盒', unitPrice: 19900, stock: 1 }] });
    const [a, b] = await Promise.all(['storm-a', 'storm-b'].map((id) => h.login(id)));
    const body = { items: [{ itemId: 'i1', qty: 1 }] };
    const first = await h.call('POST', `/campaigns/${c.id}/entries`, {
      token: a!.token,
      body,
      headers: { 'idempotency-key': 'last-unit' },
    });
    expect(first.status).toBe(201);
    const sent: string[] = [];
    h.db.doc.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(context.commandName as string);
        return next(args);
      },
      { step: 'initialize', name: 'countCommands' },
    );
    try {
      const rejected = await h.call('POST', `/campaigns/${c.id}/entries`, {
        token: b!.token,
        body,
        headers: { 'idempotency-key': 'too-late' },
      });
      expect(rejected.body.error.code).toBe('SOLD_OUT');
      expect(sent).toEqual(['BatchGetItemCommand']);
      sent.length = 0;
      const retried = await h.call('POST', `/campaigns/${c.id}/entries`, {
        token: a!.token,
        body,
        headers: { 'idempotency-key': 'last-unit' },
      });
      expect(retried.status).toBe(201);
      expect(retried.body.id).toBe(first.body.id);
      expect(retried.headers.get('idempotent-replayed')).toBe('true');
      expect(sent[0]).toBe('BatchGetItemCommand');
      expect(sent).not.toContain('UpdateItemCommand');
    } finally {
      h.db.doc.middlewareStack.remove('countCommands');
    }
  });

  it('a campaign closed after the cache warmed up still refuses joins', async () => {
    const c = await newCampaign();
    const [a, b] = await Promise.all(['cache-c1', 'cache-c2'].map((id) => h.login(id)));
    await h.call('POST', `/campaigns/${c.id}/entries`, { token: a!.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token });
    const res = await h.call('POST', `/campaigns/${c.id}/entries`, { token: b!.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    expect(res.body.error).toMatchObject({ code: 'CAMPAIGN_NOT_OPEN', details: { reason: 'closed' } });
  });
});

describe('Idempotency-Key memory across cancels and rejoins', () => {
  it('a late retry of the first join, after cancel → rejoin → cancel, still returns the first entry', async () => {
    const c = await newCampaign();
    const m = await h.login('idem-memory');
    const body = { items: [{ itemId: 'i1', qty: 1 }] };
    const join = (key: string) =>
      h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body, headers: { 'idempotency-key': key } });
    const first = await join('k-first');
    await h.call('DELETE', `/campaigns/${c.id}/entries/${first.body.id}`, { token: m.token });
    const second = await join('k-second');
    expect(second.body.seq).toBe(2);
    await h.call('DELETE', `/campaigns/${c.id}/entries/${second.body.id}`, { token: m.token });
    const late = await join('k-first');
    expect(late.status).toBe(201);
    expect(late.body).toMatchObject({ id: first.body.id, seq: 1, status: 'cancelled' });
    const lateSecond = await join('k-second');
    expect(lateSecond.body).toMatchObject({ id: second.body.id, seq: 2 });
    const list = await h.call('GET', `/campaigns/${c.id}/entries`);
    expect(list.body.entries).toHaveLength(2);
  });
});

describe('page sizes', () => {
  it('a limit above the maximum is served at the maximum, not refused', async () => {
    const c = await newCampaign();
    const m = await h.login('page-size');
    await h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    const big = await h.call('GET', `/campaigns/${c.id}/entries?limit=5000`);
    expect(big.status).toBe(200);
    expect(big.body.entries).toHaveLength(1);
    expect((await h.call('GET', '/me/entries?limit=1000', { token: m.token })).status).toBe(200);
    const doc = (await h.call('GET', '/openapi.json')).body;
    const limit = doc.paths['/campaigns/{id}/entries'].get.parameters.find((p: any) => p.name === 'limit');
    expect(limit.schema).toMatchObject({ type: 'integer', minimum: 1 });
  });
});
