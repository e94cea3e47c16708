import { beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_LIMITS, MAX_ITEM_IMAGES } from '../../shared/domain/index.js';
import { type Harness, harness } from '../helpers/harness.js';
import { photoPng, uploadTo } from '../helpers/images.js';

/**
 * Photos without WeChat (visible at once): upload forms whose policy the local S3 server enforces
 * as S3 does, attach with byte checks, layout, detach, the bytes served, a clone's copies.
 */
let h: Harness;
let leader: { token: string; userId: string };
let member: { token: string; userId: string };

beforeAll(async () => {
  h = await harness({ images: {} });
  leader = await h.login('photo-leader', '团长');
  member = await h.login('photo-member', '邻居');
});

const grant = async (campaignId: string, contentType = 'image/png', token = leader.token) =>
  h.call('POST', `/campaigns/${campaignId}/images/uploads`, { token, body: { contentType } });

/** Both sizes uploaded as the mini-program would, answering the grant's uploadId. */
async function uploaded(campaignId: string, sizes: { list?: Buffer; detail?: Buffer } = {}): Promise<string> {
  const g = await grant(campaignId);
  expect(g.status, g.text).toBe(201);
  const list = sizes.list ?? photoPng(300, 200);
  const detail = sizes.detail ?? photoPng(900, 600);
  expect((await uploadTo(g.body.forms.list, list)).status).toBe(204);
  expect((await uploadTo(g.body.forms.detail, detail)).status).toBe(204);
  return g.body.uploadId;
}

const attach = (campaignId: string, body: Record<string, unknown>, token = leader.token) =>
  h.call('POST', `/campaigns/${campaignId}/images`, { token, body });
const view = (campaignId: string, token?: string) => h.call('GET', `/campaigns/${campaignId}`, token ? { token } : {});
const bytesOf = async (url: string) => {
  const res = await h.app.request(url);
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    cache: res.headers.get('cache-control'),
    bytes: Buffer.from(await res.arrayBuffer()),
  };
};

describe('upload forms', () => {
  it('are for staff only, and name the two sizes with their limits', async () => {
    const c = await h.createCampaign(leader.token);
    expect((await h.call('POST', `/campaigns/${c.id}/images/uploads`, { body: { contentType: 'image/png' } })).status).toBe(401);
    const denied = await grant(c.id, 'image/png', member.token);
    expect(denied.status).toBe(403);
    const bad = await grant(c.id, 'image/gif');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');

    const g = await grant(c.id, 'image/jpeg');
    expect(g.status).toBe(201);
    expect(g.body.uploadId).toMatch(/^u_[0-9a-z]{25}$/);
    expect(g.body.forms.list.maxBytes).toBe(IMAGE_LIMITS.list.maxBytes);
    expect(g.body.forms.detail.maxWidth).toBe(IMAGE_LIMITS.detail.maxWidth);
    expect(g.body.forms.list.fields['Content-Type']).toBe('image/jpeg');
    expect(g.body.forms.list.fields.key).toBe(`uploads/${c.id}/${g.body.uploadId}/list`);
    expect(new Date(g.body.expiresAt).getTime()).toBeGreaterThan(h.clock.now().getTime());
  });

  it('are enforced by storage itself: another type, a bigger file, another key or a forged policy are refused', async () => {
    const c = await h.createCampaign(leader.token);
    const g = (await grant(c.id)).body;
    const tooBig = Buffer.concat([photoPng(100, 100), Buffer.alloc(IMAGE_LIMITS.list.maxBytes)]);
    const big = await uploadTo(g.forms.list, tooBig);
    expect(big.status).toBe(400);
    expect(big.text).toContain('EntityTooLarge');
    expect((await uploadTo(g.forms.list, photoPng(100, 100), 'image/jpeg')).status).toBe(403);
    expect((await uploadTo(g.forms.list, photoPng(100, 100), 'image/png', { key: `uploads/${c.id}/${g.uploadId}/detail` })).status).toBe(
      403,
    );
    expect((await uploadTo(g.forms.list, photoPng(100, 100), 'image/png', { key: `images/${c.id}/x/list` })).status).toBe(403);
    const forged = { Policy: Buffer.from('{"conditions":[]}').toString('base64') };
    expect((await uploadTo(g.forms.list, photoPng(100, 100), 'image/png', forged)).status).toBe(403);
    // None of those wrote anything: attaching finds no list size.
    const res = await attach(c.id, { uploadId: g.uploadId, cover: true });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('UPLOAD_INVALID');
  });
});

