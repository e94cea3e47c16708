/**
 * Auth: who the caller is. Signed access and refresh tokens (HS256, key ring with rotation), the
 * verified-token cache, and WeChat login (code2Session). What a caller may do is decided in campaigns/access.ts.
 */
export * from './keys.js';
export * from './token-cache.js';
export * from './tokens.js';
export * from './wechat.js';
