/**
 * Campaigns: a campaign's definition and live counters (create, read, publish, edit, close), the
 * join path's snapshot cache, the staff (团长助手) of a campaign, and who may do what (access.ts).
 */
export * from './access.js';
export * from './cache.js';
export * from './campaigns.js';
export * from './edit.js';
export * from './join-read.js';
export * from './snapshot.js';
export * from './staff.js';
