/**
 * The single table: key schema, key builders per access pattern, stored item shapes (records), the
 * client, failure mapping, paging cursors and the shared plumbing (queries, transactions, item conversion).
 */

export * from './batch.js';
export * from './client.js';
export * from './context.js';
export * from './create-table.js';
export * from './cursor.js';
export * from './def-version.js';
export * from './due-index.js';
export * from './failures.js';
export * from './fold-due.js';
export * from './items.js';
export * from './keys.js';
export * from './outbox.js';
export * from './query.js';
export * from './records.js';
export * from './retry.js';
export * from './schema.js';
export * from './transact.js';
