import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, expect, inject, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { depsFromEnv } from '../../functions/bootstrap.js';
import { startLocalWechat } from '../../functions/local/fake-wechat-env.js';
import { sweepAndWork } from '../../shared/jobs/index.js';
import { ensureTable } from '../../shared/table/index.js';
import { DEV_CODE_PREFIX, decodePng, type FakeWechat } from '../../shared/wechat/fake/index.js';

/**
 * `npm run start:wechat` as a mini-program developer uses it: the app built from the environment
 * the local server sets (depsFromEnv, as Lambda does), against its fake WeChat. The README's walk-through:
 * login → subscribe → join → share code → the settled message arrives.
 */
let fake: FakeWechat | undefined;
afterAll(async () => {
  await fake?.close();
});

it('login with a dev code, subscribe, join, get the 小程序码, settle: the member receives the card', async () => {
  const local = await startLocalWechat(0, 'http://127.0.0.1:9/wechat/push');
  fake = local.fake;
  const endpoint = inject('dynamoEndpoint');
  const tableName = `t_${randomUUID()}`;
  const raw = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTable(raw, tableName);
  raw.destroy();
  const deps = await depsFromEnv({
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: endpoint,
    AWS_REGION: 'local',
    AUTH_SECRET: 'local-development-secret-not-for-production',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_JOINS_PER_MINUTE: '0',
    RATE_LIMIT_LOGINS_PER_MINUTE: '0',
    ...local.env,
  });
  const app = createApp(deps);
  const call = async (method: string, path: string, token?: string, body?: unknown) => {
    const res = await app.request(path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json: any = res.headers.get('content-type')?.includes('json') ? await res.json() : null;
    return { status: res.status, res, body: json };
  };
  const login = async (openid: string) => {
    const res = await call('POST', '/auth/wechat', undefined, { code: `${DEV_CODE_PREFIX}${openid}` });
    expect(res.status).toBe(200);
    return res.body.accessToken as string;
  };
  const leader = await login('local-leader');
  const member = await login('local-member');
  // A dev code works again (a developer logs in many times); an unknown code is still WeChat's 40029.
  expect((await call('POST', '/auth/wechat', undefined, { code: `${DEV_CODE_PREFIX}local-member` })).status).toBe(200);
  expect((await call('POST', '/auth/wechat', undefined, { code: 'made-up' })).status).toBe(401);

  const closesAt = new Date(Date.now() + 86_400_000).toISOString();
  const created = await call('POST', '/campaigns', leader, {
    title: '周六 阳光玫瑰葡萄 团购',
    closesAt,
    minParticipants: 1,
    items: [{ name: '阳光玫瑰', unitPrice: 3990 }],
    pickupPoints: [{ name: '3号楼门卫室' }],
  });
  expect(created.status).toBe(201);
  const c = created.body as { id: string; shareCode: string };
  // Content security is on: the fake judges `[risky]` text.
  expect(
    (await call('POST', `/campaigns/${c.id}/entries`, member, { items: [{ itemId: 'i1', qty: 1 }], note: '[risky] 广告' })).status,
  ).toBe(422);

  expect((await call('POST', '/me/subscriptions', member, { templateIds: ['local-group-succeeded'], campaignId: c.id })).status).toBe(200);
  expect((await call('POST', `/campaigns/${c.id}/entries`, member, { items: [{ itemId: 'i1', qty: 2 }] })).status).toBe(201);
  const code = await call('GET', `/campaigns/${c.id}/wxacode`, member);
  expect(code.status).toBe(200);
  const png = decodePng(new Uint8Array(await code.res.arrayBuffer()));
  expect(png.text).toMatchObject({ page: 'pages/campaign/index', env: 'develop' });
  expect(png.text.scene).toMatch(new RegExp(`^s=${c.shareCode}&r=[0-9a-z]{10}$`));

  expect((await call('POST', `/campaigns/${c.id}/close`, leader)).status).toBe(200);
  expect((await call('POST', `/campaigns/${c.id}/settle`, leader)).status).toBe(200);
  await sweepAndWork(deps.db, deps.logger, deps.money, 100, deps.messaging ?? null);
  const sent = (await (await fetch(`${local.fake.url}/__fake/messages`)).json()) as { messages: Array<Record<string, unknown>> };
  expect(sent.messages).toEqual([
    expect.objectContaining({
      touser: 'local-member',
      template_id: 'local-group-succeeded',
      data: {
        thing1: { value: '周六 阳光玫瑰葡萄 团购' },
        amount2: { value: '¥79.80' },
        number3: { value: '2' },
        thing4: { value: '拼团成功' },
      },
    }),
  ]);
});
