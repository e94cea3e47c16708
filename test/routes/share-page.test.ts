import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignCodes } from '../../shared/share-codes/index.js';
import { type FakeWechat, startFakeWechat } from '../../shared/wechat/fake/index.js';
import { WechatServerApi } from '../../shared/wechat/index.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';
import { recordRequests } from '../helpers/requests.js';
import { seedEntries } from '../helpers/seed-entries.js';

/**
 * GET /s/{shareCode} opened in a browser: the share page (HTML) when Accept prefers it, the JSON
 * otherwise; friendly 404 pages; drafts hidden as in JSON; the public list only; headers.
 */
let h: Harness;
type User = { token: string; userId: string };
let leader: User;
let wang: User;
let li: User;
let campaign: { id: string; shareCode: string };

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const page = (shareCode: string, opts: { accept?: string; token?: string } = {}) =>
  h.call('GET', `/s/${shareCode}`, {
    ...(opts.token ? { token: opts.token } : {}),
    headers: opts.accept === undefined ? { accept: BROWSER } : opts.accept === '' ? {} : { accept: opts.accept },
  });
const join = (id: string, user: User, body: Record<string, unknown>) =>
  h.call('POST', `/campaigns/${id}/entries`, { token: user.token, body });
/** The text a reader sees: tags dropped, the few entities hono/jsx writes decoded. */
const visible = (html: string) =>
  html
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

beforeAll(async () => {
  h = await harness();
  h.clock.set(T0);
  leader = await h.login('sp-leader', '团长');
  wang = await h.login('sp-wang', '王小明');
  li = await h.login('sp-li', '李四');
  campaign = await h.createCampaign(leader.token);
  expect((await join(campaign.id, wang, { items: [{ itemId: 'i1', qty: 2 }], pickupPointId: 'p1', phone: '13800138000' })).status).toBe(
    201,
  );
  expect((await join(campaign.id, li, { items: [{ itemId: 'i1', qty: 1 }], phone: '13900139000' })).status).toBe(201);
});

