import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { serve } from '@hono/node-server';
import { DEFAULT_KIND_LIMITS, doWork, InProcessWorkQueue, sweepDueWork } from '../../shared/jobs/index.js';
import { startDynamoDbLocal, startS3Local } from '../../shared/local/index.js';
import { type FakeWechatPay, startFakeWechatPay } from '../../shared/money/fake/index.js';
import type { WechatPayConfig } from '../../shared/money/index.js';
import { ensureTable } from '../../shared/table/index.js';
import { createApp } from '../app.js';
import { depsFromEnv } from '../bootstrap.js';
import { startLocalWechat } from './fake-wechat-env.js';

/**
 * `npm start`: DynamoDB Local (data in .data/dynamodb, or in memory with --in-memory or
 * DYNAMODB_IN_MEMORY=true), a local S3 server for large exports (objects in .data/s3, or a
 * temporary folder with --in-memory), the table, the same Hono app as the Lambda on PORT, and the
 * deadline sweep every 30 s with its worker in process. Ctrl-C or SIGTERM stops DynamoDB Local and S3 too: no orphan java process.
 */
const inMemory = process.argv.includes('--in-memory') || process.env.DYNAMODB_IN_MEMORY === 'true';
// `npm run start:pay` (or FAKE_WECHATPAY=true): a fake WeChat Pay with real cryptography, for prepaid campaigns.
const fakePay = process.argv.includes('--fake-wechatpay') || process.env.FAKE_WECHATPAY === 'true';
// `npm run start:wechat` (or FAKE_WECHAT=true): a fake WeChat server API (login, content security, codes, messages).
const fakeWechat = process.argv.includes('--fake-wechat') || process.env.FAKE_WECHAT === 'true';
const port = Number(process.env.PORT ?? 3000);
const dataDir = join(process.cwd(), '.data', 'dynamodb');
const s3DataDir = join(process.cwd(), '.data', 's3');

let stopDb: (() => Promise<void>) | undefined;
let stopS3: (() => Promise<void>) | undefined;
let stopFake: (() => Promise<void>) | undefined;
let stopFakeWechat: (() => Promise<void>) | undefined;

/** The fake's merchant config as the WECHATPAY_* variables the app reads (all of them, so payments are on). */
function wechatPayEnv(cfg: WechatPayConfig): Record<string, string> {
  return {
    WECHATPAY_MCH_ID: cfg.mchId,
    WECHATPAY_APP_ID: cfg.appId,
    WECHATPAY_MCH_SERIAL_NO: cfg.mchSerialNo,
    WECHATPAY_MCH_PRIVATE_KEY: cfg.mchPrivateKeyPem,
    WECHATPAY_API_V3_KEY: cfg.apiV3Key,
    WECHATPAY_PLATFORM_PUBLIC_KEY: cfg.platformPublicKeyPem,
    WECHATPAY_PLATFORM_SERIAL: cfg.platformSerial,
    WECHATPAY_API_BASE: cfg.apiBase,
    WECHATPAY_NOTIFY_URL: cfg.notifyUrl,
  };
}
let shuttingDown = false;

