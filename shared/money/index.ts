/**
 * Money: who paid what, behind one front door (money.ts: Money, WeChat Pay on or off). The ledger, orders, incoming payments,
 * refunds, the prepaid side of joins and changes (entry-payments.ts), offline marks, reports, the money side of deadline work (sweep.ts); wechatpay/, fake/.
 */
export * from './after-sales.js';
export * from './context.js';
export * from './entry-money.js';
export * from './entry-payments.js';
export * from './incoming.js';
export * from './ledger.js';
export * from './money.js';
export * from './offline-marks.js';
export * from './orders.js';
export * from './prepay.js';
export * from './refunds.js';
export * from './report.js';
export * from './retry-refund.js';
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
