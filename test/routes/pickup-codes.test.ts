import { beforeAll, describe, expect, it } from 'vitest';
import { entryCode, entryForPickupCode, parseEntryCode, pickupKeys, requireEntry } from '../../shared/entries/index.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';
import { readQrPng } from '../helpers/qr.js';

/**
 * Pickup codes (提货码): the member's code for an entry, and the counter's scan that ticks it off
 * through the existing pickup check. Real DynamoDB Local.
 */
let h: Harness;
let leader: { token: string; userId: string };
let k = 0;

beforeAll(async () => {
  h = await harness();
  leader = await h.login('pc-leader', '团长');
});

async function campaignWith(n: number, opts: { settle?: boolean; minParticipants?: number } = {}) {
  h.clock.set(T0);
  const c = await h.createCampaign(leader.token, { minParticipants: opts.minParticipants ?? 1 });
  const helper = await h.login(`pc-helper-${k++}`, '助手');
  expect((await h.call('POST', `/campaigns/${c.id}/helpers`, { token: leader.token, body: { userId: helper.userId } })).status).toBe(201);
  const members = [];
  for (let i = 0; i < n; i++) {
    const u = await h.login(`pc-${k++}`, `成员${i}`);
    const res = await h.call('POST', `/campaigns/${c.id}/entries`, {
      token: u.token,
      body: { items: [{ itemId: 'i1', qty: i + 1 }], pickupPointId: 'p1' },
    });
    expect(res.status).toBe(201);
    members.push({ ...u, entryId: res.body.id as string });
  }
  if (opts.settle !== false) {
    expect((await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token })).status).toBe(200);
    expect((await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token })).status).toBe(200);
  }
  return { c, helper, members };
}

const codeOf = (campaignId: string, entryId: string, token: string) =>
  h.call('GET', `/campaigns/${campaignId}/entries/${entryId}/pickup-code`, { token });
const scan = (campaignId: string, code: string, token: string) =>
  h.call('POST', `/campaigns/${campaignId}/pickups/scan`, { token, body: { code } });

