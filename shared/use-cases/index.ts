/**
 * Use cases: one call per request that spans aggregates (join with its prepaid order, change and
 * cancel with their refunds, paying for an entry). Here, not in entries or money, so neither imports the other's flows.
 */

export * from './attach-campaign.js';
export * from './block-member.js';
export * from './call-off.js';
export * from './community-page.js';
export * from './context.js';
export * from './entry-changes.js';
export * from './entry-payment.js';
export * from './file-after-sale.js';
export * from './join-campaign.js';
export * from './pickup-points.js';
export * from './points-holds.js';
export * from './report-shortage.js';
