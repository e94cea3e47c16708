import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, createClient, urlOf, type WxRequest, type WxRequestOption } from '../../shared/client/index.js';
import { type Harness, harness } from '../helpers/harness.js';

/**
 * The typed mini-program client (shared/client/) against the real app served over HTTP, through a
 * wx.request shim that does what wx.request does: takes its options, sends the bytes (no fetch),
 * and calls `success` for every HTTP status with `{data, statusCode, header}`, or `fail` with an
 * errMsg when there is no answer. The shim refuses PATCH, which wx.request cannot send.
 */
const sent: WxRequestOption[] = [];

const wxRequest: WxRequest = (option) => {
  sent.push(option);
  if (!['OPTIONS', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'TRACE', 'CONNECT'].includes(option.method)) {
    option.fail({ errMsg: `request:fail method ${option.method} is not supported` });
    return;
  }
  const req = httpRequest(option.url, { method: option.method, headers: option.header, timeout: option.timeout ?? 60_000 }, (res) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      // dataType 'json' would parse; anything else hands over the text (responseType 'text').
      let data: unknown = text;
      if (option.dataType === 'json') {
        try {
          data = JSON.parse(text);
        } catch {}
      }
      option.success({ data, statusCode: res.statusCode!, header: res.headers as Record<string, unknown> });
    });
  });
  req.on('error', (err) => option.fail({ errMsg: `request:fail ${err.message}` }));
  req.on('timeout', () => req.destroy(new Error('timeout')));
  if (option.data !== undefined) req.write(option.data);
  req.end();
};

let h: Harness;
let server: ServerType;
let base: string;

beforeAll(async () => {
  h = await harness();
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server?.close();
});

/** A failure's code is one the document lists for that operation and status (the generated type's enum). */
async function expectDeclared(method: string, path: string, result: { ok: boolean; status: number; error?: { code: string } }) {
  const doc = (await h.call('GET', '/openapi.json')).body;
  const schema = doc.paths[path][method].responses[String(result.status)].content['application/json'].schema;
  const codes = doc.components.schemas[schema.$ref.split('/').pop()].properties.error.properties.code.enum;
  expect(codes, `${method} ${path} ${result.status}`).toContain(result.error!.code);
}

/** A client per person: each keeps the token its login gave. */
function person(): { api: Client; login: (openid: string) => Promise<string> } {
  let token: string | undefined;
  const api = createClient({ baseUrl: base, request: wxRequest, token: () => token });
  return {
    api,
    login: async (openid) => {
      const res = await api.post('/auth/dev-login', { body: { openid, nickname: `用户${openid}` } });
      if (!res.ok) throw new Error(`login: ${res.status} ${res.error.code}`);
      token = res.data.token;
      return res.data.user.id;
    },
  };
}

