/**
 * The route modules functions/lazy-routes.ts mounts on first use, behind its one `import()` of this
 * file. Nothing else imports them: whatever imports one statically brings it back to the cold start.
 */

export { afterSaleRoutes } from './routes/after-sales.js';
export { blockRoutes } from './routes/blocks.js';
export { callOffRoutes } from './routes/call-off.js';
export { chatTextRoutes } from './routes/chat-text.js';
export { cloneRoutes } from './routes/clone.js';
export { communityRoutes } from './routes/communities.js';
export { communityMemberRoutes } from './routes/community-members.js';
export { communityTeamRoutes } from './routes/community-team.js';
export { contentReviewRoutes } from './routes/content-review.js';
export { imageRoutes } from './routes/images.js';
export { messageRoutes } from './routes/messages.js';
export { paymentRoutes } from './routes/payments.js';
export { referralRoutes } from './routes/referrals.js';
export { settlementRoutes } from './routes/settlement.js';
export { shortageRoutes } from './routes/shortage.js';
export { wxacodeRoutes } from './routes/wxacode.js';
