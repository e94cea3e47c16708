import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeWechat, startFakeWechat } from '../../shared/wechat/fake/index.js';
import { pushSignature, WechatServerApi } from '../../shared/wechat/index.js';
import { type Harness, harness } from '../helpers/harness.js';
import { photoPng, uploadTo } from '../helpers/images.js';

/**
 * WeChat's image check end to end: the app served over HTTP (WeChat downloads the photo from its
 * URL), the fake WeChat records mediaCheckAsync and pushes its verdict to POST /wechat/push,
 * signed with the Token (and encrypted with the EncodingAESKey in 安全 mode). Until both sizes
 * pass, only staff see the photo.
 */
const TOKEN = 'imageCheckToken42';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

interface Rig {
  h: Harness;
  base: string;
  server: ServerType;
  leader: { token: string; userId: string };
  member: { token: string; userId: string };
}
let fake: FakeWechat;
const rigs: Rig[] = [];

async function rig(encodingAesKey?: string): Promise<Rig> {
  const h = await harness({
    // The push's freshness is judged by the app's clock against WeChat's (real) time.
    start: new Date().toISOString(),
    images: {
      wechat: (db) => new WechatServerApi(db, { apiBase: fake.url, appId: fake.appId, secret: fake.secret, timeoutMs: 1000 }),
    },
    wechatPush: { token: TOKEN, appId: fake.appId, ...(encodingAesKey ? { encodingAesKey } : {}) },
  });
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const r = { h, base, server, leader: await h.login(`check-leader-${rigs.length}`), member: await h.login(`check-member-${rigs.length}`) };
  rigs.push(r);
  return r;
}

beforeAll(async () => {
  fake = await startFakeWechat();
});
afterAll(async () => {
  for (const r of rigs) r.server.close();
  await fake?.close();
});

const soon = () => ({ opensAt: new Date().toISOString(), closesAt: new Date(Date.now() + 2 * 86_400_000).toISOString() });

/** Upload both sizes and attach as the cover, through the served app (so the photo's URL is one WeChat can fetch). */
async function attachCover(r: Rig, campaignId: string, detail = photoPng(800, 600)) {
  const g = await r.h.call('POST', `${r.base}/campaigns/${campaignId}/images/uploads`, {
    token: r.leader.token,
    body: { contentType: 'image/png' },
  });
  expect(g.status, g.text).toBe(201);
  expect((await uploadTo(g.body.forms.list, photoPng(300, 200))).status).toBe(204);
  expect((await uploadTo(g.body.forms.detail, detail)).status).toBe(204);
  return {
    uploadId: g.body.uploadId as string,
    res: await r.h.call('POST', `${r.base}/campaigns/${campaignId}/images`, {
      token: r.leader.token,
      body: { uploadId: g.body.uploadId, cover: true },
    }),
  };
}
const cover = async (r: Rig, campaignId: string, token?: string) =>
  (await r.h.call('GET', `/campaigns/${campaignId}`, token ? { token } : {})).body.coverImage;