describe('attaching', () => {
  it('makes the cover and item photos everyone sees, served with long-lived caching; a retry answers the same photo', async () => {
    const c = await h.createCampaign(leader.token);
    const detail = photoPng(1200, 800);
    const cover = await uploaded(c.id, { detail });
    const res = await attach(c.id, { uploadId: cover, cover: true });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ id: cover, width: 1200, height: 800, status: 'visible' });
    expect(res.body.detail).toMatch(new RegExp(`/media/${c.id}/${cover}/detail$`));

    const again = await attach(c.id, { uploadId: cover, cover: true });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(cover);

    const item = await uploaded(c.id);
    expect((await attach(c.id, { uploadId: item, itemId: 'i1' })).status).toBe(201);

    const anonymous = await view(c.id);
    expect(anonymous.body.coverImage).toMatchObject({ id: cover, width: 1200 });
    expect(anonymous.body.coverImage.status).toBeUndefined(); // staff only
    expect(anonymous.body.items[0].images.map((i: { id: string }) => i.id)).toEqual([item]);
    expect(anonymous.body.items[0].imageIds).toBeUndefined();

    const served = await bytesOf(anonymous.body.coverImage.detail);
    expect(served.status).toBe(200);
    expect(served.type).toBe('image/png');
    expect(served.cache).toContain('immutable');
    expect(served.bytes.equals(detail)).toBe(true);
    // The upload was moved, not left behind: its key serves nothing, and the media route serves images/ only.
    expect((await bytesOf(`/media/${c.id}/${cover}/list`)).status).toBe(200);
    expect((await bytesOf(`/media/${c.id}/../uploads/list`)).status).toBe(404);
  });

  it('checks the bytes: a size missing, not an image, too wide or too big is 400 UPLOAD_INVALID naming it, and nothing is written', async () => {
    const c = await h.createCampaign(leader.token);
    const cases: Array<{ sizes: { list?: Buffer; detail?: Buffer }; variant: string; problem: string; skip?: 'detail' }> = [
      { sizes: { list: Buffer.from('not a png at all, just text') }, variant: 'list', problem: 'not-an-image' },
      { sizes: { list: photoPng(IMAGE_LIMITS.list.maxWidth + 10, 100) }, variant: 'list', problem: 'too-wide' },
      { sizes: { detail: photoPng(IMAGE_LIMITS.detail.maxWidth + 1, 100) }, variant: 'detail', problem: 'too-wide' },
    ];
    for (const k of cases) {
      const id = await uploaded(c.id, k.sizes);
      const res = await attach(c.id, { uploadId: id, cover: true });
      expect(res.status, JSON.stringify(k)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'UPLOAD_INVALID', details: { variant: k.variant, problem: k.problem } });
    }
    // Only the list size uploaded.
    const g = (await grant(c.id)).body;
    expect((await uploadTo(g.forms.list, photoPng(200, 100))).status).toBe(204);
    const missing = await attach(c.id, { uploadId: g.uploadId, cover: true });
    expect(missing.body.error).toMatchObject({ code: 'UPLOAD_INVALID', details: { variant: 'detail', problem: 'missing' } });
    // An upload id nobody granted.
    const made = await attach(c.id, { uploadId: 'u_0000000000000000000000000', cover: true });
    expect(made.body.error.code).toBe('UPLOAD_INVALID');

    const after = await view(c.id, leader.token);
    expect(after.body.coverImage).toBeNull();
    expect(after.body.items[0].images).toEqual([]);
  });

  it('refuses a bad placement before touching storage: no such item, neither or both of cover and itemId, a member', async () => {
    const c = await h.createCampaign(leader.token);
    const id = await uploaded(c.id);
    expect((await attach(c.id, { uploadId: id, itemId: 'i9' })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await attach(c.id, { uploadId: id })).status).toBe(400);
    expect((await attach(c.id, { uploadId: id, cover: true, itemId: 'i1' })).status).toBe(400);
    expect((await attach(c.id, { uploadId: 'u_../../etc', cover: true })).status).toBe(400);
    expect((await attach(c.id, { uploadId: id, cover: true }, member.token)).status).toBe(403);
    // Still attachable afterwards.
    expect((await attach(c.id, { uploadId: id, itemId: 'i1' })).status).toBe(201);
  });

  it(`keeps an item to ${MAX_ITEM_IMAGES} photos`, async () => {
    const c = await h.createCampaign(leader.token);
    const small = { list: photoPng(60, 40), detail: photoPng(120, 80) };
    for (let i = 0; i < MAX_ITEM_IMAGES; i++) {
      const res = await attach(c.id, { uploadId: await uploaded(c.id, small), itemId: 'i1' });
      expect(res.status, res.text).toBe(201);
    }
    const tenth = await attach(c.id, { uploadId: await uploaded(c.id, small), itemId: 'i1' });
    expect(tenth.status).toBe(400);
    expect(tenth.body.error.code).toBe('VALIDATION_FAILED');
    expect((await view(c.id)).body.items[0].images).toHaveLength(MAX_ITEM_IMAGES);
  });
});

