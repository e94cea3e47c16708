/**
 * Money: who paid what. The immutable ledger and per-entry totals, WeChat Pay orders (prepay),
 * incoming payments and notifications, refunds, offline marks, reports, and the money sweep; the
 * WeChat Pay APIv3 client lives in wechatpay/, its fake server in fake/.
 */
export * from './context.js';
export * from './entry-money.js';
export * from './incoming.js';
export * from './ledger.js';
export * from './offline-marks.js';
export * from './orders.js';
export * from './prepay.js';
export * from './refunds.js';
export * from './report.js';
export * from './settlement-refunds.js';
export * from './sweep.js';
export * from './wechatpay/client.js';
export * from './wechatpay/config.js';
export * from './wechatpay/decrypt.js';
export * from './wechatpay/errors.js';
export * from './wechatpay/notify.js';
export * from './wechatpay/resources.js';
export * from './wechatpay/signing.js';
export * from './wechatpay/time.js';