describe('photos under WeChat’s image check', () => {
  it('are pending (staff only) until WeChat’s pushed verdict passes both sizes', async () => {
    const r = await rig();
    fake.mediaChecks.target = { url: `${r.base}/wechat/push`, token: TOKEN };
    const c = await r.h.createCampaign(r.leader.token, soon());
    const before = fake.mediaChecks.requests.length;
    const { uploadId, res } = await attachCover(r, c.id);
    expect(res.status, res.text).toBe(201);
    expect(res.body.status).toBe('pending');
    const asked = fake.mediaChecks.requests.slice(before);
    expect(asked.map((q) => q.mediaUrl).sort()).toEqual([
      `${r.base}/media/${c.id}/${uploadId}/detail`,
      `${r.base}/media/${c.id}/${uploadId}/list`,
    ]);
    expect(asked.every((q) => q.openid === 'check-leader-0')).toBe(true);

    expect(await cover(r, c.id)).toBeNull();
    expect(await cover(r, c.id, r.member.token)).toBeNull();
    expect((await cover(r, c.id, r.leader.token)).status).toBe('pending');

    expect(await fake.mediaChecks.deliver()).toBe(2);
    for (const q of asked) expect(q.delivered).toMatchObject({ status: 200, body: 'success', suggest: 'pass' });
    expect((await cover(r, c.id)).id).toBe(uploadId);
    expect((await cover(r, c.id, r.leader.token)).status).toBe('visible');
  });

  it('a risky or doubtful photo stays hidden, and staff see why', async () => {
    const r = await rig();
    fake.mediaChecks.target = { url: `${r.base}/wechat/push`, token: TOKEN };
    const risky = await r.h.createCampaign(r.leader.token, soon());
    expect((await attachCover(r, risky.id, photoPng(800, 600, '[risky]'))).res.status).toBe(201);
    const doubtful = await r.h.createCampaign(r.leader.token, soon());
    expect((await attachCover(r, doubtful.id, photoPng(800, 600, '[review]'))).res.status).toBe(201);
    await fake.mediaChecks.deliver();
    expect(await cover(r, risky.id)).toBeNull();
    expect((await cover(r, risky.id, r.leader.token)).status).toBe('rejected');
    expect(await cover(r, doubtful.id)).toBeNull();
    expect((await cover(r, doubtful.id, r.leader.token)).status).toBe('review');
  });

  it('in 安全 mode the verdict arrives encrypted and still lands', async () => {
    const r = await rig(AES_KEY);
    fake.mediaChecks.target = { url: `${r.base}/wechat/push`, token: TOKEN, encodingAesKey: AES_KEY };
    const c = await r.h.createCampaign(r.leader.token, soon());
    expect((await attachCover(r, c.id)).res.status).toBe(201);
    await fake.mediaChecks.deliver();
    expect((await cover(r, c.id, r.leader.token)).status).toBe('visible');
  });

  it('a photo removed before its verdict: WeChat cannot fetch it, and the late verdict is acknowledged and writes nothing', async () => {
    const r = await rig();
    fake.mediaChecks.target = { url: `${r.base}/wechat/push`, token: TOKEN };
    const c = await r.h.createCampaign(r.leader.token, soon());
    const before = fake.mediaChecks.requests.length;
    const { uploadId } = await attachCover(r, c.id);
    expect((await r.h.call('DELETE', `/campaigns/${c.id}/images/${uploadId}`, { token: r.leader.token })).status).toBe(204);
    await fake.mediaChecks.deliver();
    for (const q of fake.mediaChecks.requests.slice(before)) expect(q.delivered).toMatchObject({ status: 200, suggest: 'unreachable' });
    const after = await r.h.call('GET', `/campaigns/${c.id}`, { token: r.leader.token });
    expect(after.body.coverImage).toBeNull();
  });

  it('WeChat unreachable: the attach fails with nothing attached, and the same upload attaches once it is back', async () => {
    const r = await rig();
    fake.mediaChecks.target = { url: `${r.base}/wechat/push`, token: TOKEN };
    const c = await r.h.createCampaign(r.leader.token, soon());
    fake.secCheckDown = true;
    let attempt: Awaited<ReturnType<typeof attachCover>>;
    try {
      attempt = await attachCover(r, c.id);
    } finally {
      fake.secCheckDown = false;
    }
    expect(attempt.res.status).toBe(503);
    expect(await cover(r, c.id, r.leader.token)).toBeNull();
    const retry = await r.h.call('POST', `${r.base}/campaigns/${c.id}/images`, {
      token: r.leader.token,
      body: { uploadId: attempt.uploadId, cover: true },
    });
    expect(retry.status, retry.text).toBe(201);
    expect(retry.body.status).toBe('pending');
  });
});

describe('POST /wechat/push', () => {
  const signed = (token: string, timestamp = String(Math.floor(Date.now() / 1000)), nonce = 'n0nce') =>
    `signature=${pushSignature(token, timestamp, nonce)}&timestamp=${timestamp}&nonce=${nonce}`;

  it('answers WeChat’s URL check with its echostr, and refuses unsigned, forged or stale calls with 403', async () => {
    const r = await rig();
    const ok = await r.h.app.request(`/wechat/push?${signed(TOKEN)}&echostr=hello123`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('hello123');
    expect((await r.h.app.request('/wechat/push?echostr=x')).status).toBe(403);
    expect((await r.h.app.request(`/wechat/push?${signed('anotherToken')}&echostr=x`)).status).toBe(403);
    const stale = String(Math.floor(Date.now() / 1000) - 3600);
    const body = JSON.stringify({
      MsgType: 'event',
      Event: 'wxa_media_check',
      appid: fake.appId,
      trace_id: 't',
      version: 2,
      result: { suggest: 'pass' },
    });
    const post = (query: string) =>
      r.h.app.request(`/wechat/push?${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await post(signed(TOKEN, stale))).status).toBe(403);
    expect((await post(signed('anotherToken'))).status).toBe(403);
    // Signed and fresh, but a trace id nobody asked for: acknowledged, nothing to write.
    const unknown = await post(signed(TOKEN));
    expect(unknown.status).toBe(200);
    expect(await unknown.text()).toBe('success');
  });

  it('refuses a verdict for another AppID, and an encrypted body that does not decrypt, with 403', async () => {
    const r = await rig(AES_KEY);
    const other = JSON.stringify({
      MsgType: 'event',
      Event: 'wxa_media_check',
      appid: 'wx_other',
      trace_id: 't',
      version: 2,
      result: { suggest: 'pass' },
    });
    const plain = await r.h.app.request(`/wechat/push?${signed(TOKEN)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: other,
    });
    expect(plain.status).toBe(403);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const encrypt = Buffer.from('not really encrypted, thirty-two bytes long!!').toString('base64');
    const query = `${signed(TOKEN, timestamp)}&encrypt_type=aes&msg_signature=${pushSignature(TOKEN, timestamp, 'n0nce', encrypt)}`;
    const forged = await r.h.app.request(`/wechat/push?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ToUserName: 'gh_x', Encrypt: encrypt }),
    });
    expect(forged.status).toBe(403);
  });
});
