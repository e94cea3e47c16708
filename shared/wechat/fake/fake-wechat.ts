import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeMediaChecks } from './media-push.js';
import { encodePng } from './png.js';

/**
 * A local stand-in for api.weixin.qq.com: `POST /cgi-bin/stable_token`, `/wxa/msg_sec_check`,
 * `/cgi-bin/message/subscribe/send` and `/wxa/getwxacodeunlimit` (see their handlers), and `GET /sns/jscode2session`, answering like the real one:
 * HTTP 200, JSON served as text/plain, either `{session_key, openid[, unionid]}` or
 * `{errcode, errmsg}`. Codes are issued by the test (`codeFor`) and are single-use; a few magic
 * codes force the error answers.
 */
export const MAGIC_CODES = {
  rateLimited: 'fake-rate-limited', // 45011
  busy: 'fake-system-busy', // -1
  highRisk: 'fake-high-risk', // 40226
  hang: 'fake-hang', // never answers
  http500: 'fake-http-500', // HTTP 500 with an HTML page
  garbage: 'fake-garbage', // 200 with a body that is not JSON
  noOpenid: 'fake-no-openid', // 200 with JSON lacking openid
} as const;

export interface FakeWechatRequest {
  path: string;
  query: Record<string, string>;
  /** the parsed JSON body of a POST */
  body?: Record<string, unknown>;
}

/** msgSecCheck verdicts by marker: text containing `[risky]` or `[review]` gets that verdict, anything else passes. */
export const SEC_CHECK_MARKERS = { risky: '[risky]', review: '[review]' } as const;

export interface FakeWechat {
  url: string;
  appId: string;
  secret: string;
  /** a fresh one-time code that logs in as this openid (with a unionid when given) */
  codeFor(openid: string, unionid?: string): string;
  requests: FakeWechatRequest[];
  /** session_keys handed out, so tests can check they never leak */
  sessionKeys: string[];
  /** how many requests reached `path` (e.g. '/cgi-bin/stable_token') */
  count(path: string): number;
  /** access tokens issued so far, oldest first */
  tokensIssued: string[];
  /** every live token expires now: calls with it get 42001 and the next stable_token issues a new one */
  expireTokens(): void;
  /** every live token is revoked now (a leak, a forced refresh elsewhere): calls with it get 40001 */
  revokeTokens(): void;
  /** while true, every server-API call answers 40001, even with a brand-new token */
  rejectAllTokens: boolean;
  /** while true, msg_sec_check and media_check_async drop the connection (WeChat unreachable) */
  secCheckDown: boolean;
  /** while true, msg_sec_check never answers (a timeout) */
  secCheckHang: boolean;
  /** the next `n` msg_sec_check calls drop the connection, later ones answer (a blip) */
  dropNextSecChecks(n: number): void;
  /** a subscribe template of the mini-program: its field keys (thing1, amount2…), whose values send checks by kind */
  defineTemplate(templateId: string, keys: readonly string[]): void;
  /** the member accepted `n` one-time grants of the template (wx.requestSubscribeMessage) */
  grantSubscribe(openid: string, templateId: string, n?: number): void;
  /** grants left for the member and template */
  grantsLeft(openid: string, templateId: string): number;
  /** messages WeChat accepted, in order */
  subscribeSent: Array<{ touser: string; template_id: string; page?: string; data: Record<string, { value: string }> }>;
  /** the next `n` sends fail: `busy` answers errcode -1, `drop` drops the connection, `hang` never answers */
  failNextSends(n: number, how: 'busy' | 'drop' | 'hang'): void;
  /** pages of the published (release) mini-program: a release code (check_path) for any other page is 41030 */
  publishedPages: Set<string>;
  /** codes made, in order: what each was asked for */
  codesMade: Array<{ scene: string; page: string; env: string; width: number; checkPath: boolean }>;
  /** the next `n` code calls fail: `quota` 45009, `busy` errcode -1, `drop` drops the connection */
  failNextCodes(n: number, how: 'quota' | 'busy' | 'drop'): void;
  /** image checks asked for (POST /wxa/media_check_async); set `target` and `deliver()` to push their verdicts */
  mediaChecks: FakeMediaChecks;
  close(): Promise<void>;
}

