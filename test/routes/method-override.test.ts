import { beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness } from '../helpers/harness.js';

/**
 * wx.request has no PATCH (wechat-facts.md §6). Every PATCH route is also reachable as PUT on the same
 * path and as POST with `X-HTTP-Method-Override: PATCH`, with the same validation and the same answers.
 * (Who may call what, via all three, is in authorization-matrix.test.ts.)
 */
let h: Harness;
let leader: { token: string; userId: string };
let member: { token: string; userId: string };

beforeAll(async () => {
  h = await harness();
  leader = await h.login('mo-leader', '团长');
  member = await h.login('mo-member', '成员');
});

const OVERRIDE = { 'X-HTTP-Method-Override': 'PATCH' };
type Via = { name: string; method: string; headers: Record<string, string> };
const VIAS: Via[] = [
  { name: 'PATCH', method: 'PATCH', headers: {} },
  { name: 'PUT', method: 'PUT', headers: {} },
  { name: 'POST + X-HTTP-Method-Override: PATCH', method: 'POST', headers: OVERRIDE },
  { name: 'POST + lower-case override value', method: 'POST', headers: { 'x-http-method-override': 'patch' } },
];

async function campaignWithEntry() {
  const c = await h.createCampaign(leader.token, { minParticipants: 1 });
  const join = await h.call('POST', `/campaigns/${c.id}/entries`, {
    token: member.token,
    body: { items: [{ itemId: 'i1', qty: 1 }], pickupPointId: 'p1', phone: '13800138000' },
  });
  expect(join.status).toBe(201);
  return { c, entryId: join.body.id as string };
}

