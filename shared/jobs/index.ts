/**
 * Deadline work: the finder that lists what is due (settlements, holds ending, refund passes,
 * refunds), the queues it hands each unit to (SQS in the cloud, in process under `npm start`), and
 * doWork, the one idempotent worker for every kind.
 */
export * from './do-work.js';
export * from './find-due.js';
export * from './in-process-queue.js';
export * from './queue.js';
export * from './sqs-batch.js';
export * from './sqs-queue.js';
export * from './sweep-once.js';
export * from './work.js';