describe('the typed client over wx.request', () => {
  it('login → create → join → list → settle, the whole flow', async () => {
    const leader = person();
    await leader.login('client-leader');
    // A minimal create: every defaulted field left out.
    const created = await leader.api.post('/campaigns', {
      body: { title: '周六 葡萄', closesAt: '2026-12-03T12:00:00.000Z', items: [{ name: '葡萄', unitPrice: 3990, stock: 10 }] },
    });
    if (!created.ok) throw new Error(`create: ${created.status} ${created.error.code}`);
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ title: '周六 葡萄', tierBasis: 'quantity', minParticipants: 1, paymentMode: 'offline' });
    const campaign = created.data;

    const members = [person(), person(), person()];
    const seqs: number[] = [];
    for (const [i, m] of members.entries()) {
      await m.login(`client-member-${i}`);
      const joined = await m.api.post('/campaigns/{id}/entries', {
        path: { id: campaign.id },
        body: { items: [{ itemId: campaign.items[0]!.id, qty: 2 }] },
        idempotencyKey: `tap-${i}`,
      });
      if (!joined.ok) throw new Error(`join: ${joined.status} ${joined.error.code}`);
      seqs.push(joined.data.seq);
      // A retry with the same key is the first answer, replayed (the header is declared and sent).
      const again = await m.api.post('/campaigns/{id}/entries', {
        path: { id: campaign.id },
        body: { items: [{ itemId: campaign.items[0]!.id, qty: 2 }] },
        idempotencyKey: `tap-${i}`,
      });
      expect(again.ok && again.data.id).toBe(joined.data.id);
      expect(again.headers['idempotent-replayed']).toBe('true');
    }
    expect(seqs).toEqual([1, 2, 3]);

    // A second join without a key: the route's typed error.
    const twice = await members[0]!.api.post('/campaigns/{id}/entries', {
      path: { id: campaign.id },
      body: { items: [{ itemId: campaign.items[0]!.id, qty: 1 }] },
    });
    expect(twice).toMatchObject({ ok: false, status: 409, error: { code: 'ALREADY_JOINED' } });
    await expectDeclared('post', '/campaigns/{id}/entries', twice);

    // The list, anonymously (no token) with a query string, then conditionally: 304 without a body.
    const anonymous = createClient({ baseUrl: base, request: wxRequest });
    const list = await anonymous.get('/campaigns/{id}/entries', { path: { id: campaign.id }, query: { limit: 2 } });
    if (!list.ok || list.status !== 200) throw new Error(`list: ${list.status}`);
    expect(list.data.entries.map((e) => e.seq)).toEqual([1, 2]);
    expect(list.data.nextCursor).toBeTruthy();
    const rest = await anonymous.get('/campaigns/{id}/entries', { path: { id: campaign.id }, query: { cursor: list.data.nextCursor! } });
    expect(rest.ok && rest.status === 200 && rest.data.entries.map((e) => e.seq)).toEqual([3]);
    const etag = list.headers.etag!;
    const same = await anonymous.get('/campaigns/{id}/entries', {
      path: { id: campaign.id },
      query: { limit: 2 },
      header: { 'If-None-Match': etag },
    });
    expect(same).toMatchObject({ ok: true, status: 304, data: undefined });

    // PATCH, which wx.request cannot send, goes as POST with the override header.
    const edited = await leader.api.patch('/campaigns/{id}', { path: { id: campaign.id }, body: { description: '产地直发' } });
    expect(edited.ok && edited.data.description).toBe('产地直发');
    expect(sent.at(-1)).toMatchObject({ method: 'POST', header: { 'X-HTTP-Method-Override': 'PATCH' } });

    // Settle after the deadline: everyone pays the base price (no tiers).
    h.clock.set('2026-12-03T12:00:00.000Z');
    const settled = await leader.api.post('/campaigns/{id}/settle', { path: { id: campaign.id } });
    if (!settled.ok) throw new Error(`settle: ${settled.status} ${settled.error.code}`);
    expect(settled.data).toMatchObject({ campaignId: campaign.id, status: 'settled' });
    expect(settled.data.entries.map((e) => e.amount)).toEqual([7980, 7980, 7980]);
    // A member may not settle: a typed 403.
    const refused = await members[1]!.api.post('/campaigns/{id}/settle', { path: { id: campaign.id } });
    expect(refused).toMatchObject({ ok: false, status: 403, error: { code: 'FORBIDDEN' } });
    await expectDeclared('post', '/campaigns/{id}/settle', refused);
  });

  it('sends the bearer, the key and JSON as wx.request options; every call carries a request id back', async () => {
    const m = person();
    await m.login('client-headers');
    sent.length = 0;
    const res = await m.api.get('/me/entries');
    expect(res.headers['x-request-id']).toBeTruthy();
    const option = sent[0]!;
    expect(option).toMatchObject({ method: 'GET', url: `${base}/me/entries`, responseType: 'text' });
    expect(option.header.Authorization).toMatch(/^Bearer /);
    expect(option.data).toBeUndefined();
  });

  it('a validation failure, an unknown id and no answer at all are results, not throws', async () => {
    const m = person();
    await m.login('client-errors');
    const bad = await m.api.post('/campaigns', {
      // @ts-expect-error a create needs its items (what the server then says too)
      body: { title: 'x', closesAt: '2026-12-05T12:00:00.000Z' },
    });
    expect(bad).toMatchObject({ ok: false, status: 400, error: { code: 'VALIDATION_FAILED' } });
    if (!bad.ok && bad.status === 400) expect(bad.error.details).toHaveProperty('fields');
    await expectDeclared('post', '/campaigns', bad);
    const missing = await m.api.get('/campaigns/{id}', { path: { id: 'c_nothing/../x y' } });
    expect(missing).toMatchObject({ ok: false, status: 404, error: { code: 'NOT_FOUND' } });
    await expectDeclared('get', '/campaigns/{id}', missing);
    expect(sent.at(-1)!.url).toBe(`${base}/campaigns/c_nothing%2F..%2Fx%20y`);
    const nowhere = createClient({ baseUrl: 'http://127.0.0.1:9', request: wxRequest });
    expect(await nowhere.get('/health')).toMatchObject({ ok: false, status: 0, error: { code: 'NETWORK_ERROR' } });
  });

  it('builds URLs: path parameters encoded, query values repeated for arrays, absent ones left out', () => {
    expect(
      urlOf('https://a.example', '/campaigns/{id}/entries/{entryId}', { id: 'c 1', entryId: 'e/2' }, { limit: 5, cursor: undefined }),
    ).toBe('https://a.example/campaigns/c%201/entries/e%2F2?limit=5');
    expect(urlOf('https://a.example', '/x', {}, { k: ['a', 'b&c'] })).toBe('https://a.example/x?k=a&k=b%26c');
    expect(() => urlOf('https://a.example', '/campaigns/{id}', {})).toThrow(/id is missing/);
  });
});
