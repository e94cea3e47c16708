/**
 * Points (积分) of community members: the immutable ledger and its totals, the leader's rules, the
 * titles map, and the reservations members make on entries to spend points at settlement.
 */
export * from './access.js';
export * from './earnings.js';
export * from './holds.js';
export * from './ledger.js';
export * from './privacy.js';
export * from './rules.js';
