/**
 * A fake WeChat Pay server speaking the real APIv3 wire format, signatures and error codes: for
 * `npm start --fake-wechatpay` and tests, never bundled into the Lambda.
 */
export * from './server.js';
