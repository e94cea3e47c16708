import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignCodes } from '../../shared/share-codes/index.js';
import { type FakeWechat, startFakeWechat } from '../../shared/wechat/fake/index.js';
import { WechatServerApi } from '../../shared/wechat/index.js';
import { type Harness, harness, T0 } from '../helpers/harness.js';
import { photoPng, uploadTo } from '../helpers/images.js';
import { seedEntries } from '../helpers/seed-entries.js';

/**
 * The share page in a real browser (Debian's chromium, or CHROMIUM_PATH), as a phone in WeChat
 * opens it: the app on a real HTTP port, one browser for the file. What a reader sees, that
 * nothing is fetched from another host, and that it fits and reads on a 375 px screen.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WECHAT_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 ' +
  'MicroMessenger/8.0.50(0x1800322d) NetType/WIFI Language/zh_CN';
/** 60 characters, mostly one Latin word: nothing to break at unless the page allows breaking anywhere (CJK breaks anyway). */
const LONG_NAME = `阳光玫瑰葡${'ShineMuscat'.repeat(5)}`;
const ENTRIES = 50;

/**
 * The few browser shapes the in-page functions use. The project compiles without the DOM library
 * (it is Node code), and a `lib="dom"` reference would make `document` type-check everywhere.
 */
interface InPageNode {
  nodeType: number;
  textContent: string | null;
}
interface InPageElement extends InPageNode {
  childNodes: ArrayLike<InPageNode>;
  getBoundingClientRect(): { right: number };
  scrollIntoView(): void;
  naturalWidth?: number;
}
interface InPage {
  document: {
    body: InPageElement & { innerText: string; querySelectorAll(selector: string): ArrayLike<InPageElement> };
    querySelector(selector: string): InPageElement | null;
    scrollingElement: { scrollWidth: number } | null;
  };
  innerWidth: number;
  getComputedStyle(el: InPageElement): { fontSize: string };
}

let fake: FakeWechat;
let h: Harness;
let server: ServerType;
let origin: string;
let browser: Browser;
let campaign: { id: string; shareCode: string; title: string };

beforeAll(async () => {
  fake = await startFakeWechat();
  // WeChat configured (a fake one, called by the API, never by the browser): the page shows the API's own 小程序码.
  h = await harness({
    shareCodes: (db, store) =>
      new CampaignCodes({
        api: new WechatServerApi(db, { apiBase: fake.url, appId: fake.appId, secret: fake.secret, timeoutMs: 1000 }),
        page: 'pages/campaign/index',
        env: 'release',
        store,
      }),
    // Photos on the local S3 server, served by the API's /media (no CDN here): same origin as the page.
    images: {},
  });
  h.clock.set(T0);
  const leader = await h.login('bp-leader', '团长');
  campaign = await h.createCampaign(leader.token, {
    title: '🍇 周六 阳光玫瑰葡萄 团购 🎉',
    description: '产地直发，坏果包赔 👍',
    items: [
      {
        name: LONG_NAME,
        spec: '2斤',
        unitPrice: 3990,
        stock: null,
        tiers: [
          { threshold: 60, unitPrice: 3590 },
          { threshold: 100, unitPrice: 3290 },
        ],
      },
    ],
  });
  // A cover and two item photos, uploaded and attached as the mini-program does.
  for (const placement of [{ cover: true }, { itemId: 'i1' }, { itemId: 'i1' }]) {
    const g = await h.call('POST', `/campaigns/${campaign.id}/images/uploads`, { token: leader.token, body: { contentType: 'image/png' } });
    expect((await uploadTo(g.body.forms.list, photoPng(750, 500))).status).toBe(204);
    expect((await uploadTo(g.body.forms.detail, photoPng(1500, 1000))).status).toBe(204);
    const attached = await h.call('POST', `/campaigns/${campaign.id}/images`, {
      token: leader.token,
      body: { uploadId: g.body.uploadId, ...placement },
    });
    expect(attached.status, attached.text).toBe(201);
  }
  const names = Array.from({ length: ENTRIES }, (_, i) => `邻居${i + 1}`);
  names[0] = '王小明';
  names[1] = '🐱喵喵';
  names[2] = 'L'.repeat(60);
  await seedEntries(h, campaign, names);
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--headless=new'] });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await fake?.close();
});

