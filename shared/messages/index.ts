/**
 * Subscribe messages (订阅消息): members' one-time grants, the outbox events written with what they
 * report (settlement, refund, arrival), their delivery (never twice, one grant each) and the leader's view.
 */
export * from './arrivals.js';
export * from './deliver.js';
export * from './grants.js';
export * from './list.js';
export * from './recipients.js';
export * from './sender.js';
