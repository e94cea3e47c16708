import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { ensureTable } from '../../shared/table/create-table.js';

/** A realistic API Gateway HTTP API (payload format 2.0) event, as the Lambda receives it. */
function event(
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; base64?: boolean; query?: string; headers?: Record<string, string> } = {},
): APIGatewayProxyEventV2 {
  const bodyText = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const headers: Record<string, string> = {
    accept: 'application/json',
    host: 'abc123.execute-api.ap-east-1.amazonaws.com',
    'user-agent': 'Mozilla/5.0 (iPhone) MicroMessenger/8.0.50',
    'x-forwarded-for': '203.0.113.7',
    'x-forwarded-proto': 'https',
    ...(bodyText ? { 'content-type': 'application/json' } : {}),
    ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
    ...(opts.headers ?? {}),
  };
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: opts.query ?? '',
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.ap-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: headers['user-agent']! },
      requestId: `req-${randomUUID()}`,
      routeKey: '$default',
      stage: '$default',
      time: '01/Dec/2026:00:00:00 +0000',
      timeEpoch: 1796083200000,
    },
    ...(bodyText !== undefined
      ? { body: opts.base64 ? Buffer.from(bodyText).toString('base64') : bodyText, isBase64Encoded: !!opts.base64 }
      : { isBase64Encoded: false }),
  } as APIGatewayProxyEventV2;
}

const context = { awsRequestId: 'lambda-req-1', functionName: 'api', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

let invoke: (e: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2 & { json: any }>;
/** What the function writes to stdout (its log and EMF lines), kept out of the test output. */
const written: string[] = [];
const parsedLines = () =>
  written
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));

beforeAll(async () => {
  const endpoint = inject('dynamoEndpoint');
  const tableName = `lambda_${randomUUID()}`;
  const raw = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTable(raw, tableName);
  raw.destroy();
  Object.assign(process.env, {
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: endpoint,
    AUTH_SECRET: 'lambda-test-secret-0123456789',
    DEV_AUTH: 'true',
    AWS_REGION: 'local',
    LOG_LEVEL: 'info',
    METRICS_NAMESPACE: 'TuangouTest',
  });
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  const { handler } = await import('../../functions/api/handler.js');
  invoke = async (e) => {
    const res = (await handler(e, context)) as APIGatewayProxyStructuredResultV2;
    const text = res.isBase64Encoded ? Buffer.from(res.body ?? '', 'base64').toString('utf8') : (res.body ?? '');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { ...res, json };
  };
});

