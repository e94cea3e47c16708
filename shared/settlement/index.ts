/**
 * Settlement: closing a campaign at its final tier price, repair of crashed joins, the frozen
 * summary, and the refund-plan marker that makes a prepaid campaign's refunds owed durable.
 */
export * from './refund-plan.js';
export * from './settle.js';
