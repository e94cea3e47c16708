/**
 * Campaign photos: upload forms (presigned POST), attaching an upload as a cover or item photo,
 * their layout, detaching, and WeChat's image-check verdicts that decide who may see them; and
 * after-sale evidence photos (private, signed links).
 */
export * from './attach.js';
export * from './checks.js';
export * from './evidence.js';
export * from './layout.js';
export * from './uploads.js';
