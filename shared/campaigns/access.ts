import { isCommunityStaff } from '../communities/index.js';
import { type CampaignDefinition, hasHiddenImages, type Viewer } from '../domain/index.js';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../errors.js';
import type { DbContext } from '../table/index.js';
import { findCampaignIdByShareCode, requireCampaign } from './campaigns.js';
import type { CampaignSnapshot } from './snapshot.js';
import { isHelper } from './staff.js';

/**
 * Who may do what (README "Roles and data handling"), in one file: routes call these before the
 * use case, so a refused caller costs no work. Two owner checks stay where the entry is read and
 * written in one step (under concurrency, a separate check would add a read and a race):
 * changeEntry ('Only the entry owner can change it') and cancelEntry ('Only the entry owner or the
 * leader can cancel it') in shared/entries, and the same change check in money's raiseWithTopUp.
 */

/** Who the caller is for one campaign: decides what they may see and do. */
export type CampaignRole = 'leader' | 'helper' | 'user' | 'anonymous';

type Leadership = Pick<CampaignDefinition, 'id' | 'leaderId' | 'communityId'>;

/**
 * Leader by the definition (no read); helper by one GetItem of the helper item, or, for a campaign
 * published into a community, also by the community's team (owner, admin, helper; one GetItem of
 * the community's team map, in parallel); else a plain user.
 */
export async function campaignRole(db: DbContext, def: Leadership, userId: string | null | undefined): Promise<CampaignRole> {
  if (!userId) return 'anonymous';
  if (def.leaderId === userId) return 'leader';
  const [helper, team] = await Promise.all([
    isHelper(db, def.id, userId),
    def.communityId ? isCommunityStaff(db, def.communityId, userId) : false,
  ]);
  return helper || team ? 'helper' : 'user';
}

/**
 * The caller's role in the campaign, or 403 unless it is one of `allowed`. Of a draft, anyone
 * but its leader and helpers is told 404, as for an id that names nothing (a 403 would say it
 * exists): every staff route goes through here, so none can leak a draft.
 */
export async function requireRole(
  db: DbContext,
  snapshot: CampaignSnapshot,
  user: { readonly id: string },
  allowed: readonly CampaignRole[],
  action: string,
): Promise<CampaignRole> {
  const role = await campaignRole(db, snapshot.def, user.id);
  if (!allowed.includes(role)) {
    if (snapshot.state.status === 'draft' && role !== 'leader' && role !== 'helper') throw draftNotFound(snapshot);
    throw new ForbiddenError(`Only ${allowed.join(' or ')} can ${action}`, { role });
  }
  return role;
}

/**
 * Leader-only actions (edit, publish, manage helpers): decided by the definition, no read for the
 * leader. Anyone else is 403, or 404 for a draft they may not see (one helper read, drafts only).
 */
export async function requireLeader(db: DbContext, snapshot: CampaignSnapshot, userId: string, action: string): Promise<void> {
  if (snapshot.def.leaderId === userId) return;
  await requireVisibleCampaign(db, snapshot, userId);
  throw new ForbiddenError(`Only the leader can ${action}`);
}

/** The leader or a helper (a signed-in caller): e.g. closing the campaign early. */
export async function requireLeaderOrHelper(db: DbContext, snapshot: CampaignSnapshot, userId: string, action: string): Promise<void> {
  await requireRole(db, snapshot, { id: userId }, ['leader', 'helper'], action);
}

/**
 * A draft exists only for its leader and helpers: everyone else gets the same 404 as for a
 * campaign that does not exist, so drafts cannot be found by guessing ids or share codes.
 */
export async function requireVisibleCampaign(db: DbContext, snapshot: CampaignSnapshot, userId: string | null | undefined): Promise<void> {
  if (snapshot.state.status !== 'draft') return; // published: visible to all, no role lookup
  const role = await campaignRole(db, snapshot.def, userId);
  if (role !== 'leader' && role !== 'helper') throw draftNotFound(snapshot);
}

/** The campaign a share code names, as the caller may see it: an unknown code and a hidden draft are the same 404. */
export async function requireVisibleByShareCode(
  db: DbContext,
  shareCode: string,
  userId: string | null | undefined,
): Promise<CampaignSnapshot> {
  const id = await findCampaignIdByShareCode(db, shareCode);
  if (!id) throw new NotFoundError(`No campaign with share code ${shareCode}`);
  const snapshot = await requireCampaign(db, id);
  await requireVisibleCampaign(db, snapshot, userId);
  return snapshot;
}

const draftNotFound = (snapshot: CampaignSnapshot) => new NotFoundError(`No campaign ${snapshot.def.id}`);

/**
 * Blocking members from a campaign (POST, DELETE, GET …/blocks): the leader and helpers, who watch
 * the list. Cancelling the member's entry along with the block (`cancelEntries`) is the leader's
 * alone, as cancelling anyone else's entry is.
 */
