/**
 * People: users (WeChat openid, nickname), their profiles, and whether their tokens still count.
 */
export * from './profile.js';
export * from './standing.js';
export * from './users.js';
