/**
 * Scheduled work: the deadline sweep that settles due campaigns and runs the money sweep.
 */
export * from './sweep.js';
