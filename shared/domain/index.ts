/**
 * The pure core: pricing tiers, lifecycle, entry rules, settlement arithmetic, money totals, views
 * and CSV. No AWS, no HTTP, no storage: everything here is a function of its arguments.
 */
export * from './campaign-limits.js';
export * from './chat-text.js';
export * from './clone.js';
export * from './community.js';
export * from './csv.js';
export * from './entry-rules.js';
export * from './image-probe.js';
export * from './images.js';
export * from './lifecycle.js';
// Public lists (entries, reviews) show "王*": the one masking rule.
export { maskNickname } from './masking.js';
export * from './money-bounds.js';
export * from './numbers.js';
export * from './payment-view.js';
export * from './payments.js';
export * from './payments-csv.js';
export * from './points.js';
// Only the formatting: prices are read through campaignView and the tier helpers, never recomputed at the edge.
export { formatYuan } from './pricing.js';
export * from './referrals.js';
export * from './reviews.js';
export * from './scene.js';
export * from './settlement.js';
export * from './settlement-csv.js';
export * from './shortage.js';
export * from './subscribe-fields.js';
export * from './subscribe-templates.js';
export * from './surveys.js';
export * from './types.js';
export * from './views.js';
