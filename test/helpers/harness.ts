import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { createApp } from '../../functions/app.js';
import type { AppDeps } from '../../functions/env.js';
import type { WechatSettings } from '../../shared/auth/wechat.js';
import type { CampaignDb } from '../../shared/campaigns/cache.js';
import { CampaignCache } from '../../shared/campaigns/cache.js';
import { ManualClock } from '../../shared/clock.js';
import type { RateLimits } from '../../shared/limits/rate-limit.js';
import { createLogger } from '../../shared/logger.js';
import type { Messaging } from '../../shared/messages/index.js';
import { createMoney, disabledMoney } from '../../shared/money/money.js';
import type { WechatPayClient } from '../../shared/money/wechatpay/client.js';
import type { WechatPayConfig } from '../../shared/money/wechatpay/config.js';
import type { CampaignCodes } from '../../shared/share-codes/index.js';
import { DEFAULT_INLINE_MAX_BYTES, DEFAULT_URL_TTL_SECONDS, type ExportSettings } from '../../shared/storage/file-export.js';
import { type ObjectStore, s3MediaStore, s3ObjectStore } from '../../shared/storage/object-store.js';
import { createDocumentClient } from '../../shared/table/client.js';
import { ensureTable } from '../../shared/table/create-table.js';
import type { ContentCheck, PushSettings, WechatServerApi } from '../../shared/wechat/index.js';
import type { FaultInjector } from './faults.js';

export const TEST_TOKENS = {
  secret: 'test-secret-at-least-16-chars',
  issuer: 'tuangou-api',
  audience: 'tuangou-miniprogram',
  ttlSeconds: 3600,
};
export const T0 = '2026-12-01T00:00:00.000Z';

export interface CallResult {
  status: number;
  body: any;
  headers: Headers;
  text: string;
}

/** A fresh table in the shared DynamoDB Local, the real app on it, and a clock the test moves. */
export async function harness(
  opts: {
    devAuth?: boolean;
    start?: string;
    faults?: FaultInjector;
    rateLimits?: RateLimits;
    wechat?: WechatSettings;
    /** content security against a fake WeChat; built on this harness's table, so it is given as a factory */
    contentCheck?: (db: CampaignDb) => ContentCheck;
    /** subscribe messages against a fake WeChat, built on this harness's table */
    messaging?: (db: CampaignDb) => Messaging;
    wechatPay?: { config: WechatPayConfig; client: WechatPayClient };
    /** 小程序码 against a fake WeChat, built on this harness's table and exports store */
    shareCodes?: (db: CampaignDb, store: ObjectStore) => CampaignCodes;
    /** exports to the run's local S3 server, as deployed; a test lowers the inline limit to cross it with a few rows */
    exports?: Partial<Omit<ExportSettings, 'store'>>;
    /** photos on the run's local S3 server (images bucket); `wechat`: their image check against a fake WeChat */
    images?: { wechat?: (db: CampaignDb) => WechatServerApi; baseUrl?: string };
    /** 消息推送 (POST /wechat/push) with this Token */
    wechatPush?: PushSettings;
  } = {},
) {
  const endpoint = inject('dynamoEndpoint');
  const tableName = `t_${randomUUID()}`;
  const raw = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTable(raw, tableName);
  raw.destroy();
  const clock = new ManualClock(opts.start ?? T0);
  const doc = createDocumentClient({ region: 'local', endpoint });
  opts.faults?.install(doc);
  // The join-path cache is on, as in production, so every route test also covers it.
  const db: CampaignDb = { doc, tableName, clock, cache: new CampaignCache() };
  // Rate limits are off unless a test asks: model-based tests reuse users across many runs at one clock time.
  const logger = createLogger((process.env.TEST_LOG_LEVEL as 'error' | undefined) ?? 'silent');
  const store = s3ObjectStore({ bucket: inject('s3Bucket'), region: 'local', endpoint: inject('s3Endpoint') });
  const deps: AppDeps = {
    db,
    tokens: TEST_TOKENS,
    devAuth: opts.devAuth ?? true,
    logger,
    ...(opts.rateLimits ? { rateLimits: opts.rateLimits } : {}),
    ...(opts.wechat ? { wechat: opts.wechat } : {}),
    ...(opts.contentCheck ? { contentCheck: opts.contentCheck(db) } : {}),
    ...(opts.messaging ? { messaging: opts.messaging(db) } : {}),
    money: opts.wechatPay ? createMoney(db, logger, opts.wechatPay) : disabledMoney,
    ...(opts.shareCodes ? { shareCodes: opts.shareCodes(db, store) } : {}),
    ...(opts.images
      ? {
          images: {
            store: s3MediaStore({ bucket: inject('s3ImagesBucket'), region: 'local', endpoint: inject('s3Endpoint') }),
            ...(opts.images.baseUrl ? { baseUrl: opts.images.baseUrl } : {}),
            ...(opts.images.wechat ? { wechat: opts.images.wechat(db) } : {}),
          },
        }
      : {}),
    ...(opts.wechatPush ? { wechatPush: opts.wechatPush } : {}),
    exports: {
      store,
      inlineMaxBytes: opts.exports?.inlineMaxBytes ?? DEFAULT_INLINE_MAX_BYTES,
      urlTtlSeconds: opts.exports?.urlTtlSeconds ?? DEFAULT_URL_TTL_SECONDS,
    },
  };
  const app = createApp(deps);

  async function call(
    method: string,
    path: string,
    init: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
  ): Promise<CallResult> {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    let body: string | undefined;
    if (init.rawBody !== undefined) body = init.rawBody;
    else if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, headers: res.headers, text };
  }

  async function login(openid: string, nickname = `用户${openid}`): Promise<{ token: string; userId: string }> {
    const res = await call('POST', '/auth/dev-login', { body: { openid, nickname } });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
    return { token: res.body.token, userId: res.body.user.id };
  }

  async function createCampaign(token: string, overrides: Record<string, unknown> = {}) {
    const res = await call('POST', '/campaigns', { token, body: campaignBody(overrides) });
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${res.text}`);
    return res.body;
  }

  return { app, db, clock, deps, call, login, createCampaign, tableName };
}

export type Harness = Awaited<ReturnType<typeof harness>>;

/** The contract's example campaign, closing two days after T0. */
export function campaignBody(overrides: Record<string, unknown> = {}) {
  return {
    title: '周六 阳光玫瑰葡萄 团购',
    description: '产地直发',
    opensAt: T0,
    closesAt: '2026-12-03T12:00:00.000Z',
    tierBasis: 'quantity',
    minParticipants: 3,
    items: [
      {
        name: '阳光玫瑰 2斤装',
        spec: '2斤',
        unitPrice: 3990,
        stock: 200,
        perPersonLimit: 5,
        tiers: [
          { threshold: 20, unitPrice: 3590 },
          { threshold: 50, unitPrice: 3290 },
        ],
      },
    ],
    pickupPoints: [{ name: '3号楼门卫室', address: '幸福小区3号楼' }],
    ...overrides,
  };
}
