/**
 * WeChat's server API (api.weixin.qq.com, called with an access token): the deployment's
 * stable_token, cached in the table and shared in-process; typed errors per errcode; content
 * security (msgSecCheck, mediaCheckAsync and its 消息推送 verdict), 小程序码 (getwxacodeunlimit). Login (code2Session, no access token) stays in shared/auth.
 */
export * from './access-token.js';
export * from './client.js';
export * from './content-check.js';
export * from './errors.js';
export * from './http.js';
export * from './media-check.js';
export * from './msg-sec-check.js';
export * from './push.js';
export * from './wxacode.js';
