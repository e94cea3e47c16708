/**
 * Privacy: a user's data export and erasure across campaigns, entries, money and profile.
 */
export * from './erasure.js';
export * from './privacy.js';
