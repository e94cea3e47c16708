import { createHash } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import type { EntryLine } from '../../shared/domain/index.js';
import { requestHash } from '../../shared/entries/index.js';
import { sweepAndWork } from '../../shared/jobs/index.js';
import { createLogger } from '../../shared/logger.js';
import { ERASURE_RECHECK_MS, eraseUser } from '../../shared/privacy/index.js';
import { type FakeWechat, startFakeWechat } from '../../shared/wechat/fake/index.js';
import { FaultInjector } from '../helpers/faults.js';
import { type CallResult, type Harness, harness, T0 } from '../helpers/harness.js';

let h: Harness;
let leader: { token: string; userId: string };

beforeAll(async () => {
  h = await harness();
  leader = await h.login('pv-leader', '团长老王');
});

async function scanAll(on: Harness = h): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await on.db.doc.send(new ScanCommand({ TableName: on.tableName, ExclusiveStartKey: start, ConsistentRead: true }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * What a phone number can be recognized by besides its digits: its common hashes (hex, base64,
 * base64url, also their 16-character prefixes, for truncated ones) and encodings. 1e9-ish numbers
 * are hashed in under a second, so any unkeyed hash of it is as good as the number.
 */
function phoneDerivatives(phone: string): string[] {
  const out = [phone, Buffer.from(phone).toString('base64').replace(/=+$/, ''), Buffer.from(phone).toString('hex')];
  for (const alg of ['sha256', 'sha1', 'md5']) {
    const digest = createHash(alg).update(phone).digest();
    for (const text of [digest.toString('hex'), digest.toString('base64'), digest.toString('base64url')]) out.push(text, text.slice(0, 16));
  }
  return out;
}

/** The request hash the API stores for a join body (what an Idempotency-Key retry is compared with). */
function joinHash(campaignId: string, body: { items: EntryLine[]; phone?: string; note?: string; pickupPointId?: string }): string {
  return requestHash(campaignId, {
    userId: 'any',
    nickname: 'any',
    items: body.items,
    note: body.note ?? null,
    pickupPointId: body.pickupPointId ?? null,
    phone: body.phone ?? null,
  });
}

/** Fails naming the item and the needle when any item of the table holds any of `needles`. */
function expectNoTrace(items: Record<string, unknown>[], needles: string[]) {
  for (const item of items) {
    const text = JSON.stringify(item);
    for (const needle of needles) expect(text, `item ${String(item.pk)} / ${String(item.sk)} holds ${needle}`).not.toContain(needle);
  }
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

    // The profile is gone and the erased user's token is refused everywhere, a repeat included.
    expect((await h.call('GET', '/me', { token: gone.token })).status).toBe(401);
    expect((await h.call('GET', '/me/entries', { token: gone.token })).status).toBe(401);
    expect((await h.call('DELETE', '/me', { token: gone.token })).status).toBe(401);
    // Erasing again (a sweep, an operator) finds nothing left to do.
    expect(await eraseUser(h.db, gone.userId)).toEqual({ entries: 0, claims: 0, profileDeleted: false });
  });
});

describe('erasure leaves no derivative of the phone', () => {
  it('the request hashes kept for Idempotency-Key retries are gone, and no hash of the phone remains', async () => {
    h.clock.set(T0);
    const c1 = await h.createCampaign(leader.token);
    const c2 = await h.createCampaign(leader.token);
    const m = await h.login('pv-hash', '哈希测试');
    const phone = '13655554444';
    const sent: Array<{ campaignId: string; key: string; body: { items: EntryLine[]; phone: string; note?: string } }> = [
      { campaignId: c1.id, key: 'pv-hash-1', body: { items: [{ itemId: 'i1', qty: 2 }], phone, note: '放门卫' } },
      { campaignId: c2.id, key: 'pv-hash-2', body: { items: [{ itemId: 'i1', qty: 1 }], phone } },
      // cancelled below and joined again with another key: the claim keeps a record per key
      { campaignId: c2.id, key: 'pv-hash-3', body: { items: [{ itemId: 'i1', qty: 3 }], phone, note: '第二次' } },
    ];
    for (const [i, s] of sent.entries()) {
      const res = await h.call('POST', `/campaigns/${s.campaignId}/entries`, {
        token: m.token,
        headers: { 'idempotency-key': s.key },
        body: s.body,
      });
      expect(res.status, res.text).toBe(201);
      if (i === 1) await h.call('DELETE', `/campaigns/${s.campaignId}/entries/${res.body.id}`, { token: m.token });
    }
    const hashes = sent.map((s) => joinHash(s.campaignId, s.body));
    // The test looks for what is really stored: before the erasure every one of these hashes is in the table.
    const before = JSON.stringify(await scanAll());
    for (const hash of hashes) expect(before).toContain(hash);

    expect((await h.call('DELETE', '/me', { token: m.token })).status).toBe(200);
    expectNoTrace(await scanAll(), [...phoneDerivatives(phone), ...hashes, ...sent.map((s) => s.key), '放门卫', '第二次', 'pv-hash']);
  });
});

