/**
 * A fake api.weixin.qq.com speaking WeChat's real HTTP, codes and limits (login, access tokens,
 * content security, image checks and their 消息推送, subscribe messages, 小程序码): for tests and `npm run start:wechat`, never deployed.
 */
export * from './fake-wechat.js';
export * from './media-push.js';
export * from './png.js';
