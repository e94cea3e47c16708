import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { issueToken, type TokenSettings } from '../../shared/auth/tokens.js';
import { resourcesOfType, type Synthesized, synthStack } from './helpers.js';

/**
 * The deployable artifact, not the source: synthesize with bundling, create a table in DynamoDB Local
 * from the synthesized AWS::DynamoDB::Table, start each bundled index.mjs in its own fresh `node`
 * process the way the Lambda runtime loads it (ES module import; fixtures/lambda-host.mjs) with the
 * function's own environment plus the test overrides (TABLE_NAME, DYNAMODB_ENDPOINT, AUTH_SECRET),
 * and drive them with API Gateway HTTP API v2 events and a scheduled event.
 */

const LAMBDA_HOST = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'lambda-host.mjs');

type LambdaHandler = ((event: unknown, context: unknown) => Promise<any>) & { stop(): void };

/** Start a bundled handler in a child process; the returned function invokes it. */
async function startFunction(bundle: string, env: NodeJS.ProcessEnv): Promise<LambdaHandler> {
  const child: ChildProcess = spawn(process.execPath, [LAMBDA_HOST, bundle], {
    env,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  let logs = '';
  child.stdout!.on('data', (d: Buffer) => (logs += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
  const pending = new Map<string, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  createInterface({ input: child.stdio[3] as Readable }).on('line', (line) => {
    const message = JSON.parse(line) as { id: string; result?: unknown; error?: string };
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiter?.reject(new Error(`${message.error}\n--- function output ---\n${logs}`));
    else waiter?.resolve(message.result);
  });
  child.on('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`function process exited (${code}):\n${logs}`));
    pending.clear();
  });
  const ready = await new Promise((resolve, reject) => pending.set('init', { resolve, reject }));
  expect(ready).toBe('function');

  const invoke = ((event: unknown, context: unknown) =>
    new Promise((resolve, reject) => {
      const id = randomUUID();
      pending.set(id, { resolve, reject });
      child.stdin!.write(`${JSON.stringify({ id, event, context })}\n`);
    })) as LambdaHandler;
  invoke.stop = () => child.kill();
  return invoke;
}
interface Response {
  status: number;
  body: any;
  headers: Record<string, string>;
}

const SECRET = `artifact-test-${randomUUID()}`;
const TOKENS: TokenSettings = { secret: SECRET, issuer: 'tuangou-api', audience: 'tuangou-miniprogram', ttlSeconds: 3600 };

let s: Synthesized;
let tableName: string;
let api: LambdaHandler;
let sweep: LambdaHandler;
let worker: LambdaHandler;
let functionEnv: Record<string, unknown>;

type FunctionKind = 'api' | 'sweep' | 'worker';
function functionResource(kind: FunctionKind) {
  const fn = { api: s.stack.apiFunction, sweep: s.stack.sweepFunction, worker: s.stack.workerFunction }[kind].function;
  const logicalId = s.stack.getLogicalId(fn.node.defaultChild as never);
  return s.template.toJSON().Resources[logicalId] as { Properties: Record<string, any> };
}

/** `asset.<hash>/index.mjs` in the cloud assembly, from the function's Code.S3Key (`<hash>.zip`). */
function bundlePath(kind: FunctionKind): string {
  const key = functionResource(kind).Properties.Code.S3Key as string;
  const file = path.join(s.app.outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs');
  expect(existsSync(file), file).toBe(true);
  return file;
}

/** CreateTable input from the synthesized table resource (the same properties CloudFormation gets). */
function createTableFromTemplate(name: string): { input: CreateTableCommandInput; ttlAttribute?: string } {
  const [[, table]] = resourcesOfType(s.template, 'AWS::DynamoDB::Table') as [[string, { Properties: Record<string, any> }]];
  const p = table.Properties;
  return {
    input: {
      TableName: name,
      BillingMode: p.BillingMode,
      AttributeDefinitions: p.AttributeDefinitions,
      KeySchema: p.KeySchema,
      ...(p.LocalSecondaryIndexes ? { LocalSecondaryIndexes: p.LocalSecondaryIndexes } : {}),
      ...(p.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes } : {}),
    },
    ttlAttribute: p.TimeToLiveSpecification?.AttributeName,
  };
}

let requestCount = 0;
function httpEvent(method: string, rawPath: string, init: { token?: string; body?: unknown; accept?: string } = {}) {
  const requestId = `artifact-${++requestCount}`;
  const [pathOnly, rawQueryString = ''] = rawPath.split('?') as [string, string?];
  const headers: Record<string, string> = {
    host: 'test.execute-api.ap-east-1.amazonaws.com',
    'user-agent': 'artifact-test',
    'x-forwarded-proto': 'https',
    'x-forwarded-for': '127.0.0.1',
  };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.accept) headers.accept = init.accept;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: pathOnly,
    rawQueryString,
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'test',
      domainName: headers.host,
      domainPrefix: 'test',
      http: { method, path: pathOnly, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'artifact-test' },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    isBase64Encoded: false,
  };
}

function lambdaContext(name: string) {
  return {
    awsRequestId: randomUUID(),
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:ap-east-1:123456789012:function:${name}`,
    memoryLimitInMB: '1024',
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'artifact-test',
    callbackWaitsForEmptyEventLoop: true,
  };
}

async function call(method: string, rawPath: string, init: { token?: string; body?: unknown; accept?: string } = {}): Promise<Response> {
  const res = await api(httpEvent(method, rawPath, init), lambdaContext('api'));
  const text = res.isBase64Encoded ? Buffer.from(res.body, 'base64').toString('utf8') : (res.body ?? '');
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: res.statusCode, body, headers: res.headers ?? {} };
}

const token = (id: string, nickname: string) => issueToken(TOKENS, { id, nickname });

beforeAll(async () => {
  s = synthStack('dev', {}, { bundle: true });

  const endpoint = inject('dynamoEndpoint');
  tableName = `artifact_${randomUUID()}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const { input, ttlAttribute } = createTableFromTemplate(tableName);
  await client.send(new CreateTableCommand(input));
  for (let i = 0; i < 100; i++) {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (out.Table?.TableStatus === 'ACTIVE') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (ttlAttribute) {
    await client.send(
      new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true } }),
    );
  }
  client.destroy();

  // The deployed environment, with only the documented overrides: tokens (Refs) are replaced.
  functionEnv = functionResource('api').Properties.Environment.Variables;
  const literal = Object.fromEntries(Object.entries(functionEnv).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  const { NODE_OPTIONS: _nodeOptions, ...deployed } = literal;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    ...deployed,
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: endpoint,
    // The run's local S3 server stands in for the exports bucket (its name is a Ref in the template).
    EXPORTS_BUCKET: inject('s3Bucket'),
    // and for the photo bucket; the CDN's address is a token too (photos are served from it, not checked here).
    IMAGES_BUCKET: inject('s3Bucket'),
    IMAGES_BASE_URL: 'https://images.example.com',
    S3_ENDPOINT: inject('s3Endpoint'),
    AUTH_SECRET: SECRET,
    AWS_REGION: 'ap-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_EC2_METADATA_DISABLED: 'true',
    LOG_LEVEL: 'error',
    // The queue URLs are Refs in the template; the worker and the sweep read them at start.
    ...QUEUE_URLS,
  };
  [api, sweep, worker] = await Promise.all([
    startFunction(bundlePath('api'), env),
    startFunction(bundlePath('sweep'), env),
    startFunction(bundlePath('worker'), env),
  ]);
}, 180_000);

