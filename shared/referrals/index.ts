/**
 * Referrals: referrer tokens (REF#<token> → user) for share scenes, and what each referrer
 * brought a campaign (counted from its entries).
 */
export * from './tally.js';
export * from './tokens.js';