describe('pickup codes', () => {
  it('a member’s code, scanned by a helper, ticks the entry off and says what to hand over; a second scan says it was', async () => {
    const { c, helper, members } = await campaignWith(3);
    const m = members[1]!;
    const mine = await codeOf(c.id, m.entryId, m.token);
    expect(mine.status, mine.text).toBe(200);
    expect(mine.body).toEqual({
      entryId: m.entryId,
      seq: 2,
      code: expect.stringMatching(/^2-[0-9A-HJKMNP-TV-Z]{8}$/),
      pickedUp: false,
      pickedUpAt: null,
    });
    // The same code for the leader and on every ask; another entry's is another code.
    expect((await codeOf(c.id, m.entryId, leader.token)).body.code).toBe(mine.body.code);
    expect((await codeOf(c.id, members[0]!.entryId, members[0]!.token)).body.code).not.toBe(mine.body.code);

    h.clock.advance(60_000);
    const first = await scan(c.id, mine.body.code, helper.token);
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({
      entryId: m.entryId,
      seq: 2,
      pickedUp: true,
      pickedUpBy: helper.userId,
      repeated: false,
      nickname: '成员1',
      pickupPointId: 'p1',
      items: [{ itemId: 'i1', qty: 2 }],
    });
    h.clock.advance(60_000);
    // Typed by hand from the phone's screen: lower case, spaces, O for 0 are forgiven.
    const typed = ` ${mine.body.code.toLowerCase().replace(/0/g, 'o')} `;
    const again = await scan(c.id, typed, leader.token);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ repeated: true, pickedUpBy: helper.userId, pickedUpAt: first.body.pickedUpAt });
    // The existing pickup list agrees.
    const list = await h.call('GET', `/campaigns/${c.id}/pickups`, { token: leader.token });
    expect(list.body).toMatchObject({ pickedUp: 1, waiting: 2 });
    expect((await codeOf(c.id, m.entryId, m.token)).body).toMatchObject({ pickedUp: true, pickedUpAt: first.body.pickedUpAt });
  });

  it('refuses made-up codes: right number wrong letters, another campaign’s code, junk; nothing is ticked off', async () => {
    const { c, helper, members } = await campaignWith(2);
    const other = await campaignWith(2);
    const real = (await codeOf(c.id, members[0]!.entryId, members[0]!.token)).body.code as string;
    const otherCode = (await codeOf(other.c.id, other.members[0]!.entryId, other.members[0]!.token)).body.code as string;
    const [seq, letters] = real.split('-') as [string, string];
    const flipped = `${seq}-${letters[0] === 'A' ? 'B' : 'A'}${letters.slice(1)}`;
    for (const code of [flipped, otherCode, '1-AAAAAAAA', `${seq}-${letters.slice(0, 7)}`, '99-AAAAAAAA', 'hello', '0x1f']) {
      const res = await scan(c.id, code, helper.token);
      expect(res.status, code).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    expect((await h.call('GET', `/campaigns/${c.id}/pickups`, { token: leader.token })).body).toMatchObject({ pickedUp: 0, waiting: 2 });
    expect((await scan(c.id, '', helper.token)).status).toBe(400);
  });

  it('exists only for active entries of a successful settlement; only the member and staff see it, only staff scan', async () => {
    const open = await campaignWith(1, { settle: false });
    expect((await codeOf(open.c.id, open.members[0]!.entryId, open.members[0]!.token)).status).toBe(409);
    const failed = await campaignWith(1, { minParticipants: 3 });
    expect((await codeOf(failed.c.id, failed.members[0]!.entryId, failed.members[0]!.token)).status).toBe(409);

    const { c, members } = await campaignWith(2);
    const stranger = await h.login(`pc-stranger-${k++}`, '路人');
    expect((await codeOf(c.id, members[0]!.entryId, stranger.token)).status).toBe(403);
    expect((await codeOf(c.id, members[0]!.entryId, members[1]!.token)).status).toBe(403);
    const id = members[0]!.entryId;
    const forged = `${id.slice(0, -1)}${id.endsWith('x') ? 'y' : 'x'}`; // another token at the same number
    expect((await codeOf(c.id, forged, members[0]!.token)).status).toBe(404);
    const code = (await codeOf(c.id, members[0]!.entryId, members[0]!.token)).body.code as string;
    expect((await scan(c.id, code, members[0]!.token)).status).toBe(403);
    expect((await scan(c.id, code, stranger.token)).status).toBe(403);
    expect((await h.call('POST', `/campaigns/${c.id}/pickups/scan`, { body: { code } })).status).toBe(401);
  });

  it('20 concurrent scans of one code tick it off once; every answer names the same mark', async () => {
    const { c, helper, members } = await campaignWith(1);
    const code = (await codeOf(c.id, members[0]!.entryId, members[0]!.token)).body.code as string;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => scan(c.id, code, i % 2 ? helper.token : leader.token)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(results.filter((r) => r.body.repeated === false)).toHaveLength(1);
    expect(new Set(results.map((r) => `${r.body.pickedUpAt}|${r.body.pickedUpBy}`)).size).toBe(1);
  });

  it('a code made before a secret rotation verifies while the old secret is listed as previous, not after it is dropped', async () => {
    const { c, members } = await campaignWith(1);
    const entry = await requireEntry(h.db, c.id, members[0]!.entryId);
    const code = entryCode(pickupKeys(['the-old-signing-secret']), c.id, entry);
    const found = await entryForPickupCode(h.db, pickupKeys(['the-new-signing-secret', 'the-old-signing-secret']), c.id, code);
    expect(found.id).toBe(entry.id);
    await expect(entryForPickupCode(h.db, pickupKeys(['the-new-signing-secret']), c.id, code)).rejects.toMatchObject({ status: 404 });
  });

  it('the QR code image holds exactly the code, read back by a QR decoder; same rights as the code', async () => {
    const { c, members } = await campaignWith(1);
    const m = members[0]!;
    const code = (await codeOf(c.id, m.entryId, m.token)).body.code as string;
    const res = await h.app.request(`/campaigns/${c.id}/entries/${m.entryId}/pickup-code.png`, {
      headers: { authorization: `Bearer ${m.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toBe('private, max-age=3600');
    expect(readQrPng(new Uint8Array(await res.arrayBuffer()))).toEqual({ text: code, width: 360 });
    const stranger = await h.login(`pc-qr-${k++}`, '路人');
    expect(
      (
        await h.app.request(`/campaigns/${c.id}/entries/${m.entryId}/pickup-code.png`, {
          headers: { authorization: `Bearer ${stranger.token}` },
        })
      ).status,
    ).toBe(403);
    const open = await campaignWith(1, { settle: false });
    const early = await h.app.request(`/campaigns/${open.c.id}/entries/${open.members[0]!.entryId}/pickup-code.png`, {
      headers: { authorization: `Bearer ${open.members[0]!.token}` },
    });
    expect(early.status).toBe(409);
  });

  it('parses what a person types or a scanner reads', () => {
    expect(parseEntryCode('12-K7M3Q9XA')).toEqual({ seq: 12, mac: 'K7M3Q9XA' });
    expect(parseEntryCode(' 12 - k7m3q9xa ')).toEqual({ seq: 12, mac: 'K7M3Q9XA' });
    expect(parseEntryCode('12-K7M3Q9XO')).toEqual({ seq: 12, mac: 'K7M3Q9X0' });
    expect(parseEntryCode('12-K7M3Q9X')).toBeNull();
    expect(parseEntryCode('-K7M3Q9XA')).toBeNull();
    expect(parseEntryCode('12K7M3Q9XA')).toBeNull();
  });
});
