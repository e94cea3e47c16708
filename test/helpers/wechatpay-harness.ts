import { verify } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { expect } from 'vitest';
import type { CampaignDb } from '../../shared/campaigns/cache.js';
import { ledgerTotals } from '../../shared/domain/payments.js';
import { sweepAndWork } from '../../shared/jobs/index.js';
import type { RateLimits } from '../../shared/limits/rate-limit.js';
import { createLogger } from '../../shared/logger.js';
import type { Messaging } from '../../shared/messages/index.js';
import { type FakeWechatPay, startFakeWechatPay } from '../../shared/money/fake/server.js';
import { allLedgerEvents, allPayments } from '../../shared/money/ledger.js';
import { createWechatPayClient } from '../../shared/money/wechatpay/client.js';
import type { FaultInjector } from './faults.js';
import { type Harness, harness } from './harness.js';

/**
 * The app with WeChat Pay pointed at the fake, over real HTTP both ways: the client calls the
 * fake's API, and the fake POSTs its signed, encrypted notifications to our notify route through
 * a real socket. Both sides share the harness's manual clock, so signatures' timestamps agree.
 */
export interface PayHarness extends Harness {
  fake: FakeWechatPay;
  /** run the sweep (deadline settlement + the money sweep) */
  sweep(): ReturnType<typeof sweepAndWork>;
  close(): Promise<void>;
}

export async function payHarness(
  opts: {
    instantRefunds?: boolean;
    faults?: FaultInjector;
    rateLimits?: RateLimits;
    /** subscribe messages against a fake WeChat (payment-hold reminders need both) */
    messaging?: (db: CampaignDb) => Messaging;
    /** photos on the run's local S3 server (after-sale evidence) */
    images?: boolean;
  } = {},
): Promise<PayHarness> {
  let h: Harness | undefined;
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: (req) => h!.app.fetch(req), port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  const now = () => h!.clock.now();
  const fake = await startFakeWechatPay({ clock: now, ...(opts.instantRefunds ? { instantRefunds: true } : {}) });
  const config = { ...fake.config(`http://127.0.0.1:${port}/payments/wechat/notify`), now };
  h = await harness({
    wechatPay: { config, client: createWechatPayClient(config) },
    ...(opts.faults ? { faults: opts.faults } : {}),
    ...(opts.rateLimits ? { rateLimits: opts.rateLimits } : {}),
    ...(opts.messaging ? { messaging: opts.messaging } : {}),
    ...(opts.images ? { images: {} } : {}),
  });
  return {
    ...h,
    fake,
    sweep: () => sweepAndWork(h!.db, createLogger('silent'), h!.deps.money),
    async close() {
      await fake.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** wx.requestPayment's paySign verifies with the merchant's public key over the documented message. */
export function expectValidPaySign(
  fake: FakeWechatPay,
  p: { appId: string; timeStamp: string; nonceStr: string; package: string; paySign: string },
) {
  const message = `${p.appId}\n${p.timeStamp}\n${p.nonceStr}\n${p.package}\n`;
  expect(verify('sha256', Buffer.from(message), fake.mchPublicKeyPem, Buffer.from(p.paySign, 'base64'))).toBe(true);
}

/**
 * The ledger invariant: every PAY record equals the sum of its events, and once no refund is on
 * its way, Σ paid − Σ refunded = Σ final amounts (`finals`: entryId → what it finally costs).
 */
export async function expectLedgerBalances(h: Harness, campaignId: string, finals?: ReadonlyMap<string, number>) {
  const events = [];
  for await (const e of allLedgerEvents(h.db, campaignId)) events.push(e);
  const payments = await allPayments(h.db, campaignId);
  for (const [entryId, record] of payments) {
    expect({ paid: record.paid, refunded: record.refunded }, entryId).toEqual(ledgerTotals(events.filter((e) => e.entryId === entryId)));
  }
  if (finals) {
    const totals = ledgerTotals(events);
    const inFlight = [...payments.values()].reduce((s, p) => s + (p.refunding ?? 0), 0);
    expect(inFlight).toBe(0);
    expect(totals.paid - totals.refunded).toBe([...finals.values()].reduce((s, v) => s + v, 0));
  }
  return events;
}
