import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { recordStaffAction } from '../../shared/audit/index.js';
import { campaignForJoin } from '../../shared/campaigns/index.js';
import type { AppDeps, AppEnv } from '../env.js';

/**
 * Operations only the leader or a helper can perform (their routes refuse anyone else before the
 * use case), each changing a campaign's entries or money: every successful one is recorded.
 */
export const STAFF_OPERATIONS = new Set([
  'PATCH /campaigns/{id}',
  'PUT /campaigns/{id}',
  'POST /campaigns/{id}/publish',
  'POST /campaigns/{id}/close',
  'POST /campaigns/{id}/settle',
  'POST /campaigns/{id}/call-off',
  'POST /campaigns/{id}/shortage',
  'POST /campaigns/{id}/staff-entries',
  'POST /campaigns/{id}/after-sales/{requestId}/decision',
  'POST /campaigns/{id}/refunds/{outRefundNo}/retry',
  'POST /campaigns/{id}/entries/{entryId}/pickup',
  'DELETE /campaigns/{id}/entries/{entryId}/pickup',
  'POST /campaigns/{id}/pickups/scan',
  'PUT /campaigns/{id}/entries/{entryId}/payment',
  'POST /campaigns/{id}/blocks',
  'DELETE /campaigns/{id}/blocks/{userId}',
  'POST /campaigns/{id}/helpers',
  'DELETE /campaigns/{id}/helpers/{userId}',
  // Taking a member's review off the public list (its reason is kept on the review itself).
  'DELETE /campaigns/{id}/reviews/{entryId}',
]);

/** Operations a member does to their own entry and the leader to anyone's: recorded when the leader does them. */
export const LEADER_OPERATIONS = new Set([
  'DELETE /campaigns/{id}/entries/{entryId}',
  'PATCH /campaigns/{id}/entries/{entryId}',
  'PUT /campaigns/{id}/entries/{entryId}',
]);

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * After a successful staff request under /campaigns/{id}/, one item records who did what
 * (shared/audit). A failure to record is logged, never turned into a failure of the action that
 * already happened. Member requests cost nothing here, except a leader check by the cached
 * definition on the few routes both may use.
 */
export function staffAudit(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const user = c.get('user');
    if (!user || !MUTATING.has(c.req.method) || c.res.status >= 300) return;
    const route = c.get('matchedRoute') ?? routePath(c);
    const operation = `${c.req.method} ${route.replace(/:([A-Za-z]+)/g, '{$1}')}`;
    const staffOnly = STAFF_OPERATIONS.has(operation);
    if (!staffOnly && !LEADER_OPERATIONS.has(operation)) return;
    const campaignId = c.req.param('id');
    if (!campaignId) return;
    try {
      const { snapshot } = await campaignForJoin(deps.db, campaignId);
      const isLeader = snapshot.def.leaderId === user.id;
      if (!staffOnly && !isLeader) return;
      await recordStaffAction(deps.db, {
        campaignId,
        at: deps.db.clock.now().toISOString(),
        requestId: c.get('requestId'),
        actorId: user.id,
        role: isLeader ? 'leader' : 'staff',
        operation,
        entryId: c.req.param('entryId') ?? null,
        status: c.res.status,
      });
    } catch (err) {
      deps.logger.error('staff action not recorded', { requestId: c.get('requestId'), campaignId, operation, err });
    }
  };
}
