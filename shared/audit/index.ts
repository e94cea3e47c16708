/**
 * The audit trail: what campaign staff did to entries and money, who did it and when (one item
 * per action in the campaign's partition), and its listing for the leader and helpers.
 */
export * from './staff-actions.js';
