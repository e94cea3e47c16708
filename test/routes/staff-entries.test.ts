import { beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, T0 } from '../helpers/harness.js';
import { expectInvariants } from '../helpers/invariants.js';

/**
 * 代客下单: staff entries are joins for guests, so numbering, stock, tiers and limits hold with them
 * mixed into a rush; a claim code moves one to the member who ordered in the chat.
 */
let h: Harness;
let leader: { token: string; userId: string };
let k = 0;

beforeAll(async () => {
  h = await harness();
  leader = await h.login('se-leader', '团长');
});

const user = (name: string) => h.login(`se-${k++}`, name);
const campaign = (overrides: Record<string, unknown> = {}) =>
  h.createCampaign(leader.token, {
    minParticipants: 1,
    items: [{ name: '阳光玫瑰', unitPrice: 3990, stock: 100, perPersonLimit: 5, tiers: [{ threshold: 10, unitPrice: 3590 }] }],
    ...overrides,
  });
const enter = (campaignId: string, token: string, body: Record<string, unknown>, key?: string) =>
  h.call('POST', `/campaigns/${campaignId}/staff-entries`, { token, body, ...(key ? { headers: { 'idempotency-key': key } } : {}) });
const order = (qty: number, name = '王阿姨') => ({
  name,
  items: [{ itemId: 'i1', qty }],
  phone: '13800138000',
  note: '群里 +1',
  pickupPointId: 'p1',
});
const claim = (campaignId: string, token: string, code: string) =>
  h.call('POST', `/campaigns/${campaignId}/entries/claim`, { token, body: { code } });

