/**
 * Settlement: closing a campaign at its final tier price, repair of crashed joins, the frozen
 * summary, and the refund-plan marker that makes a prepaid campaign's refunds owed durable; and
 * what can go wrong after: calling a campaign off, a shortage of delivered units.
 */
export * from './call-off.js';
export * from './refund-plan.js';
export * from './settle.js';
export * from './shortage.js';
