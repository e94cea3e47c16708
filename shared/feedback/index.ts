/**
 * Feedback: members' reviews of picked-up entries (with the campaign's score counters and the staff's
 * reply) and a community's short surveys (answered once per member, results counted as answers arrive).
 */
export * from './answers.js';
export * from './privacy.js';
export * from './reviews.js';
export * from './submit-review.js';
export * from './survey-access.js';
export * from './surveys.js';