describe('layout and removal', () => {
  it('arranges every photo exactly once, and a removed photo is gone from the campaign and from storage', async () => {
    const c = await h.createCampaign(leader.token, {
      items: [
        { name: '阳光玫瑰', unitPrice: 3990 },
        { name: '鸡蛋', unitPrice: 1500 },
      ],
    });
    const a = await uploaded(c.id);
    const b = await uploaded(c.id);
    const d = await uploaded(c.id);
    expect((await attach(c.id, { uploadId: a, cover: true })).status).toBe(201);
    expect((await attach(c.id, { uploadId: b, itemId: 'i1' })).status).toBe(201);
    expect((await attach(c.id, { uploadId: d, itemId: 'i1' })).status).toBe(201);

    const put = (body: unknown, token = leader.token) => h.call('PUT', `/campaigns/${c.id}/images`, { token, body });
    // Left out, placed twice, unknown photo, unknown item: all 400, nothing changed.
    expect((await put({ coverImageId: a, itemImages: { i1: [b] } })).status).toBe(400);
    expect((await put({ coverImageId: a, itemImages: { i1: [b, d], i2: [a] } })).status).toBe(400);
    expect((await put({ coverImageId: a, itemImages: { i1: [b, d, 'u_0000000000000000000000000'] } })).status).toBe(400);
    expect((await put({ coverImageId: a, itemImages: { i7: [b, d] } })).status).toBe(400);
    expect((await put({ coverImageId: d, itemImages: { i2: [b, a] } }, member.token)).status).toBe(403);
    expect((await view(c.id)).body.coverImage.id).toBe(a);

    const moved = await put({ coverImageId: d, itemImages: { i2: [b, a] } });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body.coverImage.id).toBe(d);
    expect(moved.body.items[0].images).toEqual([]);
    expect(moved.body.items[1].images.map((i: { id: string }) => i.id)).toEqual([b, a]);

    const url = moved.body.items[1].images[0].list as string;
    expect((await bytesOf(url)).status).toBe(200);
    expect((await h.call('DELETE', `/campaigns/${c.id}/images/${b}`, { token: member.token })).status).toBe(403);
    expect((await h.call('DELETE', `/campaigns/${c.id}/images/${b}`, { token: leader.token })).status).toBe(204);
    expect((await h.call('DELETE', `/campaigns/${c.id}/images/${b}`, { token: leader.token })).status).toBe(404);
    expect((await view(c.id)).body.items[1].images.map((i: { id: string }) => i.id)).toEqual([a]);
    expect((await bytesOf(url)).status).toBe(404);
    // The cover removed: no cover.
    expect((await h.call('DELETE', `/campaigns/${c.id}/images/${d}`, { token: leader.token })).status).toBe(204);
    expect((await view(c.id)).body.coverImage).toBeNull();
  });

  it('a clone carries copies of the photos, which outlive the original’s removal', async () => {
    const c = await h.createCampaign(leader.token);
    const detail = photoPng(640, 480);
    const a = await uploaded(c.id, { detail });
    expect((await attach(c.id, { uploadId: a, itemId: 'i1' })).status).toBe(201);
    const copy = await h.call('POST', `/campaigns/${c.id}/clone`, { token: leader.token, body: { closesAt: '2026-12-08T12:00:00.000Z' } });
    expect(copy.status, copy.text).toBe(201);
    const copied = copy.body.items[0].images[0];
    expect(copied.detail).toContain(`/media/${copy.body.id}/`);
    expect((await h.call('DELETE', `/campaigns/${c.id}/images/${a}`, { token: leader.token })).status).toBe(204);
    const served = await bytesOf(copied.detail);
    expect(served.status).toBe(200);
    expect(served.bytes.equals(detail)).toBe(true);
  });
});

describe('without photo storage', () => {
  it('the photo routes are 503 SERVICE_UNAVAILABLE and the media route does not exist', async () => {
    const bare = await harness();
    const l = await bare.login('bare-leader');
    const c = await bare.createCampaign(l.token);
    const res = await bare.call('POST', `/campaigns/${c.id}/images/uploads`, { token: l.token, body: { contentType: 'image/png' } });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect((await bare.call('GET', `/media/${c.id}/u_0000000000000000000000000/list`)).status).toBe(404);
  });
});

describe('behind a CDN (IMAGES_BASE_URL)', () => {
  it('photo URLs are the CDN’s, the share page’s CSP allows its origin, and the API serves no /media', async () => {
    const cdn = await harness({ images: { baseUrl: 'https://img.example.cn/p' } });
    const l = await cdn.login('cdn-leader');
    const c = await cdn.createCampaign(l.token);
    const g = await cdn.call('POST', `/campaigns/${c.id}/images/uploads`, { token: l.token, body: { contentType: 'image/png' } });
    expect((await uploadTo(g.body.forms.list, photoPng(300, 200))).status).toBe(204);
    expect((await uploadTo(g.body.forms.detail, photoPng(600, 400))).status).toBe(204);
    const res = await cdn.call('POST', `/campaigns/${c.id}/images`, { token: l.token, body: { uploadId: g.body.uploadId, cover: true } });
    expect(res.body.list).toBe(`https://img.example.cn/p/${c.id}/${g.body.uploadId}/list`);
    const page = await cdn.call('GET', `/s/${c.shareCode}`, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-security-policy')).toContain("img-src 'self' data: https://img.example.cn;");
    expect(page.text).toContain(`src="https://img.example.cn/p/${c.id}/${g.body.uploadId}/list"`);
    expect((await cdn.app.request(`/media/${c.id}/${g.body.uploadId}/list`)).status).toBe(404);
  });
});