/** What WeChat accepts in a scene (wechat-facts.md §5). */
const SCENE_CHARS = /^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}$/;

const rid = () => randomBytes(6).toString('hex');

export interface FakeWechatOptions {
  appId?: string;
  secret?: string;
  tokenTtlSeconds?: number;
  /** default: any free port */
  port?: number;
  /**
   * `npm run start:wechat`: a login code `dev-<openid>` logs in as that openid, any number of times,
   * so a local client (curl, a mini-program pointed at localhost) can log in without the test's
   * codeFor; every member counts as having accepted every template (there is no phone to tap
   * wx.requestSubscribeMessage: the API's own grants still decide what is sent); and
   * `GET /__fake/messages` lists the messages sent.
   */
  dev?: boolean;
}

/** The login code a local client sends to the fake with devCodes on. */
export const DEV_CODE_PREFIX = 'dev-';

export async function startFakeWechat(opts: FakeWechatOptions = {}): Promise<FakeWechat> {
  const appId = opts.appId ?? 'wx0123456789abcdef';
  const secret = opts.secret ?? 'fake-app-secret-0123456789abcdef';
  const codes = new Map<string, { openid: string; unionid?: string; used: boolean }>();
  const requests: FakeWechatRequest[] = [];
  const sessionKeys: string[] = [];
  const tokenTtlMs = (opts.tokenTtlSeconds ?? 7200) * 1000;
  // stable_token's model: one current token per AppID; normal mode hands it back while it lives.
  const tokens = new Map<string, { expiresAtMs: number; revoked: boolean }>();
  const tokensIssued: string[] = [];
  let current: string | null = null;
  const state = { rejectAllTokens: false, secCheckDown: false, secCheckHang: false, dropNext: 0 };
  const templates = new Map<string, readonly string[]>();
  const grants = new Map<string, number>();
  const subscribeSent: FakeWechat['subscribeSent'] = [];
  const sendFailures = { left: 0, how: 'busy' as 'busy' | 'drop' | 'hang' };
  const publishedPages = new Set(['pages/campaign/index', 'pages/index/index']);
  const codesMade: FakeWechat['codesMade'] = [];
  const codeFailures = { left: 0, how: 'quota' as 'quota' | 'busy' | 'drop' };
  const mediaChecks = new FakeMediaChecks(appId);

  /** POST /wxa/media_check_async (v2): {media_url, media_type 2, version 2, scene, openid} → {errcode 0, trace_id}. */
  const mediaCheckAsync = (res: ServerResponse, query: Record<string, string>, body: Record<string, unknown>) => {
    // Content security down covers the image check too: the connection drops, as msg_sec_check's does.
    if (state.secCheckDown) return void res.destroy();
    if (tokenProblem(res, query.access_token)) return;
    const { media_url, media_type, version, scene, openid } = body;
    if (typeof media_url !== 'string' || !/^https?:\/\//.test(media_url) || media_type !== 2 || version !== 2) {
      return fail(res, 47001, 'data format error');
    }
    if (typeof openid !== 'string' || openid === '') return fail(res, 40003, 'invalid openid');
    if (typeof scene !== 'number' || scene < 1 || scene > 4) return fail(res, 40129, 'invalid scene');
    const traceId = mediaChecks.record({ mediaUrl: media_url, openid, scene });
    answer(res, { errcode: 0, errmsg: 'ok', trace_id: traceId });
    // npm run start:wechat: WeChat's verdict arrives a moment later, by itself.
    if (opts.dev && mediaChecks.target) setTimeout(() => void mediaChecks.deliver().catch(() => undefined), 500);
  };

  const answer = (res: ServerResponse, body: unknown) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, errcode: number, errmsg: string) => answer(res, { errcode, errmsg: `${errmsg}, rid: ${rid()}` });

  const issueToken = () => {
    const token = `fake-at-${randomBytes(24).toString('hex')}`;
    tokens.set(token, { expiresAtMs: Date.now() + tokenTtlMs, revoked: false });
    tokensIssued.push(token);
    current = token;
    return token;
  };
  const liveToken = (token: string | null | undefined) => {
    const t = token ? tokens.get(token) : undefined;
    return t && !t.revoked && t.expiresAtMs > Date.now() ? t : undefined;
  };

  /** POST /cgi-bin/stable_token: JSON body {grant_type, appid, secret, force_refresh?} → {access_token, expires_in}. */
  const stableToken = (res: ServerResponse, body: Record<string, unknown>) => {
    if (body.grant_type !== 'client_credential') return fail(res, 40002, 'invalid grant_type');
    if (body.appid !== appId) return fail(res, 40013, 'invalid appid');
    if (body.secret !== secret) return fail(res, 40125, 'invalid appsecret');
    if (body.force_refresh === true) {
      // forcing revokes the previous token at once
      if (current) tokens.get(current)!.revoked = true;
      issueToken();
    } else if (!liveToken(current)) issueToken();
    const live = tokens.get(current!)!;
    answer(res, { access_token: current, expires_in: Math.max(1, Math.floor((live.expiresAtMs - Date.now()) / 1000)) });
  };

  /** The access-token check every server-API call makes: 40001 unknown/revoked, 42001 expired. */
  const tokenProblem = (res: ServerResponse, token: string | undefined): boolean => {
    const t = token ? tokens.get(token) : undefined;
    if (state.rejectAllTokens || !t || t.revoked) {
      fail(res, 40001, 'invalid credential, access_token is invalid or not latest');
      return true;
    }
    if (t.expiresAtMs <= Date.now()) {
      fail(res, 42001, 'access_token expired');
      return true;
    }
    return false;
  };

  /** POST /wxa/msg_sec_check (v2): {content, version: 2, scene 1-4, openid} → {errcode 0, result{suggest,label}, detail[]}. */
  const msgSecCheck = (res: ServerResponse, query: Record<string, string>, body: Record<string, unknown>) => {
    if (state.secCheckHang) return; // close() tears it down
    if (state.secCheckDown || state.dropNext > 0) {
      state.dropNext = Math.max(0, state.dropNext - 1);
      res.destroy();
      return;
    }
    if (tokenProblem(res, query.access_token)) return;
    if (body.version !== 2) return fail(res, 47001, 'data format error');
    if (![1, 2, 3, 4].includes(body.scene as number)) return fail(res, 40129, 'invalid scene');
    if (typeof body.openid !== 'string' || body.openid === '') return fail(res, 40003, 'invalid openid');
    if (typeof body.content !== 'string' || body.content === '') return fail(res, 44002, 'empty post data');
    const content = body.content;
    const suggest = content.includes(SEC_CHECK_MARKERS.risky) ? 'risky' : content.includes(SEC_CHECK_MARKERS.review) ? 'review' : 'pass';
    const label = suggest === 'pass' ? 100 : 20001;
    answer(res, {
      errcode: 0,
      errmsg: 'ok',
      trace_id: rid(),
      result: { suggest, label },
      detail: [{ strategy: 'content_model', errcode: 0, suggest, label, prob: suggest === 'pass' ? 0 : 90 }],
    });
  };

  /** Value rules per field kind (wechat-facts.md §4); a breach is 47003 naming the field, like WeChat. */
  const validValue = (key: string, value: unknown): boolean => {
    if (typeof value !== 'string' || value === '' || /\p{Cc}/u.test(value)) return false;
    const kind = /^([a-z_]+?)\d+$/.exec(key)?.[1];
    const chars = [...value].length;
    switch (kind) {
      case 'thing':
        return chars <= 20;
      case 'amount':
        return /^[¥$€£]?\d{1,10}(\.\d{1,2})?元?$/.test(value);
      case 'number':
        return /^\d{1,32}(\.\d+)?$/.test(value);
      case 'character_string':
        return chars <= 32 && /^[\x21-\x7e]+$/.test(value);
      case 'time':
        return /^(\d{4}[-年]\d{1,2}[-月]\d{1,2}日? )?\d{1,2}:\d{2}(~.*)?$/.test(value);
      case 'date':
        return /^\d{4}[-年]\d{1,2}[-月]\d{1,2}日?( \d{1,2}:\d{2})?(~.*)?$/.test(value);
      case 'phrase':
        return chars <= 5 && /^\p{Script=Han}+$/u.test(value);
      case 'name':
        return chars <= 20;
      default:
        return chars <= 20;
    }
  };

  /** POST /cgi-bin/message/subscribe/send: one message, one grant (43101 without one). */
  const subscribeSend = (res: ServerResponse, query: Record<string, string>, body: Record<string, unknown>) => {
    if (sendFailures.left > 0) {
      sendFailures.left--;
      if (sendFailures.how === 'hang') return;
      if (sendFailures.how === 'drop') return void res.destroy();
      return fail(res, -1, 'system error');
    }
    if (tokenProblem(res, query.access_token)) return;
    const touser = body.touser;
    if (typeof touser !== 'string' || touser === '') return fail(res, 40003, 'invalid openid');
    const templateId = String(body.template_id ?? '');
    const keys = templates.get(templateId);
    if (!keys) return fail(res, 40037, 'invalid template_id');
    const data = (body.data ?? {}) as Record<string, { value?: unknown }>;
    for (const key of keys) {
      if (!validValue(key, data[key]?.value)) return fail(res, 47003, `argument invalid! data.${key}.value invalid`);
    }
    const grantKey = `${touser}|${templateId}`;
    const left = grants.get(grantKey) ?? 0;
    if (left <= 0 && !opts.dev) return fail(res, 43101, 'user refuse to accept the msg');
    if (left > 0) grants.set(grantKey, left - 1);
    subscribeSent.push({
      touser,
      template_id: templateId,
      ...(typeof body.page === 'string' ? { page: body.page } : {}),
      data: data as Record<string, { value: string }>,
    });
    answer(res, { errcode: 0, errmsg: 'ok' });
  };

  /**
   * POST /wxa/getwxacodeunlimit: a 小程序码 as image bytes labelled image/jpeg (WeChat's label,
   * whatever the bytes), or JSON errors: 40169 for a scene WeChat refuses, 41030 for an unpublished
   * page when check_path is on (the default). The picture is a real PNG carrying what was asked.
   */
  const wxacode = (res: ServerResponse, query: Record<string, string>, body: Record<string, unknown>) => {
    if (codeFailures.left > 0) {
      codeFailures.left--;
      if (codeFailures.how === 'drop') return void res.destroy();
      if (codeFailures.how === 'busy') return fail(res, -1, 'system error');
      return fail(res, 45009, 'reach max api daily quota limit');
    }
    if (tokenProblem(res, query.access_token)) return;
    const scene = body.scene;
    if (typeof scene !== 'string' || !SCENE_CHARS.test(scene))
      return fail(res, 40169, 'invalid length for scene, or the data is not json string');
    const page = typeof body.page === 'string' ? body.page : 'pages/index/index';
    if (page.startsWith('/') || page.includes('?')) return fail(res, 41030, 'invalid page');
    const env = body.env_version ?? 'release';
    if (env !== 'release' && env !== 'trial' && env !== 'develop') return fail(res, 40097, 'invalid args');
    const checkPath = body.check_path !== false;
    if (checkPath && !publishedPages.has(page)) return fail(res, 41030, 'invalid page');
    const width = Math.min(1280, Math.max(280, Number(body.width ?? 430) || 430));
    codesMade.push({ scene, page, env, width, checkPath });
    // Small pixels, the asked-for width written down: a test reads what was made, not a 1280² bitmap.
    const png = encodePng(48, { scene, page, env, width: String(width) });
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': png.length });
    res.end(png);
  };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      let body: Record<string, unknown> = {};
      try {
        const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
      } catch {
        // an unparsable body is answered like WeChat: a format error below
      }
      requests.push({ path: url.pathname, query, body });
      if (url.pathname === '/cgi-bin/stable_token') return stableToken(res, body);
      if (url.pathname === '/wxa/msg_sec_check') return msgSecCheck(res, query, body);
      if (url.pathname === '/cgi-bin/message/subscribe/send') return subscribeSend(res, query, body);
      if (url.pathname === '/wxa/getwxacodeunlimit') return wxacode(res, query, body);
      if (url.pathname === '/wxa/media_check_async') return mediaCheckAsync(res, query, body);
    } else requests.push({ path: url.pathname, query });
    if (url.pathname === '/wxa/msg_sec_check') return fail(res, 43302, 'require POST method');
    if (opts.dev && req.method === 'GET' && url.pathname === '/__fake/messages') return answer(res, { messages: subscribeSent });
    if (req.method !== 'GET' || url.pathname !== '/sns/jscode2session') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    if (query.appid !== appId) return fail(res, 40013, 'invalid appid');
    if (query.secret !== secret) return fail(res, 40125, 'invalid appsecret');
    if (query.grant_type !== 'authorization_code') return fail(res, 40002, 'invalid grant_type');
    const code = query.js_code;
    if (!code) return fail(res, 41008, 'missing code');
    switch (code) {
      case MAGIC_CODES.rateLimited:
        return fail(res, 45011, 'api minute-quota reach limit  mustslower  retry next minute');
      case MAGIC_CODES.busy:
        return fail(res, -1, 'system error');
      case MAGIC_CODES.highRisk:
        return fail(res, 40226, 'invalid code, high risk user');
      case MAGIC_CODES.hang:
        return; // keep the connection open; close() tears it down
      case MAGIC_CODES.http500:
        res.writeHead(500, { 'content-type': 'text/html' });
        res.end('<html><body>500 Internal Server Error</body></html>');
        return;
      case MAGIC_CODES.garbage:
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('<html>upstream gateway</html>');
        return;
      case MAGIC_CODES.noOpenid:
        return answer(res, { session_key: 'x' });
    }
    if (opts.dev && code.startsWith(DEV_CODE_PREFIX) && /^[\w-]{1,64}$/.test(code.slice(DEV_CODE_PREFIX.length))) {
      codes.set(code, { openid: code.slice(DEV_CODE_PREFIX.length), used: false });
    }
    const issued = codes.get(code);
    if (!issued) return fail(res, 40029, 'invalid code');
    if (issued.used) return fail(res, 40163, 'code been used');
    issued.used = true;
    const sessionKey = randomBytes(16).toString('base64');
    sessionKeys.push(sessionKey);
    answer(res, { session_key: sessionKey, openid: issued.openid, ...(issued.unionid ? { unionid: issued.unionid } : {}) });
  });

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    appId,
    secret,
    requests,
    sessionKeys,
    tokensIssued,
    count: (path) => requests.filter((r) => r.path === path).length,
    expireTokens() {
      for (const t of tokens.values()) t.expiresAtMs = Math.min(t.expiresAtMs, Date.now());
    },
    revokeTokens() {
      for (const t of tokens.values()) t.revoked = true;
    },
    get rejectAllTokens() {
      return state.rejectAllTokens;
    },
    set rejectAllTokens(on: boolean) {
      state.rejectAllTokens = on;
    },
    get secCheckDown() {
      return state.secCheckDown;
    },
    set secCheckDown(on: boolean) {
      state.secCheckDown = on;
    },
    get secCheckHang() {
      return state.secCheckHang;
    },
    set secCheckHang(on: boolean) {
      state.secCheckHang = on;
    },
    dropNextSecChecks(n) {
      state.dropNext = n;
    },
    defineTemplate(templateId, keys) {
      templates.set(templateId, keys);
    },
    grantSubscribe(openid, templateId, n = 1) {
      grants.set(`${openid}|${templateId}`, (grants.get(`${openid}|${templateId}`) ?? 0) + n);
    },
    grantsLeft: (openid, templateId) => grants.get(`${openid}|${templateId}`) ?? 0,
    subscribeSent,
    failNextSends(n, how) {
      sendFailures.left = n;
      sendFailures.how = how;
    },
    publishedPages,
    codesMade,
    failNextCodes(n, how) {
      codeFailures.left = n;
      codeFailures.how = how;
    },
    mediaChecks,
    codeFor(openid, unionid) {
      const code = `c_${randomBytes(12).toString('hex')}`;
      codes.set(code, { openid, ...(unionid ? { unionid } : {}), used: false });
      return code;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
