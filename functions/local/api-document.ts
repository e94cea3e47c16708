import { CampaignCache } from '../../shared/campaigns/index.js';
import { ManualClock } from '../../shared/clock.js';
import { createLogger } from '../../shared/logger.js';
import { disabledMoney, type PaymentsContext } from '../../shared/money/index.js';
import { createDocumentClient } from '../../shared/table/index.js';
import { createApp } from '../app.js';

/**
 * The served /openapi.json of a deployment with every optional route group on (WeChat login,
 * 消息推送, WeChat Pay's notify, dev login), read from the app itself without a server, a table or
 * a network: nothing here is called, the routes are only registered. What `npm run client:generate`
 * makes shared/client/api-types.ts from.
 */
export async function apiDocument(origin = 'http://localhost:3000'): Promise<Record<string, unknown>> {
  const db = {
    doc: createDocumentClient({ region: 'local', endpoint: 'http://127.0.0.1:9' }),
    tableName: 'unused',
    clock: new ManualClock('2026-01-01T00:00:00.000Z'),
    cache: new CampaignCache(),
  };
  const app = createApp({
    db,
    tokens: { secret: 'document-only-secret-never-signs', issuer: 'tuangou-api', audience: 'tuangou-miniprogram', ttlSeconds: 60 },
    devAuth: true,
    logger: createLogger('silent'),
    // Only whether WeChat Pay is on decides the notify route; its context is never used here.
    money: { ...disabledMoney, wechatPay: {} as PaymentsContext },
    wechat: { apiBase: 'http://127.0.0.1:9', appId: 'wx-document', secret: 'unused', timeoutMs: 1 },
    wechatPush: { token: 'unused', appId: 'wx-document' },
  });
  // The origin becomes servers[0] (npm start's by default); a deployment serves its own.
  const res = await app.request(`${origin}/openapi.json`);
  if (res.status !== 200) throw new Error(`/openapi.json answered ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}