/** A fresh phone-sized tab that records every request and every console or page error. */
async function phone(): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const page = await browser.newPage();
  await page.setViewport({ width: 375, height: 812, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  await page.setUserAgent(WECHAT_UA);
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warn') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${String(e)}`));
  page.on('requestfailed', (r) => errors.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  return { page, requests, errors };
}

describe('the share page on a phone', () => {
  it('shows the campaign, fetches only from the API, and fits a 375 px screen', async () => {
    const { page, requests, errors } = await phone();
    try {
      const res = await page.goto(`${origin}/s/${campaign.shareCode}`, { waitUntil: 'networkidle0' });
      expect(res?.status()).toBe(200);
      expect(res?.headers()['content-type']).toBe('text/html; charset=utf-8');
      // The document of a 50-line campaign stays small (it is also under the 100-line cap).
      expect((await res!.buffer()).length).toBeLessThan(30 * 1024);

      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point (what a reader sees, as laid out)
      const text = await page.evaluate(() => (globalThis as unknown as InPage).document.body.innerText);
      for (const expected of [
        campaign.title,
        '产地直发，坏果包赔 👍',
        '接龙中',
        '12月3日 20:00 截止',
        `已接龙 ${ENTRIES} 人`,
        `${LONG_NAME} 2斤`,
        '¥39.90',
        '再 10 份解锁 ¥35.90',
        '1. 王* ',
        '2. 🐱* ',
        '3. L* ',
        `${ENTRIES}. 邻* `,
        '长按识别小程序码',
      ]) {
        expect(text).toContain(expected);
      }
      expect(text).not.toContain('王小明');
      expect(text).not.toMatch(/1380000\d{4}/);

      // Nothing from another host: every request is the page itself, the API's 小程序码, or a data: URL.
      const code = `${origin}/campaigns/${campaign.id}/wxacode?ref=none`;
      expect(requests).toContain(code);
      expect(requests.filter((u) => !u.startsWith('data:') && new URL(u).origin !== origin)).toEqual([]);
      const codeWidth = await page.evaluate(
        () => (globalThis as unknown as InPage).document.querySelector('img[alt="小程序码"]')?.naturalWidth,
      );
      expect(codeWidth).toBeGreaterThan(0);
      // The cover is drawn at the page's width from the list size; the item photos load as they scroll into view.
      const cover = await page.evaluate(() => {
        const img = (globalThis as unknown as InPage).document.querySelector('.cover img');
        return img ? { natural: img.naturalWidth, right: img.getBoundingClientRect().right } : null;
      });
      expect(cover?.natural).toBe(750);
      expect(cover!.right).toBeLessThanOrEqual(375);
      await page.evaluate(() => (globalThis as unknown as InPage).document.querySelector('.thumbs')?.scrollIntoView());
      await page.waitForFunction(() =>
        Array.from((globalThis as unknown as InPage).document.body.querySelectorAll('.thumbs img')).every((i) => (i.naturalWidth ?? 0) > 0),
      );
      const thumbs = await page.evaluate(() => (globalThis as unknown as InPage).document.body.querySelectorAll('.thumbs img').length);
      expect(thumbs).toBe(2);
      expect(requests.filter((u) => u.startsWith(`${origin}/media/${campaign.id}/`) && u.endsWith('/list'))).toHaveLength(3);
      expect(requests.filter((u) => !u.startsWith('data:') && new URL(u).origin !== origin)).toEqual([]);
      expect(errors).toEqual([]);

      const layout = await page.evaluate(() => {
        const w = globalThis as unknown as InPage;
        const TEXT_NODE = 3;
        const sizes: number[] = [];
        let widest = 0;
        for (const el of Array.from(w.document.body.querySelectorAll('*'))) {
          const hasText = Array.from(el.childNodes).some((n) => n.nodeType === TEXT_NODE && (n.textContent ?? '').trim() !== '');
          if (hasText) sizes.push(parseFloat(w.getComputedStyle(el).fontSize));
          widest = Math.max(widest, el.getBoundingClientRect().right);
        }
        return {
          minFont: Math.min(...sizes),
          texts: sizes.length,
          scrollWidth: w.document.scrollingElement?.scrollWidth ?? Number.POSITIVE_INFINITY,
          innerWidth: w.innerWidth,
          widest,
        };
      });
      // On a mobile viewport a page too wide widens the layout viewport itself: innerWidth grows past 375.
      expect(layout.innerWidth).toBe(375);
      expect(layout.texts).toBeGreaterThan(ENTRIES);
      expect(layout.minFont).toBeGreaterThanOrEqual(12);
      // The 60-character name and nickname wrap instead of pushing the page sideways.
      expect(layout.scrollWidth).toBeLessThanOrEqual(layout.innerWidth);
      expect(layout.widest).toBeLessThanOrEqual(layout.innerWidth);
    } finally {
      await page.close();
    }
  });

  it('draws Chinese and emoji with real fonts, not missing-glyph boxes', async () => {
    const { page } = await phone();
    try {
      await page.goto(`${origin}/s/${campaign.shareCode}`, { waitUntil: 'load' });
      // The fonts the browser actually used for the title's glyphs (CDP), whatever the CSS stack named.
      const cdp = await page.createCDPSession();
      await cdp.send('DOM.enable');
      await cdp.send('CSS.enable');
      const { root } = await cdp.send('DOM.getDocument');
      const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: 'h1' });
      const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
      const families = fonts.map((f) => f.familyName);
      expect(
        families.some((f) => /emoji/i.test(f)),
        families.join(', '),
      ).toBe(true);
      expect(
        families.some((f) => /CJK|SC|Hei|PingFang|YaHei|WenQuanYi/i.test(f)),
        families.join(', '),
      ).toBe(true);
      await cdp.detach();
    } finally {
      await page.close();
    }
  });
});
