import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CallResult, type Harness, harness, T0 } from '../helpers/harness.js';
import { recordRequests } from '../helpers/requests.js';

let h: Harness;
let leader: { token: string; userId: string };
let member: { token: string; userId: string };
let other: { token: string; userId: string };

beforeAll(async () => {
  h = await harness();
  leader = await h.login('rc-leader', '团长');
  member = await h.login('rc-member', '王小明');
  other = await h.login('rc-other', '李雷');
});
beforeEach(() => h.clock.set(T0));

const ANON = 'public, max-age=1, stale-while-revalidate=5';
const join = (id: string, token: string) =>
  h.call('POST', `/campaigns/${id}/entries`, { token, body: { items: [{ itemId: 'i1', qty: 1 }] } });
const get = (path: string, init: { token?: string; etag?: string } = {}) =>
  h.call('GET', path, { ...(init.token ? { token: init.token } : {}), headers: init.etag ? { 'if-none-match': init.etag } : {} });

function expectNotModified(res: CallResult, etag: string, cache = ANON) {
  expect(res.status, res.text).toBe(304);
  expect(res.text).toBe('');
  expect(res.headers.get('etag')).toBe(etag);
  expect(res.headers.get('cache-control')).toBe(cache);
  expect(res.headers.get('vary')).toContain('Authorization');
  expect(res.headers.get('content-type')).toBeNull();
}

/** GET `path` for a tag, check it is confirmed by a 304, and return it. */
async function tagOf(path: string, token?: string): Promise<string> {
  const res = await get(path, token ? { token } : {});
  expect(res.status, res.text).toBe(200);
  const etag = res.headers.get('etag')!;
  expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
  expectNotModified(await get(path, { etag, ...(token ? { token } : {}) }), etag, token ? 'private, no-cache' : ANON);
  return etag;
}

describe('conditional GETs of the read path', () => {
  it('the campaign and its list: 200 with ETag and public caching for anonymous readers, 304 without a body on a match', async () => {
    const c = await h.createCampaign(leader.token);
    expect((await join(c.id, member.token)).status).toBe(201);
    for (const path of [`/campaigns/${c.id}`, `/campaigns/${c.id}/entries?limit=20`]) {
      const first = await get(path);
      expect(first.headers.get('cache-control')).toBe(ANON);
      expect(first.headers.get('vary')).toBe('Authorization');
      expect(first.headers.get('content-type')).toMatch(/^application\/json/);
      await tagOf(path);
    }
  });

  it('If-None-Match: a list of tags, a weak form of the tag and `*` match; other tags do not', async () => {
    const c = await h.createCampaign(leader.token);
    const path = `/campaigns/${c.id}/entries`;
    const etag = await tagOf(path);
    expectNotModified(await get(path, { etag: `"nope", ${etag} , "other"` }), etag);
    expectNotModified(await get(path, { etag: `W/${etag}` }), etag);
    expectNotModified(await get(path, { etag: '*' }), etag);
    const miss = await get(path, { etag: '"nope", W/"other"' });
    expect(miss.status).toBe(200);
    expect(miss.body.entries).toEqual([]);
  });

  it('a join, a change, a cancel, an edit, a close and a settlement each give a new ETag where the body changed', async () => {
    const c = await h.createCampaign(leader.token);
    const page = `/campaigns/${c.id}`;
    const list = `/campaigns/${c.id}/entries`;
    const tags = new Map([page, list].map((p) => [p, '']));
    for (const p of tags.keys()) tags.set(p, await tagOf(p));
    /** The tags of `moved` are new (the old one gets a 200 with the new tag); the others stay. */
    const expectMoved = async (what: string, moved: string[]) => {
      for (const [path, old] of tags) {
        const next = await tagOf(path);
        if (!moved.includes(path)) {
          expect(next, `${what}: ${path}`).toBe(old);
          continue;
        }
        expect(next, `${what}: ${path}`).not.toBe(old);
        const stale = await get(path, { etag: old });
        expect(stale.status, `${what}: ${path}`).toBe(200);
        expect(stale.headers.get('etag')).toBe(next);
        tags.set(path, next);
      }
    };
    const joined = await join(c.id, member.token);
    await expectMoved('join', [page, list]);
    await h.call('PATCH', `/campaigns/${c.id}/entries/${joined.body.id}`, { token: member.token, body: { note: '晚点取' } });
    await expectMoved('a note changed (the page shows no notes)', [list]);
    expect((await h.call('DELETE', `/campaigns/${c.id}/entries/${joined.body.id}`, { token: member.token })).status).toBe(200);
    await expectMoved('cancel', [page, list]);
    // The list shows no definition field.
    expect((await h.call('PATCH', `/campaigns/${c.id}`, { token: leader.token, body: { title: '改了标题' } })).status).toBe(200);
    await expectMoved('edit', [page]);
    expect((await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token })).status).toBe(200);
    await expectMoved('close', [page]);
    expect((await h.call('POST', `/campaigns/${c.id}/settle`, { token: leader.token })).status).toBe(200);
    expect((await get(page)).body.status).toBe('failed'); // settled below its minParticipants
    await expectMoved('settle', [page]);
  });

  it('a deadline passing changes the page (status closed) and its tag, with no write at all', async () => {
    const c = await h.createCampaign(leader.token);
    const path = `/campaigns/${c.id}`;
    const before = await tagOf(path);
    h.clock.set('2026-12-03T12:00:00.000Z');
    const after = await get(path, { etag: before });
    expect(after.status).toBe(200);
    expect(after.body.status).toBe('closed');
  });

  it('a 304 costs the same reads as its 200, never more', async () => {
    const c = await h.createCampaign(leader.token);
    await join(c.id, member.token);
    for (const path of [`/campaigns/${c.id}`, `/campaigns/${c.id}/entries`, `/s/${c.shareCode}`]) {
      const full = await recordRequests(h.db.doc, () => get(path));
      const etag = full.result.headers.get('etag')!;
      const revalidated = await recordRequests(h.db.doc, () => get(path, { etag }));
      expect(revalidated.result.status).toBe(304);
      expect(revalidated.sent.map((s) => s.command)).toEqual(full.sent.map((s) => s.command));
    }
  });
});