const QUEUE_URLS = {
  WORK_QUEUE_SETTLE_URL: 'https://sqs.ap-east-1.amazonaws.com/123456789012/Tuangou-dev-settle.fifo',
  WORK_QUEUE_HOLD_URL: 'https://sqs.ap-east-1.amazonaws.com/123456789012/Tuangou-dev-hold.fifo',
  WORK_QUEUE_REFUND_PLAN_URL: 'https://sqs.ap-east-1.amazonaws.com/123456789012/Tuangou-dev-plan.fifo',
  WORK_QUEUE_REFUND_URL: 'https://sqs.ap-east-1.amazonaws.com/123456789012/Tuangou-dev-refund.fifo',
  WORK_QUEUE_ERASURE_URL: 'https://sqs.ap-east-1.amazonaws.com/123456789012/Tuangou-dev-erasure.fifo',
  WORK_QUEUE_MESSAGE_URL: 'https://sqs.ap-east-1.amazonaws.com/123456789012/Tuangou-dev-message.fifo',
  WORK_QUEUE_FOLD_URL: 'https://sqs.ap-east-1.amazonaws.com/123456789012/Tuangou-dev-fold.fifo',
};

/** An SQS event as Lambda's event source mapping delivers it from a FIFO queue. */
function sqsEvent(bodies: unknown[]) {
  return {
    Records: bodies.map((body, i) => ({
      messageId: randomUUID(),
      receiptHandle: `AQEB${randomUUID()}`,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: 'AROAEXAMPLE:sweep',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
        SequenceNumber: `1882${String(i).padStart(16, '0')}`,
        MessageGroupId: `g${i}`,
        MessageDeduplicationId: `d${i}`,
      },
      messageAttributes: {},
      md5OfBody: 'ignored',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:ap-east-1:123456789012:Tuangou-dev-settle.fifo',
      awsRegion: 'ap-east-1',
    })),
  };
}