export async function requireBlockManager(
  db: DbContext,
  snapshot: CampaignSnapshot,
  user: { readonly id: string },
  cancelEntries: boolean,
): Promise<CampaignRole> {
  return cancelEntries
    ? requireRole(db, snapshot, user, ['leader'], 'block a member and cancel their entry (helpers may block, not cancel)')
    : requireRole(db, snapshot, user, ['leader', 'helper'], 'block members');
}

/** Only the member whose entry it is (e.g. paying for it). */
export function requireEntryOwner(entry: { readonly userId: string }, userId: string, message: string): void {
  if (entry.userId !== userId) throw new ForbiddenError(message);
}

/** An entry's payment is for its member, the leader and helpers; the member costs no read. */
export async function requireEntryOwnerOrStaff(
  db: DbContext,
  def: Leadership,
  entry: { readonly userId: string },
  userId: string,
  verb: string,
): Promise<void> {
  await requireEntryOwnerOrStaffTo(db, def, entry, userId, `${verb} its payment`);
}

/** An entry's own things (its payment, its pickup code) are for its member, the leader and helpers; the member costs no read. */
export async function requireEntryOwnerOrStaffTo(
  db: DbContext,
  def: Leadership,
  entry: { readonly userId: string },
  userId: string,
  action: string,
): Promise<void> {
  if (entry.userId !== userId && (await campaignRole(db, def, userId)) === 'user') {
    throw new ForbiddenError(`Only the entry's member, the leader or a helper can ${action}`);
  }
}

/** `ref=none` on a share code: a code that credits nobody (a poster for a notice board). */
export const NO_REFERRER = 'none';

/**
 * Whom a share code credits for the joins it brings (GET …/wxacode `ref`): by default the signed-in
 * caller (nobody for an anonymous one); `none` nobody; the caller's own id the caller. A code that
 * credits someone else (the leader printing a helper's poster) is for the leader and helpers:
 * otherwise anyone could make codes that credit their friend.
 */
export async function requireShareReferrer(
  db: DbContext,
  snapshot: CampaignSnapshot,
  callerId: string | null | undefined,
  ref: string | undefined,
): Promise<string | null> {
  if (ref === NO_REFERRER) return null;
  if (ref === undefined || ref === callerId) return callerId ?? null;
  if (!callerId) throw new UnauthorizedError('Sign in as the leader or a helper to make a code that credits someone else');
  await requireRole(db, snapshot, { id: callerId }, ['leader', 'helper'], 'make a share code that credits someone else');
  return ref;
}

/** How the list shows to the caller: full names and phones for the leader and helpers, masked for the rest. */
export async function listViewer(db: DbContext, def: Leadership, userId: string | null | undefined): Promise<Viewer> {
  const role = await campaignRole(db, def, userId);
  if (!userId) return { kind: 'public' };
  return role === 'leader' || role === 'helper' ? { kind: role, userId } : { kind: 'user', userId };
}

/** The caller of a change or cancel sees the entry as its owner, or as the leader (no read). */
export function ownerOrLeaderViewer(def: Leadership, userId: string): Viewer {
  return userId === def.leaderId ? { kind: 'leader', userId } : { kind: 'user', userId };
}

/** An after-sale (售后) request is asked by the entry's member only: it is about their goods and their money. */
export function requireAfterSaleRequester(entry: { readonly userId: string }, userId: string): void {
  if (entry.userId !== userId) throw new ForbiddenError("Only the entry's member can ask for an after-sale refund");
}

/** The leader or a helper (who hands the goods out) decides after-sale requests. */
export async function requireAfterSaleDecider(db: DbContext, snapshot: CampaignSnapshot, user: { readonly id: string }): Promise<void> {
  await requireRole(db, snapshot, user, ['leader', 'helper'], 'decide after-sale requests');
}

/** Whose after-sale requests the caller sees: every one for the leader and helpers, their own for anyone else (404 for a draft). */
export async function afterSaleListScope(db: DbContext, snapshot: CampaignSnapshot, userId: string): Promise<'all' | 'own'> {
  await requireVisibleCampaign(db, snapshot, userId);
  const role = await campaignRole(db, snapshot.def, userId);
  return role === 'leader' || role === 'helper' ? 'all' : 'own';
}

/**
 * Whether the reader sees photos WeChat's image check has not passed (and each photo's status):
 * the leader always; a helper, found by one read, only when the campaign has such photos.
 */
export async function seesUncheckedImages(db: DbContext, def: CampaignDefinition, userId: string | null | undefined): Promise<boolean> {
  if (!userId) return false;
  if (def.leaderId === userId) return true;
  if (!hasHiddenImages(def.images)) return false;
  return (await campaignRole(db, def, userId)) === 'helper';
}
