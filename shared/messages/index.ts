/**
 * Subscribe messages (订阅消息): members' one-time grants, the outbox events written with what they
 * report (settlement, refund, arrival) or by the sweep (hold reminders, leader digests), their delivery (never twice, one grant each) and the leader's view.
 */
export * from './arrivals.js';
export * from './deliver.js';
export * from './digests.js';
export * from './grants.js';
export * from './hold-reminders.js';
export * from './list.js';
export * from './recipients.js';
export * from './schedule.js';
export * from './sender.js';