afterAll(() => {
  api?.stop();
  sweep?.stop();
  worker?.stop();
});

describe('bundled Lambda artifact against DynamoDB Local', () => {
  it('the deployed environment only needs the documented overrides', () => {
    const tokens = Object.entries(functionEnv)
      .filter(([, v]) => typeof v !== 'string')
      .map(([k]) => k)
      .sort();
    // TABLE_NAME, EXPORTS_BUCKET and the IMAGES_ pair are overridden; AUTH_SECRET takes precedence over AUTH_SECRET_ARN.
    expect(tokens).toEqual(['AUTH_SECRET_ARN', 'EXPORTS_BUCKET', 'IMAGES_BASE_URL', 'IMAGES_BUCKET', 'TABLE_NAME']);
    expect(functionEnv.DEV_AUTH).toBe('false');
  });

  it('exports handler functions', () => {
    expect(typeof api).toBe('function');
    expect(typeof sweep).toBe('function');
    expect(typeof worker).toBe('function');
  });

  it('GET /health answers 200', async () => {
    const res = await call('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('an unknown campaign is 404', async () => {
    const res = await call('GET', '/campaigns/c_does_not_exist');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('creating a campaign without a token is 401, and with a token signed by another secret too', async () => {
    expect((await call('POST', '/campaigns', { body: {} })).status).toBe(401);
    const forged = await issueToken({ ...TOKENS, secret: 'some-other-secret-entirely' }, { id: 'u_x', nickname: 'x' });
    expect((await call('POST', '/campaigns', { token: forged, body: {} })).status).toBe(401);
  });

  it('dev login does not exist in the deployed configuration', async () => {
    const res = await call('POST', '/auth/dev-login', { body: { openid: 'x', nickname: 'x' } });
    expect(res.status).toBe(404);
  });

  it('create -> join -> settle (by the leader, and by the bundled worker from an SQS event)', async () => {
    const leader = await token('u_leader_artifact', '团长');
    const member = await token('u_member_artifact', '团员');
    const closesAt = new Date(Date.now() + 3000);
    const body = {
      title: '产物测试 团购',
      closesAt: closesAt.toISOString(),
      tierBasis: 'quantity',
      minParticipants: 1,
      items: [{ name: '苹果', unitPrice: 1000, stock: 10, tiers: [{ threshold: 3, unitPrice: 800 }] }],
      pickupPoints: [{ name: '门卫室' }],
    };

    const created: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await call('POST', '/campaigns', { token: leader, body });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      created.push(res.body.id);
      const joined = await call('POST', `/campaigns/${res.body.id}/entries`, {
        token: member,
        body: { items: [{ itemId: 'i1', qty: 3 }], pickupPointId: 'p1' },
      });
      expect(joined.status, JSON.stringify(joined.body)).toBe(201);
    }
    const [byLeader, bySweep] = created as [string, string];
    expect((await call('GET', `/campaigns/${byLeader}`)).body.participantCount).toBe(1);

    await new Promise((r) => setTimeout(r, Math.max(0, closesAt.getTime() - Date.now()) + 250));

    const settled = await call('POST', `/campaigns/${byLeader}/settle`, { token: leader });
    expect(settled.status, JSON.stringify(settled.body)).toBe(200);
    expect(settled.body).toMatchObject({ campaignId: byLeader, status: 'settled', total: 2400, entryCount: 1 });

    // One good unit and one unreadable body: only the unreadable one is reported back (partial batch failure).
    const event = sqsEvent([{ kind: 'settle', campaignId: bySweep }, '{"kind":"settle"}']);
    const answer = await worker(event, lambdaContext('worker'));
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[1]!.messageId }] });
    const stored = await call('GET', `/campaigns/${bySweep}/settlement`, { token: leader });
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ status: 'settled', total: 2400 });
  }, 30_000);

  it('the share page renders from the bundle (JSX compiled by the deployed build, not only by the test runner)', async () => {
    const leader = await token('u_leader_share', '团长');
    const created = await call('POST', '/campaigns', {
      token: leader,
      body: {
        title: '分享页 <测试>',
        closesAt: new Date(Date.now() + 3600_000).toISOString(),
        minParticipants: 1,
        items: [{ name: '苹果', unitPrice: 1000 }],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const page = await call('GET', `/s/${created.body.shareCode}`, { accept: 'text/html,*/*;q=0.8' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toMatch(/^<!DOCTYPE html><html lang="zh-CN">/);
    expect(page.body).toContain('<h1>分享页 &lt;测试&gt;</h1>');
    expect((await call('GET', `/s/${created.body.shareCode}`)).body).toMatchObject({ id: created.body.id });
  });

  it('the API reference and its assets are served from the bundle (copied beside index.mjs, not inside it)', async () => {
    const bundle = bundlePath('api');
    const installed = (name: string) => readFileSync(createRequire(import.meta.url).resolve(`swagger-ui-dist/${name}`));
    // Outside the repository nothing resolves the package: what is served can only be the bundle's copy.
    expect(() => createRequire(bundle).resolve('swagger-ui-dist/package.json')).toThrow();
    // And index.mjs does not carry it: a cold start neither loads nor parses ~2 MB it does not need.
    const js = installed('swagger-ui-bundle.js');
    const code = readFileSync(bundle, 'utf8');
    expect(code).not.toContain(js.subarray(js.length / 2, js.length / 2 + 200).toString());

    const page = await call('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const links = [...String(page.body).matchAll(/(?:href|src)="(\/docs\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(links).toHaveLength(3);
    for (const name of ['swagger-ui.css', 'swagger-ui-bundle.js']) {
      const link = links.find((l) => l.endsWith(`/${name}`))!;
      const event = httpEvent('GET', link);
      (event.headers as Record<string, string>)['accept-encoding'] = 'gzip, deflate, br';
      const res = await api(event, lambdaContext('api'));
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(name.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['content-encoding']).toBe('br');
      expect(res.isBase64Encoded).toBe(true);
      const body = Buffer.from(res.body, 'base64');
      expect(brotliDecompressSync(body).equals(installed(name))).toBe(true);
      // Well under API Gateway's 6 MB Lambda payload limit, base64 included.
      expect(res.body.length).toBeLessThan(1024 * 1024);
    }
  });

  it('the API bundle is code-split: S3, QR codes and the route modules mounted on first use are chunks index.mjs never imports statically, and zod speaks only en', () => {
    const dir = path.dirname(bundlePath('api'));
    const entry = readFileSync(path.join(dir, 'index.mjs'), 'utf8');
    const chunks = readdirSync(path.join(dir, 'chunks')).filter((f) => f.endsWith('.mjs'));
    const chunkText = chunks.map((f) => readFileSync(path.join(dir, 'chunks', f), 'utf8'));
    // An S3 operation name, qrcode's colour check, and a route of the modules mounted on first use
    // (settlement, functions/lazy-routes.ts): each in a chunk, not in the entry.
    const markers = ['GetBucketAcl', 'Invalid hex color', 'Leader settles a closed campaign'];
    for (const marker of markers) {
      expect(entry, marker).not.toContain(marker);
      expect(
        chunkText.some((c) => c.includes(marker)),
        marker,
      ).toBe(true);
    }
    // What the entry imports at load (static `from "./chunks/…"`), transitively, never reaches them.
    const staticImports = (code: string) => [...code.matchAll(/from\s*"\.\.?\/(?:chunks\/)?([^"]+\.mjs)"/g)].map((m) => m[1]!);
    const loaded = new Set<string>();
    const queue = staticImports(entry);
    while (queue.length) {
      const name = queue.pop()!;
      if (loaded.has(name)) continue;
      loaded.add(name);
      queue.push(...staticImports(readFileSync(path.join(dir, 'chunks', name), 'utf8')));
    }
    const loadedText = [...loaded].map((f) => readFileSync(path.join(dir, 'chunks', f), 'utf8'));
    for (const marker of markers)
      expect(
        loadedText.some((c) => c.includes(marker)),
        marker,
      ).toBe(false);
    // zod's German messages (one of the 40 locales its index re-exports) are in no file of the bundle.
    expect([entry, ...chunkText].some((c) => c.includes('Ungültige Eingabe'))).toBe(false);
  });

  it('a settlement export link from the bundle (S3 client loaded on first use) downloads the CSV', async () => {
    const leader = await token('u_leader_export', '团长');
    const member = await token('u_member_export', '团员');
    const created = await call('POST', '/campaigns', {
      token: leader,
      body: {
        title: '导出测试',
        closesAt: new Date(Date.now() + 3600_000).toISOString(),
        minParticipants: 1,
        items: [{ name: '苹果', unitPrice: 1000 }],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    expect((await call('POST', `/campaigns/${id}/entries`, { token: member, body: { items: [{ itemId: 'i1', qty: 2 }] } })).status).toBe(
      201,
    );
    expect((await call('POST', `/campaigns/${id}/close`, { token: leader })).status).toBe(200);
    expect((await call('POST', `/campaigns/${id}/settle`, { token: leader })).status).toBe(200);
    const link = await call('GET', `/campaigns/${id}/settlement.csv?delivery=url`, { token: leader });
    expect(link.status, JSON.stringify(link.body)).toBe(200);
    const file = await fetch(link.body.url);
    expect(file.status).toBe(200);
    const bytes = new Uint8Array(await file.arrayBuffer());
    expect(bytes.length).toBe(link.body.bytes);
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder().decode(bytes)).toContain('1,团员,,,苹果×2,2,20.00');
  }, 30_000);

  it('photos from the bundle (presigned POST loaded on first use): both sizes post to their forms, attach copies them, URLs on the CDN', async () => {
    const leader = await token('u_leader_photo', '团长');
    const created = await call('POST', '/campaigns', {
      token: leader,
      body: { title: '照片测试', closesAt: new Date(Date.now() + 3600_000).toISOString(), items: [{ name: '苹果', unitPrice: 1000 }] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    const grant = await call('POST', `/campaigns/${id}/images/uploads`, { token: leader, body: { contentType: 'image/jpeg' } });
    expect(grant.status, JSON.stringify(grant.body)).toBe(201);
    const { uploadId } = grant.body as { uploadId: string };
    // SOI, a baseline frame header (SOF0: 16 px high, 32 px wide), EOI: all attach reads of a JPEG.
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x10, 0x00, 0x20, 0x01, 0x01, 0x11, 0x00, 0xff, 0xd9]);
    for (const variant of ['list', 'detail'] as const) {
      const form = grant.body.forms[variant] as { url: string; fields: Record<string, string> };
      expect(form.fields.key).toBe(`uploads/${id}/${uploadId}/${variant}`);
      const body = new FormData();
      for (const [k, v] of Object.entries(form.fields)) body.append(k, v);
      body.append('file', new Blob([jpeg], { type: 'image/jpeg' }), `${variant}.jpg`);
      const posted = await fetch(form.url, { method: 'POST', body });
      expect(posted.status, await posted.text()).toBeLessThan(300);
    }
    const attached = await call('POST', `/campaigns/${id}/images`, { token: leader, body: { uploadId, cover: true } });
    expect(attached.status, JSON.stringify(attached.body)).toBe(201);
    expect(attached.body).toMatchObject({
      list: `https://images.example.com/${id}/${uploadId}/list`,
      detail: `https://images.example.com/${id}/${uploadId}/detail`,
      width: 32,
      height: 16,
      status: 'visible',
    });
  }, 30_000);
});
