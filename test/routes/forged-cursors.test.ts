import { beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness } from '../helpers/harness.js';

/**
 * Pagination cursors come from clients. Whatever a client makes of one (extra keys, wrong types,
 * another list's cursor, a key in another campaign's partition or outside the list's range,
 * keys DynamoDB would reject) must be 400, never reach DynamoDB as a 500, never page another list.
 */
let h: Harness;
let leader: { token: string; userId: string };
let member: { token: string; userId: string };
let c: { id: string };
let other: { id: string };

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64url');

beforeAll(async () => {
  h = await harness();
  leader = await h.login('fc-leader', '团长');
  member = await h.login('fc-member', '王小明');
  c = await h.createCampaign(leader.token, { minParticipants: 1 });
  other = await h.createCampaign(leader.token, { minParticipants: 1 });
  for (const campaign of [c, other]) {
    for (let i = 0; i < 3; i++) {
      const m = i === 0 ? member : await h.login(`fc-m-${campaign.id}-${i}`, `成员${i}`);
      const joined = await h.call('POST', `/campaigns/${campaign.id}/entries`, {
        token: m.token,
        body: { items: [{ itemId: 'i1', qty: 1 }] },
      });
      expect(joined.status).toBe(201);
      // A money event per entry, so the ledger has pages too.
      const mark = await h.call('PUT', `/campaigns/${campaign.id}/entries/${joined.body.id}/payment`, {
        token: leader.token,
        body: { status: 'paid', amount: 100 },
      });
      expect(mark.status, mark.text).toBe(200);
    }
  }
  await h.createCampaign(leader.token, { minParticipants: 1 });
});

/** The list routes and a real second-page cursor of each (so "another list's cursor" is a genuine one). */
const LISTS = () => [
  { name: 'entries', path: `/campaigns/${c.id}/entries`, token: leader.token },
  { name: 'my campaigns', path: '/me/campaigns', token: leader.token },
  { name: 'my entries', path: '/me/entries', token: member.token },
  { name: 'payments', path: `/campaigns/${c.id}/payments`, token: leader.token },
  { name: 'ledger', path: `/campaigns/${c.id}/ledger`, token: leader.token },
];

async function realCursor(list: { path: string; token: string }): Promise<string | null> {
  const res = await h.call('GET', `${list.path}?limit=1`, { token: list.token });
  expect(res.status, res.text).toBe(200);
  return res.body.nextCursor;
}

function forgeries(campaignId: string, otherId: string, userId: string): Record<string, string> {
  const pk = `CAMPAIGN#${campaignId}`;
  return {
    'not base64 JSON': 'garbage!!',
    'JSON but not an object': b64('"ENTRY#1"'),
    'an array': b64([pk, 'ENTRY#0000000001']),
    null: b64('null'),
    'wrong types': b64({ pk: 1, sk: { S: 'x' } }),
    'a number for sk': b64({ pk, sk: 5 }),
    'extra keys': b64({ pk, sk: 'ENTRY#0000000001', gsi9: 'x' }),
    'missing sk': b64({ pk }),
    'empty values': b64({ pk: '', sk: '' }),
    'another campaign’s partition': b64({ pk: `CAMPAIGN#${otherId}`, sk: 'ENTRY#0000000001' }),
    'this partition, outside the list': b64({ pk, sk: 'MEMBER#u1' }),
    'this partition, the ledger range': b64({ pk, sk: 'LEDGER#e1_x#ref' }),
    'this partition, the entries range': b64({ pk, sk: 'ENTRY#0000000002' }),
    'this partition, the META item': b64({ pk, sk: '#META' }),
    'an index key of another user': b64({ pk, sk: '#META', gsi1pk: 'LEADER#u_other', gsi1sk: '2026#c' }),
    'an index key of another list': b64({ pk, sk: 'ENTRY#0000000001', gsi1pk: `PARTICIPANT#${userId}_other`, gsi1sk: '2026#e' }),
    'a sort key longer than DynamoDB allows': b64({ pk, sk: `ENTRY#${'9'.repeat(1100)}` }),
    'a payments cursor with a huge seq': b64('seq:99999999999999999999'),
    'a payments cursor with extra text': b64('seq:1;drop'),
  };
}

describe('forged pagination cursors are 400 on every list', () => {
  it('real cursors still page every list', async () => {
    for (const list of LISTS()) {
      const cursor = await realCursor(list);
      expect(cursor, list.name).toBeTruthy();
      const next = await h.call('GET', `${list.path}?limit=1&cursor=${cursor}`, { token: list.token });
      expect(next.status, `${list.name}: ${next.text}`).toBe(200);
    }
  });

  it('each forgery, and each other list’s real cursor, is 400 on each list', async () => {
    const lists = LISTS();
    const real = new Map<string, string>();
    for (const list of lists) real.set(list.name, (await realCursor(list))!);
    const failures: string[] = [];
    for (const list of lists) {
      const cases: Record<string, string> = { ...forgeries(c.id, other.id, member.userId) };
      for (const [name, cursor] of real) if (name !== list.name) cases[`the ${name} list’s cursor`] = cursor;
      // The same list's cursor from another campaign (for the campaign-scoped lists).
      if (list.path.includes(c.id)) {
        const foreign = await realCursor({ ...list, path: list.path.replace(c.id, other.id) });
        if (foreign) cases['the same list’s cursor of another campaign'] = foreign;
      }
      for (const [name, cursor] of Object.entries(cases)) {
        const res = await h.call('GET', `${list.path}?limit=1&cursor=${encodeURIComponent(cursor)}`, { token: list.token });
        const ok = res.status === 400 && ['VALIDATION_FAILED', 'INVALID_CURSOR'].includes(res.body?.error?.code);
        // A position inside this very list is a cursor we could have issued: paging from it is fine. (A payments
        // cursor is a position `seq:<n>`, so another campaign's is a position in this list too.)
        const ownRange =
          (list.name === 'payments' && name === 'the same list’s cursor of another campaign') ||
          (list.name === 'ledger' && name === 'this partition, the ledger range') ||
          (list.name === 'entries' && name === 'this partition, the entries range');
        const harmless = ownRange && res.status === 200;
        if (!ok && !harmless) failures.push(`${list.name} × ${name}: ${res.status} ${res.text.slice(0, 120)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