async function main() {
  let endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) {
    const local = await startDynamoDbLocal(inMemory ? {} : { dataDir });
    stopDb = local.stop;
    endpoint = local.endpoint;
    console.log(`DynamoDB Local on ${endpoint} (${inMemory ? 'in memory' : `data in ${dataDir}`})`);
  }
  // Large CSV exports go to S3: a local S3 server unless S3_ENDPOINT (and EXPORTS_BUCKET) name another.
  const s3 = process.env.S3_ENDPOINT
    ? { endpoint: process.env.S3_ENDPOINT, bucket: process.env.EXPORTS_BUCKET }
    : await startS3Local(inMemory ? {} : { dataDir: s3DataDir });
  if ('stop' in s3) {
    stopS3 = s3.stop;
    console.log(
      `S3 (local) on ${s3.endpoint} (${inMemory ? 'temporary folder' : `data in ${s3DataDir}`}), buckets ${s3.bucket} and ${s3.imagesBucket} (photos)`,
    );
  }
  const env = {
    TABLE_NAME: 'tuangou-local',
    DEV_AUTH: 'true',
    // A fresh random secret per run would log everyone out on restart; a fixed local one is fine
    // because dev login hands tokens to anyone anyway.
    AUTH_SECRET: 'local-development-secret-not-for-production',
    AWS_REGION: 'local',
    LOG_LEVEL: 'warn',
    // Local development and test suites join much faster than a person: no per-user limits here
    // unless asked for (set the variables to turn them on).
    RATE_LIMIT_JOINS_PER_MINUTE: '0',
    RATE_LIMIT_LOGINS_PER_MINUTE: '0',
    RATE_LIMIT_PAYMENT_CALLS_PER_MINUTE: '0',
    RATE_LIMIT_CAMPAIGNS_PER_HOUR: '0',
    ...process.env,
    DYNAMODB_ENDPOINT: endpoint,
    S3_ENDPOINT: s3.endpoint,
    ...(s3.bucket ? { EXPORTS_BUCKET: s3.bucket } : {}),
    // Photos: the local server's images bucket, its upload policy checked as S3 checks it.
    ...('imagesBucket' in s3 ? { IMAGES_BUCKET: s3.imagesBucket } : {}),
  };
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const created = await ensureTable(client, env.TABLE_NAME);
  client.destroy();
  console.log(`Table ${env.TABLE_NAME} ${created}`);

  let fake: FakeWechatPay | undefined;
  if (fakePay) {
    fake = await startFakeWechatPay({
      port: Number(process.env.FAKE_WECHATPAY_PORT ?? 3100),
      notifyUrl: `http://127.0.0.1:${port}/payments/wechat/notify`,
      instantRefunds: true,
    });
    Object.assign(env, wechatPayEnv(fake.config(`http://127.0.0.1:${port}/payments/wechat/notify`)));
    stopFake = () => fake!.close();
  }
  const wechat = fakeWechat
    ? await startLocalWechat(Number(process.env.FAKE_WECHAT_PORT ?? 3200), `http://127.0.0.1:${port}/wechat/push`)
    : undefined;
  if (wechat) {
    Object.assign(env, wechat.env);
    stopFakeWechat = () => wechat.fake.close();
  }
  const deps = await depsFromEnv(env);
  const app = createApp(deps);
  const server = serve({ fetch: app.fetch, port }, (info) => {
    console.log(`API   http://localhost:${info.port}`);
    console.log(`Docs  http://localhost:${info.port}/docs`);
    if (wechat) {
      console.log(`Fake WeChat ${wechat.fake.url}: log in with POST /auth/wechat {"code": "dev-<any openid>"};`);
      console.log(`      every template counts as accepted; messages sent: curl ${wechat.fake.url}/__fake/messages`);
    }
    if (fake) {
      console.log(`Fake WeChat Pay ${fake.url}: create campaigns with "paymentMode": "wechatpay"; a member "pays" with`);
      console.log(`      curl -X POST ${fake.url}/__fake/pay/<payment.outTradeNo from the join>   (refunds succeed at once)`);
    }
  });
  // Deadline work as in the cloud: the finder every 30 s hands units to per-kind lanes, and the
  // same doWork does them, in process (see shared/jobs).
  const work = new InProcessWorkQueue((unit) => doWork(deps, unit), { limits: DEFAULT_KIND_LIMITS, logger: deps.logger });
  const sweep = setInterval(() => {
    sweepDueWork(deps.db, deps.money, work, undefined, deps.messaging?.schedule ?? null).catch((err) => console.error('sweep failed', err));
  }, 30_000);

  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    console.log(`\n${signal}: stopping`);
    clearInterval(sweep);
    work.stop();
    server.close();
    await stopFake?.();
    await stopFakeWechat?.();
    await stopS3?.();
    await stopDb?.();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));
}

main().catch(async (err) => {
  console.error(err);
  await stopS3?.();
  await stopDb?.();
  process.exit(1);
});