describe('signed-in readers and drafts', () => {
  it('a signed-in reader gets private, no-cache, and their own line makes their list tag their own', async () => {
    const c = await h.createCampaign(leader.token);
    await join(c.id, member.token);
    const list = `/campaigns/${c.id}/entries`;
    const mine = await get(list, { token: member.token });
    expect(mine.headers.get('cache-control')).toBe('private, no-cache');
    expect(mine.headers.get('vary')).toBe('Authorization');
    expect(mine.body.entries[0].isMine).toBe(true);
    const [anonymous, members, others] = [await tagOf(list), await tagOf(list, member.token), await tagOf(list, other.token)];
    expect(new Set([anonymous, members, others]).size).toBe(3);
    // The anonymous tag is not the member's: their client gets their own body.
    expect((await get(list, { token: member.token, etag: anonymous })).status).toBe(200);
    const page = await get(`/campaigns/${c.id}`, { token: member.token });
    expect(page.headers.get('cache-control')).toBe('private, no-cache');
  });

  it('a draft is never stored: private, no-store for its leader; everyone else gets the 404 with no caching headers', async () => {
    const c = await h.createCampaign(leader.token, { draft: true });
    for (const path of [`/campaigns/${c.id}`, `/campaigns/${c.id}/entries`, `/s/${c.shareCode}`]) {
      const staff = await get(path, { token: leader.token });
      expect(staff.status, path).toBe(200);
      expect(staff.headers.get('cache-control'), path).toBe('private, no-store');
      expect(staff.headers.get('etag')).toBeTruthy();
      for (const token of [undefined, member.token]) {
        const outsider = await get(path, token ? { token } : {});
        expect(outsider.status, path).toBe(404);
        expect(outsider.headers.get('cache-control')).toBeNull();
        expect(outsider.headers.get('etag')).toBeNull();
      }
    }
  });
});

describe('GET /s/{shareCode} as JSON', () => {
  it('has the same ETag and caching as the campaign page, and varies on Accept too', async () => {
    const c = await h.createCampaign(leader.token);
    const path = `/s/${c.shareCode}`;
    const res = await get(path);
    expect(res.headers.get('vary')).toBe('Accept, Authorization');
    expect(res.headers.get('cache-control')).toBe(ANON);
    const etag = await tagOf(path);
    expect(etag).toBe(await tagOf(`/campaigns/${c.id}`)); // the same bytes
    const html = await h.call('GET', path, { headers: { accept: 'text/html', 'if-none-match': etag } });
    expect(html.status).toBe(200); // the share page is another representation
    expect(html.headers.get('cache-control')).toBe('public, max-age=5');
  });
});

describe('OpenAPI', () => {
  it('declares the 304 and the ETag header on the read routes', async () => {
    const doc = (await h.call('GET', '/openapi.json')).body;
    for (const path of ['/campaigns/{id}', '/campaigns/{id}/entries', '/s/{shareCode}']) {
      const responses = doc.paths[path].get.responses;
      expect(responses['304'], path).toBeDefined();
      expect(responses['304'].content, path).toBeUndefined();
      expect(Object.keys(responses['200'].headers), path).toEqual(expect.arrayContaining(['ETag', 'Cache-Control', 'Vary']));
    }
  });
});
