/**
 * Per-user rate limits (fixed windows in the table, expired by TTL): joins, logins, WeChat Pay calls, campaigns created.
 */
export * from './rate-limit.js';
