/**
 * People: users (WeChat openid, nickname) and their profiles.
 */
export * from './profile.js';
export * from './users.js';
