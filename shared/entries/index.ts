/**
 * Entries: the 接龙 lines of a campaign. Joining (claim → number → entry), change and cancel,
 * lookup by id and by a claim's token, listing, payment holds, blocks, pickups (核销), household claim slots, and the pure command builders.
 */
export * from './blocks.js';
export * from './commands.js';
export * from './entries.js';
export * from './entry-codes.js';
export * from './holds.js';
export * from './lookup.js';
export * from './pickups.js';
export * from './slots.js';
export * from './staff-entries.js';
