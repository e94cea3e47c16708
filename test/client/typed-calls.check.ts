/**
 * Compiled by `tsc -p .` (npm test's first step), never run: what a mini-program developer writes
 * with the typed client must type-check, and wrong calls must not (each `@ts-expect-error` fails
 * the compile if its line stops being an error). The types are the committed generated ones.
 */
import { type Client, type components, createClient } from '../../shared/client/index.js';

declare const wx: { request: Parameters<typeof createClient>[0]['request'] };

export async function minimalCalls(api: Client = createClient({ baseUrl: 'https://api.example.com', request: wx.request })) {
  // A minimal create: title, closing time and one item; every defaulted field may be left out.
  const created = await api.post('/campaigns', {
    body: { title: '周六 葡萄', closesAt: '2026-12-05T12:00:00.000Z', items: [{ name: '葡萄', unitPrice: 3990 }] },
  });
  if (!created.ok) return created.error.code;
  // A response's defaulted fields are present (no `?`): read without a check.
  const campaign: components['schemas']['Campaign'] = created.data;
  const basis: 'quantity' | 'participants' = campaign.tierBasis;

  // A minimal join: the item and quantity, with an Idempotency-Key.
  const joined = await api.post('/campaigns/{id}/entries', {
    path: { id: campaign.id },
    body: { items: [{ itemId: campaign.items[0]!.id, qty: 1 }] },
    idempotencyKey: 'tap-1',
  });
  if (!joined.ok) {
    // Error codes are the route's: a typo in one is a compile error.
    if (joined.error.code === 'SOLD_OUT' || joined.error.code === 'ALREADY_JOINED') return joined.error.details;
    // @ts-expect-error not a code POST /campaigns/{id}/entries answers
    if (joined.error.code === 'SOLD_OUTT') return undefined;
    return joined.status;
  }
  const seq: number = joined.data.seq;

  // A public read with no token and no init at all, and a PATCH (sent as POST with the override).
  const page = await api.get('/campaigns/{id}/entries', { path: { id: campaign.id }, query: { limit: 20 } });
  const edit = await api.patch('/campaigns/{id}', { path: { id: campaign.id }, body: { title: '周日 葡萄' } });
  const health = await api.get('/health');

  // @ts-expect-error a create needs its items
  await api.post('/campaigns', { body: { title: 'x', closesAt: '2026-12-05T12:00:00.000Z' } });
  // @ts-expect-error money is integer fen, not a string
  await api.post('/campaigns', { body: { title: 'x', closesAt: '2026-12-05T12:00:00.000Z', items: [{ name: 'a', unitPrice: '39.90' }] } });
  // @ts-expect-error a join needs the campaign id in the path
  await api.post('/campaigns/{id}/entries', { body: { items: [{ itemId: 'i1', qty: 1 }] } });
  // @ts-expect-error a join's quantity is a number
  await api.post('/campaigns/{id}/entries', { path: { id: 'c1' }, body: { items: [{ itemId: 'i1', qty: 'one' }] } });
  // @ts-expect-error no such path
  await api.get('/campaign/{id}', { path: { id: 'c1' } });
  // @ts-expect-error there is no DELETE of the 接龙 list
  await api.delete('/campaigns/{id}/entries', { path: { id: 'c1' } });
  return { basis, seq, page, edit, health };
}