describe('Lambda handler (API Gateway HTTP API v2 events)', () => {
  it('answers health, 404 for an unknown campaign, 401 without a token', async () => {
    const health = await invoke(event('GET', '/health'));
    expect(health.statusCode).toBe(200);
    expect(health.json).toEqual({ status: 'ok' });
    const missing = await invoke(event('GET', '/campaigns/c_missing'));
    expect(missing.statusCode).toBe(404);
    expect(missing.json.error.code).toBe('NOT_FOUND');
    const anon = await invoke(event('POST', '/campaigns', { body: { title: 'x' } }));
    expect(anon.statusCode).toBe(401);
  });

  it('runs login → create → join (base64 body) → list → close → settle → CSV', async () => {
    const login = await invoke(event('POST', '/auth/dev-login', { body: { openid: 'lambda-leader', nickname: '团长' } }));
    expect(login.statusCode).toBe(200);
    const token = login.json.token as string;
    const closesAt = new Date(Date.now() + 3600_000).toISOString();
    const created = await invoke(
      event('POST', '/campaigns', { token, body: { title: '荔枝团', closesAt, items: [{ name: '荔枝', unitPrice: 2990, stock: 10 }] } }),
    );
    expect(created.statusCode).toBe(201);
    const id = created.json.id as string;
    const joined = await invoke(
      event('POST', `/campaigns/${id}/entries`, {
        token,
        base64: true,
        body: { items: [{ itemId: 'i1', qty: 2 }], note: '中文备注' },
        headers: { 'idempotency-key': 'k' },
      }),
    );
    expect(joined.statusCode).toBe(201);
    expect(joined.json).toMatchObject({ seq: 1, note: '中文备注' });
    const list = await invoke(event('GET', `/campaigns/${id}/entries`, { query: 'limit=10' }));
    expect(list.json.entries).toHaveLength(1);
    expect((await invoke(event('POST', `/campaigns/${id}/close`, { token }))).statusCode).toBe(200);
    const settled = await invoke(event('POST', `/campaigns/${id}/settle`, { token }));
    expect(settled.statusCode).toBe(200);
    expect(settled.json).toMatchObject({ status: 'settled', total: 5980 });
    const csv = await invoke(event('GET', `/campaigns/${id}/settlement.csv`, { token }));
    expect(csv.statusCode).toBe(200);
    expect(String(csv.headers?.['content-type'])).toContain('text/csv');
    expect(String(csv.json)).toContain('中文备注');
  });

  it('a mini-program PATCH (POST + X-HTTP-Method-Override, and PUT) works through API Gateway, once, with its request id', async () => {
    const login = await invoke(event('POST', '/auth/dev-login', { body: { openid: 'lambda-override', nickname: '旧' } }));
    const token = login.json.token as string;
    const viaPost = event('POST', '/me', {
      token,
      base64: true,
      body: { nickname: '新名' },
      headers: { 'x-http-method-override': 'PATCH' },
    });
    const res = await invoke(viaPost);
    expect(res.statusCode, JSON.stringify(res.json)).toBe(200);
    expect(res.json.user.nickname).toBe('新名');
    expect(res.headers?.['x-request-id']).toBe(viaPost.requestContext.requestId);
    const viaPut = await invoke(event('PUT', '/me', { token, body: { nickname: '再改' } }));
    expect(viaPut.statusCode).toBe(200);
    expect((await invoke(event('GET', '/me', { token }))).json.nickname).toBe('再改');
  });

  it('malformed JSON through API Gateway is 400, not 500', async () => {
    const e = event('POST', '/campaigns', { token: 'x' });
    const bad = await invoke({
      ...e,
      headers: { ...e.headers, 'content-type': 'application/json' },
      body: '{"title":',
      isBase64Encoded: false,
    });
    expect(bad.statusCode).toBe(401); // the bogus token is rejected first
    const login = await invoke(event('POST', '/auth/dev-login', { body: { openid: 'o-bad', nickname: 'n' } }));
    const withToken = await invoke({
      ...e,
      headers: { ...e.headers, authorization: `Bearer ${login.json.token}`, 'content-type': 'application/json' },
      body: '{"title":',
      isBase64Encoded: false,
    });
    expect(withToken.statusCode).toBe(400);
    expect(withToken.json.error.code).toBe('VALIDATION_FAILED');
  });

  it('logs with the keys Lambda filters on and the invocation’s context, and writes each invocation’s counts as one EMF line', async () => {
    const lines = parsedLines();
    const requests = lines.filter((l) => l.message === 'request');
    // The file's first invocation paid the cold start; later ones did not.
    expect(requests[0]).toMatchObject({ level: 'INFO', function_request_id: 'lambda-req-1', cold_start: true });
    expect(requests.at(-1)).toMatchObject({ cold_start: false });
    expect(Number.isNaN(Date.parse(requests[0].timestamp))).toBe(false);

    written.length = 0;
    const login = await invoke(event('POST', '/auth/dev-login', { body: { openid: 'lambda-metrics', nickname: '团长' } }));
    const token = login.json.token as string;
    const closesAt = new Date(Date.now() + 3600_000).toISOString();
    const c = await invoke(
      event('POST', '/campaigns', { token, body: { title: '限量', closesAt, items: [{ name: '榴莲', unitPrice: 9990, stock: 1 }] } }),
    );
    expect(
      (await invoke(event('POST', `/campaigns/${c.json.id}/entries`, { token, body: { items: [{ itemId: 'i1', qty: 1 }] } }))).statusCode,
    ).toBe(201);
    const other = (await invoke(event('POST', '/auth/dev-login', { body: { openid: 'lambda-metrics-2', nickname: '晚到' } }))).json.token;
    const late = await invoke(
      event('POST', `/campaigns/${c.json.id}/entries`, { token: other, body: { items: [{ itemId: 'i1', qty: 1 }] } }),
    );
    expect(late.json.error.code).toBe('SOLD_OUT');
    const emf = parsedLines().filter((l) => l._aws);
    // One line per invocation that counted something: the join, then the sold-out refusal.
    expect(emf.map((l) => [l.Joins, l.SoldOut])).toEqual([
      [1, undefined],
      [undefined, 1],
    ]);
    for (const l of emf) {
      expect(l.service).toBe('api');
      expect(l._aws.CloudWatchMetrics).toEqual([
        { Namespace: 'TuangouTest', Dimensions: [['service']], Metrics: [{ Name: l.Joins ? 'Joins' : 'SoldOut', Unit: 'Count' }] },
      ]);
    }
  });
});
