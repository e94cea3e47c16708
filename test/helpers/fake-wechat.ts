import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for api.weixin.qq.com's `GET /sns/jscode2session`, answering like the real one:
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
}

export interface FakeWechat {
  url: string;
  appId: string;
  secret: string;
  /** a fresh one-time code that logs in as this openid (with a unionid when given) */
  codeFor(openid: string, unionid?: string): string;
  requests: FakeWechatRequest[];
  /** session_keys handed out, so tests can check they never leak */
  sessionKeys: string[];
  close(): Promise<void>;
}

const rid = () => randomBytes(6).toString('hex');

export async function startFakeWechat(opts: { appId?: string; secret?: string } = {}): Promise<FakeWechat> {
  const appId = opts.appId ?? 'wx0123456789abcdef';
  const secret = opts.secret ?? 'fake-app-secret-0123456789abcdef';
  const codes = new Map<string, { openid: string; unionid?: string; used: boolean }>();
  const requests: FakeWechatRequest[] = [];
  const sessionKeys: string[] = [];

  const answer = (res: ServerResponse, body: unknown) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, errcode: number, errmsg: string) => answer(res, { errcode, errmsg: `${errmsg}, rid: ${rid()}` });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    requests.push({ path: url.pathname, query });
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
    const issued = codes.get(code);
    if (!issued) return fail(res, 40029, 'invalid code');
    if (issued.used) return fail(res, 40163, 'code been used');
    issued.used = true;
    const sessionKey = randomBytes(16).toString('base64');
    sessionKeys.push(sessionKey);
    answer(res, { session_key: sessionKey, openid: issued.openid, ...(issued.unionid ? { unionid: issued.unionid } : {}) });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    appId,
    secret,
    requests,
    sessionKeys,
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
