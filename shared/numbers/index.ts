/**
 * Community numbers and the member book: the fold of a settled campaign's entries, the later events
 * of each entry (pickup, refund, no-show), share-page views, and the reads (one Query / one GetItem).
 */
export * from './entry-events.js';
export * from './fold.js';
export * from './read.js';
export * from './reviews.js';
export * from './share-views.js';
export { addUpdate } from './updates.js';