describe('an interrupted erasure is finished by a retry', () => {
  // The injector sees the low-level (marshalled) input: `{ sk: { S: '…' } }`.
  const isClaim = (input: Record<string, any>) => String(input.Key?.sk?.S).startsWith('MEMBER#');
  const isEntry = (input: Record<string, any>) => String(input.Key?.sk?.S).startsWith('ENTRY#');
  const isUser = (input: Record<string, any>) => String(input.Key?.pk?.S ?? input.Item?.pk?.S).startsWith('USER#');
  /** A rule that lets the first `skip` matching writes through and fails every later one (SDK retries included). */
  const failAfter = (skip: number, match: (input: Record<string, any>) => boolean) => {
    let seen = 0;
    return (input: Record<string, any>) => match(input) && ++seen > skip;
  };
  const cases: Array<[string, (f: FaultInjector) => void]> = [
    ['at the first claim', (f) => f.add('UpdateItemCommand', 'error', 1000, failAfter(0, isClaim))],
    ['at the second entry', (f) => f.add('UpdateItemCommand', 'error', 1000, failAfter(1, isEntry))],
    ['at the second claim', (f) => f.add('UpdateItemCommand', 'error', 1000, failAfter(1, isClaim))],
    [
      'at the profile',
      (f) => {
        f.add('PutItemCommand', 'error', 1000, isUser);
        f.add('DeleteItemCommand', 'error', 1000, isUser);
      },
    ],
  ];

  it.each(cases)('failing %s, then DELETE /me again: nothing of the user remains', async (_name, inject) => {
    const faults = new FaultInjector();
    const f = await harness({ faults });
    const boss = await f.login('pv-int-leader', '团长');
    const campaigns = [await f.createCampaign(boss.token), await f.createCampaign(boss.token), await f.createCampaign(boss.token)];
    const m = await f.login('pv-interrupted', '中断测试独特名');
    const phone = '13522223333';
    const sent = campaigns.map((c, i) => ({
      campaignId: c.id as string,
      key: `pv-int-${i}`,
      body: { items: [{ itemId: 'i1', qty: i + 1 }], phone, note: `中断备注${i}` },
    }));
    for (const s of sent) {
      const res = await f.call('POST', `/campaigns/${s.campaignId}/entries`, {
        token: m.token,
        headers: { 'idempotency-key': s.key },
        body: s.body,
      });
      expect(res.status, res.text).toBe(201);
    }

    inject(faults);
    const failed = await f.call('DELETE', '/me', { token: m.token });
    expect(failed.status, failed.text).toBeGreaterThanOrEqual(500);
    expect(faults.injected.length).toBeGreaterThan(0);
    faults.clear();
    // Half-erased: the token finishes the erasure and does nothing else (no join slips in behind the walk).
    const late = await f.call('POST', `/campaigns/${sent[0]!.campaignId}/entries`, {
      token: m.token,
      body: { items: [{ itemId: 'i1', qty: 1 }] },
    });
    expect(late.status).toBe(401);
    expect((await f.call('GET', '/me/export', { token: m.token })).status).toBe(401);

    const retried = await f.call('DELETE', '/me', { token: m.token });
    expect(retried.status, retried.text).toBe(200);
    const items = await scanAll(f);
    expectNoTrace(items, [
      ...phoneDerivatives(phone),
      ...sent.map((s) => joinHash(s.campaignId, s.body)),
      ...sent.map((s) => s.key),
      ...sent.map((s) => s.body.note),
      '中断测试独特名',
      'pv-interrupted',
      `PARTICIPANT#${m.userId}`,
    ]);
    // the lines stay, anonymous, for the leader's accounting
    for (const c of campaigns) {
      const list = await f.call('GET', `/campaigns/${c.id}/entries`, { token: boss.token });
      expect(list.body.entries.map((e: any) => [e.nickname, e.phone, e.note])).toEqual([['已注销用户', null, null]]);
    }
    expect((await f.call('GET', '/me', { token: m.token })).status).toBe(401);
  });
});