describe('POST /campaigns/{id}/staff-entries', () => {
  it('the leader or a helper enters a chat order: numbered, counted, masked for the public, full for staff', async () => {
    h.clock.set(T0);
    const c = await campaign();
    const helper = await user('助手');
    expect((await h.call('POST', `/campaigns/${c.id}/helpers`, { token: leader.token, body: { userId: helper.userId } })).status).toBe(201);
    const member = await user('自己接龙');
    expect(
      (await h.call('POST', `/campaigns/${c.id}/entries`, { token: member.token, body: { items: [{ itemId: 'i1', qty: 1 }] } })).status,
    ).toBe(201);

    const byLeader = await enter(c.id, leader.token, order(2));
    expect(byLeader.status, byLeader.text).toBe(201);
    expect(byLeader.body).toMatchObject({
      seq: 2,
      nickname: '王阿姨',
      phone: '13800138000',
      status: 'active',
      userId: expect.stringMatching(/^g_[0-9a-f]{24}$/),
      enteredBy: leader.userId,
      claimCode: expect.stringMatching(/^2-[0-9A-Z]{8}$/),
    });
    const byHelper = await enter(c.id, helper.token, order(3, '李叔'));
    expect(byHelper.status).toBe(201);
    expect(byHelper.body).toMatchObject({ seq: 3, enteredBy: helper.userId });

    const state = await h.call('GET', `/campaigns/${c.id}`);
    expect(state.body.participantCount).toBe(3);
    expect(state.body.items[0].sold).toBe(6);
    const list = await h.call('GET', `/campaigns/${c.id}/entries`);
    expect(list.body.entries.map((e: { nickname: string }) => e.nickname)).toEqual(['自*', '王*', '李*']);
    expect(JSON.stringify(list.body)).not.toContain('13800138000');
    const chat = await h.call('GET', `/campaigns/${c.id}/entries.txt`, { token: leader.token });
    expect(chat.text).toContain('2. 王阿姨 阳光玫瑰×2');
  });

  it('keeps per-person limits and stock like any join; bad input is 400 and takes no number', async () => {
    h.clock.set(T0);
    const c = await campaign({ items: [{ name: '鸡蛋', unitPrice: 1500, stock: 4, perPersonLimit: 3 }] });
    expect((await enter(c.id, leader.token, order(4))).body.error.code).toBe('LIMIT_EXCEEDED');
    expect((await enter(c.id, leader.token, order(3))).status).toBe(201);
    const sold = await enter(c.id, leader.token, order(2, '张三'));
    expect(sold.status).toBe(409);
    expect(sold.body.error.code).toBe('SOLD_OUT');
    for (const body of [
      { ...order(1), name: '' },
      { ...order(1), items: [] },
      { ...order(1), items: [{ itemId: 'i9', qty: 1 }] },
      { ...order(1), phone: '12' },
    ]) {
      expect((await enter(c.id, leader.token, body)).status).toBeGreaterThanOrEqual(400);
    }
    expect((await enter(c.id, leader.token, order(1, '李四'))).body.seq).toBe(2);
  });

  it('answers a retried Idempotency-Key with the same entry, also when 10 copies arrive at once', async () => {
    h.clock.set(T0);
    const c = await campaign();
    const results = await Promise.all(Array.from({ length: 10 }, () => enter(c.id, leader.token, order(2), 'chat-msg-1842')));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(results.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(9);
    // Another key is another order, even with the same body (two neighbours ordering the same).
    expect((await enter(c.id, leader.token, order(2), 'chat-msg-1843')).body.seq).toBe(2);
    // The same key with another body is refused.
    expect((await enter(c.id, leader.token, order(3), 'chat-msg-1842')).status).toBe(422);
  });

  it('mixed into a rush of 40 joins and 40 staff entries: numbers 1..80, sold = Σ active lines', async () => {
    h.clock.set(T0);
    const c = await campaign({ items: [{ name: '苹果', unitPrice: 1000, stock: 1000 }] });
    const members = await Promise.all(Array.from({ length: 40 }, (_, i) => h.login(`se-rush-${k}-${i}`, `会员${i}`)));
    k++;
    const results = await Promise.all([
      ...members.map((m) => h.call('POST', `/campaigns/${c.id}/entries`, { token: m.token, body: { items: [{ itemId: 'i1', qty: 1 }] } })),
      ...Array.from({ length: 40 }, (_, i) =>
        enter(c.id, leader.token, { name: `群友${i}`, items: [{ itemId: 'i1', qty: 2 }] }, `rush-${i}`),
      ),
    ]);
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(results.map((r) => r.body.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    await expectInvariants(h, c.id, leader.token);
    expect((await h.call('GET', `/campaigns/${c.id}`)).body.items[0].sold).toBe(40 + 80);
  });

  it('is for the leader and helpers only', async () => {
    h.clock.set(T0);
    const c = await campaign();
    const member = await user('会员');
    expect((await enter(c.id, member.token, order(1))).status).toBe(403);
    expect((await h.call('POST', `/campaigns/${c.id}/staff-entries`, { body: order(1) })).status).toBe(401);
  });
});

describe('claiming a staff entry', () => {
  it('the member takes it over with the code: theirs to change, in their entries; nobody else can take it', async () => {
    h.clock.set(T0);
    const c = await campaign();
    const entered = await enter(c.id, leader.token, order(2));
    const code = entered.body.claimCode as string;
    expect((await h.call('GET', `/campaigns/${c.id}/entries/${entered.body.id}/claim-code`, { token: leader.token })).body.code).toBe(code);

    const wang = await user('王阿姨本人');
    const claimed = await claim(c.id, wang.token, code);
    expect(claimed.status, claimed.text).toBe(200);
    expect(claimed.body).toMatchObject({ id: entered.body.id, seq: 1, userId: wang.userId, isMine: true, nickname: '王阿姨' });
    const mine = await h.call('GET', '/me/entries', { token: wang.token });
    expect(mine.body.entries.map((e: { id: string }) => e.id)).toEqual([entered.body.id]);
    const changed = await h.call('PATCH', `/campaigns/${c.id}/entries/${entered.body.id}`, {
      token: wang.token,
      body: { items: [{ itemId: 'i1', qty: 3 }] },
    });
    expect(changed.status, changed.text).toBe(200);
    // Again by the same member: the same answer. By anyone else: refused.
    expect((await claim(c.id, wang.token, code)).status).toBe(200);
    expect((await claim(c.id, (await user('别人')).token, code)).status).toBe(409);
    expect((await h.call('GET', `/campaigns/${c.id}/entries/${entered.body.id}/claim-code`, { token: leader.token })).status).toBe(409);
    // She now holds the campaign's one entry: a join of hers is ALREADY_JOINED.
    const again = await h.call('POST', `/campaigns/${c.id}/entries`, { token: wang.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    expect(again.body.error.code).toBe('ALREADY_JOINED');
  });

  it('is refused to a member who already has an entry here, and for a wrong or a pickup-style code', async () => {
    h.clock.set(T0);
    const c = await campaign();
    const member = await user('已接龙');
    const own = await h.call('POST', `/campaigns/${c.id}/entries`, { token: member.token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
    const entered = await enter(c.id, leader.token, order(1));
    const refused = await claim(c.id, member.token, entered.body.claimCode);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'ALREADY_JOINED', details: { entryId: own.body.id } });
    // Nothing moved: the entry is still the guest's, the code still works for someone else.
    const other = await user('另一个');
    expect((await claim(c.id, other.token, entered.body.claimCode)).status).toBe(200);

    const second = await enter(c.id, leader.token, order(1, '赵'));
    const [seq, mac] = (second.body.claimCode as string).split('-');
    expect((await claim(c.id, other.token, `${seq}-${mac!.split('').reverse().join('')}`)).status).toBe(404);
    expect((await claim(c.id, other.token, 'nonsense')).status).toBe(404);
    // A member's own join has no claim code.
    expect((await h.call('GET', `/campaigns/${c.id}/entries/${own.body.id}/claim-code`, { token: leader.token })).status).toBe(409);
  });

  it('10 members claiming one code at once: exactly one gets it', async () => {
    h.clock.set(T0);
    const c = await campaign();
    const entered = await enter(c.id, leader.token, order(1));
    const members = await Promise.all(Array.from({ length: 10 }, (_, i) => h.login(`se-claim-${k}-${i}`, `抢${i}`)));
    k++;
    const results = await Promise.all(members.map((m) => claim(c.id, m.token, entered.body.claimCode)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(9);
    const winner = results.find((r) => r.status === 200)!.body.userId;
    const list = await h.call('GET', `/campaigns/${c.id}/entries`, { token: leader.token });
    expect(list.body.entries[0].userId).toBe(winner);
  });
});