describe.each(VIAS)('via $name', ({ method, headers }) => {
  it('changes an entry, and refuses the same bad body the same way', async () => {
    const { c, entryId } = await campaignWithEntry();
    const path = `/campaigns/${c.id}/entries/${entryId}`;
    const ok = await h.call(method, path, { token: member.token, headers, body: { items: [{ itemId: 'i1', qty: 2 }], note: '放门口' } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.items).toEqual([expect.objectContaining({ itemId: 'i1', qty: 2 })]);
    expect(ok.body.note).toBe('放门口');
    const bad = await h.call(method, path, { token: member.token, headers, body: { items: [{ itemId: 'i1', qty: 0 }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error.details.fields.map((f: { path: string }) => f.path)).toContain('body.items.0.qty');
    const list = await h.call('GET', `/campaigns/${c.id}/entries`, { token: member.token });
    expect(list.body.entries[0].items).toEqual([expect.objectContaining({ qty: 2 })]);
    const notJson = await h.call(method, path, {
      token: member.token,
      headers: { ...headers, 'content-type': 'text/plain' },
      rawBody: 'x',
    });
    expect(notJson.status).toBe(415);
  });

  it('edits a campaign (leader only)', async () => {
    const { c } = await campaignWithEntry();
    const ok = await h.call(method, `/campaigns/${c.id}`, { token: leader.token, headers, body: { title: '改过的标题' } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.title).toBe('改过的标题');
    expect((await h.call('GET', `/campaigns/${c.id}`)).body.title).toBe('改过的标题');
    const byMember = await h.call(method, `/campaigns/${c.id}`, { token: member.token, headers, body: { title: '不行' } });
    expect(byMember.status).toBe(403);
    const bad = await h.call(method, `/campaigns/${c.id}`, { token: leader.token, headers, body: { title: '' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields.map((f: { path: string }) => f.path)).toContain('body.title');
  });

  it('changes the profile and answers a new token', async () => {
    const me = await h.login(`mo-me-${method}-${Object.values(headers).join('')}`, '旧名字');
    const ok = await h.call(method, '/me', { token: me.token, headers, body: { nickname: '新名字' } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.user.nickname).toBe('新名字');
    expect(typeof ok.body.token).toBe('string');
    expect((await h.call('GET', '/me', { token: me.token })).body.nickname).toBe('新名字');
    const empty = await h.call(method, '/me', { token: me.token, headers, body: {} });
    expect(empty.status).toBe(400);
    expect((await h.call(method, '/me', { headers, body: { nickname: 'x' } })).status).toBe(401);
  });
});

describe('what the override does not do', () => {
  it.each(['DELETE', 'PUT', 'GET', 'POST', 'nonsense'])(
    'POST with X-HTTP-Method-Override: %s is 400 and changes nothing',
    async (value) => {
      const me = await h.login(`mo-bad-${value}`, '原名');
      const res = await h.call('POST', '/me', {
        token: me.token,
        headers: { 'X-HTTP-Method-Override': value },
        body: { nickname: '改了' },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.fields[0].path).toBe('header.x-http-method-override');
      expect(res.headers.get('x-request-id')).toBeTruthy();
      const profile = await h.call('GET', '/me', { token: me.token });
      expect(profile.status).toBe(200);
      expect(profile.body.nickname).toBe('原名');
    },
  );

  it('an override to DELETE cannot erase a profile', async () => {
    const me = await h.login('mo-delete', '还在');
    await h.call('POST', '/me', { token: me.token, headers: { 'X-HTTP-Method-Override': 'DELETE' } });
    expect((await h.call('GET', '/me', { token: me.token })).body.nickname).toBe('还在');
  });

  it('is ignored on methods other than POST', async () => {
    const me = await h.login('mo-get', '读取');
    const get = await h.call('GET', '/me', { token: me.token, headers: OVERRIDE });
    expect(get.status).toBe(200);
    expect(get.body.nickname).toBe('读取');
    // PUT with an override to DELETE stays a PUT: the profile is changed, not erased
    const put = await h.call('PUT', '/me', {
      token: me.token,
      headers: { 'X-HTTP-Method-Override': 'DELETE' },
      body: { nickname: '改名' },
    });
    expect(put.status).toBe(200);
    expect((await h.call('GET', '/me', { token: me.token })).body.nickname).toBe('改名');
  });

  it('a POST route is not run as a PATCH of a path that has none: joining with the override is 404, nobody joins', async () => {
    const c = await h.createCampaign(leader.token, { minParticipants: 1 });
    const res = await h.call('POST', `/campaigns/${c.id}/entries`, {
      token: member.token,
      headers: OVERRIDE,
      body: { items: [{ itemId: 'i1', qty: 1 }], pickupPointId: 'p1' },
    });
    expect(res.status).toBe(404);
    expect((await h.call('GET', `/campaigns/${c.id}/entries`)).body.entries).toEqual([]);
  });
});

describe('/openapi.json declares both alternatives', () => {
  it('every PATCH operation has a PUT twin and a POST operation requiring X-HTTP-Method-Override: PATCH', async () => {
    const doc = (await h.call('GET', '/openapi.json')).body;
    const patched = Object.entries(doc.paths as Record<string, Record<string, any>>).filter(([, item]) => item.patch);
    expect(patched.map(([path]) => path).sort()).toEqual([
      '/campaigns/{id}',
      '/campaigns/{id}/entries/{entryId}',
      '/communities/{id}',
      '/communities/{id}/members/{userId}',
      '/me',
    ]);
    for (const [path, item] of patched) {
      expect(item.put, `PUT ${path}`).toBeDefined();
      expect(item.put.requestBody).toEqual(item.patch.requestBody);
      expect(item.put.security).toEqual(item.patch.security);
      expect(Object.keys(item.put.responses)).toEqual(Object.keys(item.patch.responses));
      expect(item.post, `POST ${path}`).toBeDefined();
      expect(item.post.requestBody).toEqual(item.patch.requestBody);
      const header = item.post.parameters.find(
        (p: { in: string; name: string }) => p.in === 'header' && p.name === 'x-http-method-override',
      );
      expect(header, `POST ${path} header`).toMatchObject({ required: true, schema: { type: 'string', enum: ['PATCH'] } });
    }
  });
});