describe('the sweep finishes what nobody retried', () => {
  it('an erasure interrupted and never retried is finished by the sweep after ERASURE_RECHECK_MS; the next sweeps find nothing', async () => {
    const faults = new FaultInjector();
    const f = await harness({ faults });
    const boss = await f.login('pv-sweep-leader', '团长');
    const campaigns = [await f.createCampaign(boss.token), await f.createCampaign(boss.token)];
    const m = await f.login('pv-sweep', '清扫测试独特名');
    const phone = '13511112222';
    const sent = campaigns.map((c, i) => ({
      campaignId: c.id as string,
      key: `pv-sweep-${i}`,
      body: { items: [{ itemId: 'i1', qty: 1 }], phone },
    }));
    for (const s of sent) {
      const res = await f.call('POST', `/campaigns/${s.campaignId}/entries`, {
        token: m.token,
        headers: { 'idempotency-key': s.key },
        body: s.body,
      });
      expect(res.status, res.text).toBe(201);
    }
    faults.add('UpdateItemCommand', 'error', 1000, (input) => String(input.Key?.sk?.S).startsWith('ENTRY#'));
    expect((await f.call('DELETE', '/me', { token: m.token })).status).toBeGreaterThanOrEqual(500);
    faults.clear();

    const logger = createLogger('silent');
    expect((await sweepAndWork(f.db, logger, f.deps.money)).erasures).toBeUndefined(); // not due yet: a retry may still come
    f.clock.advance(ERASURE_RECHECK_MS + 1000);
    expect((await sweepAndWork(f.db, logger, f.deps.money)).erasures).toEqual([m.userId]);
    expectNoTrace(await scanAll(f), [
      ...phoneDerivatives(phone),
      ...sent.map((s) => joinHash(s.campaignId, s.body)),
      ...sent.map((s) => s.key),
      '清扫测试独特名',
      'pv-sweep"',
      `PARTICIPANT#${m.userId}`,
    ]);
    expect((await f.call('GET', '/me', { token: m.token })).status).toBe(401);
    f.clock.advance(ERASURE_RECHECK_MS + 1000);
    expect((await sweepAndWork(f.db, logger, f.deps.money)).erasures).toBeUndefined();
  });
});