describe('GET /s/{shareCode} in a browser', () => {
  it('is the share page: title, items, live tier, masked list, deadline, status, code placeholder', async () => {
    const res = await page(campaign.shareCode);
    expect(res.status, res.text).toBe(200);
    expect(res.text.startsWith('<!DOCTYPE html><html lang="zh-CN">')).toBe(true);
    const text = visible(res.text);
    for (const expected of [
      '周六 阳光玫瑰葡萄 团购',
      '产地直发',
      '接龙中',
      '12月3日 20:00 截止 · 已接龙 2 人',
      '阳光玫瑰 2斤装 2斤',
      '¥39.90',
      '再 17 份解锁 ¥35.90',
      '剩 197 份',
      '1. 王* 阳光玫瑰 2斤装 2斤×2 3号楼门卫室',
      '2. 李* 阳光玫瑰 2斤装 2斤×1',
      // No WeChat on this server: the placeholder with the share code, and no image of a code.
      '在微信中打开团购小程序，输入团购码参与接龙',
      campaign.shareCode,
    ]) {
      expect(text).toContain(expected);
    }
    expect(res.text).not.toContain('wxacode');
    expect(res.text).not.toContain('<script');
  });

  it('is the public view for everyone, the leader included: no phone, no full name, no user id', async () => {
    for (const token of [undefined, wang.token, leader.token]) {
      const res = await page(campaign.shareCode, token ? { token } : {});
      expect(res.status).toBe(200);
      for (const secret of ['13800138000', '13900139000', '王小明', '李四', wang.userId, li.userId]) expect(res.text).not.toContain(secret);
    }
  });

  it('answers with the headers of a public, script-free page', async () => {
    const res = await page(campaign.shareCode);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=5');
    expect(res.headers.get('vary')).toMatch(/\bAccept\b/);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).toContain("script-src 'none'");
    // The one style sheet is allowed by its hash, not by 'unsafe-inline'.
    const hash = /style-src 'sha256-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    const css = /<style>([\s\S]*?)<\/style>/.exec(res.text)?.[1];
    const { createHash } = await import('node:crypto');
    expect(hash).toBe(createHash('sha256').update(css!).digest('base64'));
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.byteLength(res.text)).toBeLessThan(8 * 1024);
  });

  it('negotiates: JSON for no Accept, */*, JSON first or html refused; HTML when html is preferred', async () => {
    for (const accept of ['', '*/*', 'application/json', 'application/json, text/html', 'text/html;q=0.5, application/json']) {
      const res = await page(campaign.shareCode, { accept });
      expect(res.status, accept).toBe(200);
      expect(res.headers.get('content-type'), accept).toMatch(/^application\/json/);
      expect(res.body.id).toBe(campaign.id);
      expect(res.headers.get('vary'), accept).toMatch(/\bAccept\b/);
    }
    for (const accept of ['text/html', 'application/json;q=0.9, text/html', BROWSER]) {
      const res = await page(campaign.shareCode.toLowerCase(), { accept });
      expect(res.headers.get('content-type'), accept).toBe('text/html; charset=utf-8');
    }
  });

  it('an unknown share code is a friendly 404 page in a browser, the JSON error otherwise', async () => {
    const res = await page('NOSUCH99');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(visible(res.text)).toContain('没有找到这个团购');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'none'");
    const json = await page('NOSUCH99', { accept: 'application/json' });
    expect([json.status, json.body.error.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('a draft is the 404 page to outsiders, the page (never cached) to its leader', async () => {
    const draft = await h.createCampaign(leader.token, { draft: true, title: '草稿团' });
    for (const token of [undefined, wang.token]) {
      const res = await page(draft.shareCode, token ? { token } : {});
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('草稿团');
      expect(visible(res.text)).toContain('没有找到这个团购');
    }
    const own = await page(draft.shareCode, { token: leader.token });
    expect(own.status).toBe(200);
    expect(visible(own.text)).toContain('草稿团');
    expect(own.headers.get('cache-control')).toBe('private, no-store');
  });

  it('escapes everything user-supplied: a <script> title or name is text', async () => {
    const evil = '<script>alert(1)</script>"\'&';
    const c = await h.createCampaign(leader.token, {
      title: evil,
      description: `<img src=x onerror=alert(1)>`,
      items: [{ name: '<b>苹果</b>', unitPrice: 1000, stock: null }],
      pickupPoints: [{ name: '<i>门卫</i>' }],
    });
    const mallory = await h.login('sp-mallory', '<svg onload=alert(1)>');
    expect(
      (await join(c.id, mallory, { items: [{ itemId: 'i1', qty: 1 }], pickupPointId: 'p1', note: '</li><script>x()</script>' })).status,
    ).toBe(201);
    const res = await page(c.shareCode);
    expect(res.status).toBe(200);
    expect(res.text).not.toMatch(/<script|<img src=x|<b>|<i>|<svg/);
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const text = visible(res.text);
    expect(text).toContain(evil);
    expect(text).toContain('<img src=x onerror=alert(1)>');
    expect(text).toContain('1. <* <b>苹果</b>×1 <i>门卫</i> 备注: </li><script>x()</script>');
  });

  it('follows the tiers to "已达最低价", and reads 已截止 once the leader closes it', async () => {
    const c = await h.createCampaign(leader.token, {
      title: '土鸡蛋',
      tierBasis: 'participants',
      minParticipants: 1,
      items: [{ name: '土鸡蛋', unitPrice: 1290, stock: 100, tiers: [{ threshold: 2, unitPrice: 990 }] }],
    });
    await join(c.id, wang, { items: [{ itemId: 'i1', qty: 3 }] });
    expect(visible((await page(c.shareCode)).text)).toContain('再 1 人解锁 ¥9.90');
    await join(c.id, li, { items: [{ itemId: 'i1', qty: 1 }] });
    const lowest = visible((await page(c.shareCode)).text);
    expect(lowest).toContain('已达最低价 ¥9.90');
    expect(lowest).toContain('¥12.90'); // the starting price, struck through
    expect((await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token })).status).toBe(200);
    expect(visible((await page(c.shareCode)).text)).toContain('已截止');
  });

  it('cuts a long list at 100 lines with "…共 N 人", reading small pages and stopping once past the cap', async () => {
    const c = await h.createCampaign(leader.token, {
      title: '大团',
      minParticipants: 1,
      items: [{ name: '大米', unitPrice: 5990, stock: null }],
    });
    await seedEntries(
      h,
      c,
      Array.from({ length: 350 }, (_, i) => `邻居${i + 1}`),
    );
    const { result, sent } = await recordRequests(h.db.doc, () => page(c.shareCode));
    const text = visible(result.text);
    expect(text).toContain('100. 邻* 大米×1');
    expect(text).not.toContain('101. ');
    expect(text).toContain('…共 350 人');
    expect(result.text).not.toMatch(/1380000\d{4}/);
    // Pages of 101, eventually consistent (as the public list): the 101st line is in the first, nothing more is read.
    const queries = sent.filter((s) => s.command === 'QueryCommand' && s.input.ExpressionAttributeValues?.[':entry'] === 'ENTRY#');
    expect(queries.map((q) => [q.input.Limit, q.input.ConsistentRead])).toEqual([[101, false]]);
  });

  it('is declared in the OpenAPI document as text/html next to the JSON', async () => {
    const doc = (await h.call('GET', '/openapi.json')).body;
    const op = doc.paths['/s/{shareCode}'].get;
    expect(Object.keys(op.responses['200'].content)).toEqual(['application/json', 'text/html']);
    expect(op.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Campaign' });
    expect(Object.keys(op.responses['404'].content)).toEqual(['application/json', 'text/html']);
  });
});

describe('GET /s/{shareCode} with WeChat configured', () => {
  let fake: FakeWechat;
  let hw: Harness;
  beforeAll(async () => {
    fake = await startFakeWechat();
    hw = await harness({
      shareCodes: (db, store) =>
        new CampaignCodes({
          api: new WechatServerApi(db, { apiBase: fake.url, appId: fake.appId, secret: fake.secret, timeoutMs: 1000 }),
          page: 'pages/campaign/index',
          env: 'release',
          store,
        }),
    });
  });
  afterAll(async () => {
    await fake?.close();
  });

  it("shows the campaign's 小程序码, served by the API itself and crediting nobody", async () => {
    const boss = await hw.login('sp-w-leader', '团长');
    const c = await hw.createCampaign(boss.token);
    const res = await hw.call('GET', `/s/${c.shareCode}`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const src = /<img src="([^"]+)"[^>]*alt="小程序码"/.exec(res.text)?.[1];
    expect(src).toBe(`../campaigns/${c.id}/wxacode?ref=none`);
    // Relative to the page's URL it is the code route, which answers the image to an anonymous reader.
    const url = new URL(src!, `http://api.local/s/${c.shareCode}`);
    expect(url.pathname).toBe(`/campaigns/${c.id}/wxacode`);
    const image = await hw.app.request(url.pathname + url.search);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toMatch(/^image\//);
    expect(res.text).not.toContain('输入团购码');
  });
});
