/**
 * Object storage for what is too large for a Lambda response: CSV and xlsx exports streamed into S3 (a
 * local S3-compatible server under npm start and tests) and handed out as short-lived presigned links.
 */
export * from './file-export.js';
export * from './object-store.js';