describe('after erasure the openid starts over', () => {
  let fake: FakeWechat;
  let wx: { call: Harness['call'] };

  beforeAll(async () => {
    fake = await startFakeWechat();
    const app = createApp({
      ...h.deps,
      logger: createLogger('silent'),
      wechat: { apiBase: fake.url, appId: fake.appId, secret: fake.secret, timeoutMs: 1000 },
    });
    wx = { call: (method, path, init = {}) => callApp(app, method, path, init) };
  });
  afterAll(async () => {
    await fake?.close();
  });

  const wechatLogin = async (openid: string) => {
    const res = await wx.call('POST', '/auth/wechat', { body: { code: fake.codeFor(openid) } });
    expect(res.status, res.text).toBe(200);
    return res.body as { accessToken: string; refreshToken: string; user: { id: string; nickname: string } };
  };

  it('a new login gets a new user id, tokens from before are refused (401), the erased entries stay unlinked', async () => {
    h.clock.set(T0);
    const c = await h.createCampaign(leader.token);
    const first = await wechatLogin('o_pv_again');
    // a refresh chain: one refresh token spent, the next one not yet used
    const refreshed = await wx.call('POST', '/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expect(refreshed.status).toBe(200);
    const joined = await wx.call('POST', `/campaigns/${c.id}/entries`, {
      token: first.accessToken,
      body: { items: [{ itemId: 'i1', qty: 1 }], phone: '13766667777' },
    });
    expect(joined.status, joined.text).toBe(201);
    expect((await wx.call('GET', '/me/entries', { token: first.accessToken })).body.entries).toHaveLength(1);

    expect((await wx.call('DELETE', '/me', { token: first.accessToken })).status).toBe(200);

    // every token issued before the erasure is refused: access tokens (both) and the unused refresh token
    for (const token of [first.accessToken, refreshed.body.accessToken]) {
      expect((await wx.call('GET', '/me', { token })).status).toBe(401);
      expect((await wx.call('GET', '/me/entries', { token })).status).toBe(401);
      expect((await wx.call('POST', `/campaigns/${c.id}/entries`, { token, body: { items: [{ itemId: 'i1', qty: 1 }] } })).status).toBe(
        401,
      );
    }
    expect((await wx.call('POST', '/auth/refresh', { body: { refreshToken: refreshed.body.refreshToken } })).status).toBe(401);
    // also by another instance of the API, which never saw the erasure (nothing cached)
    const elsewhere = createApp({ ...h.deps, logger: createLogger('silent') });
    expect((await callApp(elsewhere, 'GET', '/me/entries', { token: refreshed.body.accessToken })).status).toBe(401);

    // the same openid logs in again: a new, empty user
    const again = await wechatLogin('o_pv_again');
    expect(again.user.id).not.toBe(first.user.id);
    expect((await wx.call('GET', '/me', { token: again.accessToken })).body).toMatchObject({ id: again.user.id, nickname: '微信用户' });
    expect((await wx.call('GET', '/me/entries', { token: again.accessToken })).body.entries).toEqual([]);
    expect((await wx.call('GET', '/me/export', { token: again.accessToken })).body.entries).toEqual([]);
    // the erased claim is not theirs: joining the same campaign again is a new line, not ALREADY_JOINED
    const rejoined = await wx.call('POST', `/campaigns/${c.id}/entries`, {
      token: again.accessToken,
      body: { items: [{ itemId: 'i1', qty: 2 }] },
    });
    expect(rejoined.status, rejoined.text).toBe(201);
    expect(rejoined.body.seq).toBe(2);
    // and the next login keeps the new id; the old refresh token still does not work
    expect((await wechatLogin('o_pv_again')).user.id).toBe(again.user.id);
    expect((await wx.call('POST', '/auth/refresh', { body: { refreshToken: refreshed.body.refreshToken } })).status).toBe(401);

    // erased twice: the third login is a new user again
    expect((await wx.call('DELETE', '/me', { token: again.accessToken })).status).toBe(200);
    const third = await wechatLogin('o_pv_again');
    expect([first.user.id, again.user.id]).not.toContain(third.user.id);
    expect((await wx.call('GET', '/me/entries', { token: third.accessToken })).body.entries).toEqual([]);
    expect(JSON.stringify(await scanAll())).not.toContain('13766667777');
  });

  it('the development login starts over too', async () => {
    const before = await h.login('pv-dev-again', '开发者');
    expect((await h.call('DELETE', '/me', { token: before.token })).status).toBe(200);
    const after = await h.login('pv-dev-again', '开发者');
    expect(after.userId).not.toBe(before.userId);
    expect((await h.call('GET', '/me', { token: before.token })).status).toBe(401);
    expect((await h.call('GET', '/me', { token: after.token })).status).toBe(200);
  });
});

async function callApp(
  app: ReturnType<typeof createApp>,
  method: string,
  path: string,
  init: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] = 'application/json';
  }
  const res = await app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, headers: res.headers, text };
}
