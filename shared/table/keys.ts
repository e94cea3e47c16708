import { GSI_BY_OWNER, GSI_DUE, KEY } from './schema.js';

/**
 * Pure key builders, one per access pattern (see README "Data model"). Nothing else in the code
 * base spells a key prefix.
 *
 * Item collection of one campaign (pk = CAMPAIGN#<id>):
 *   #META              definition (title, items, tiers, pickup points); in gsi1 (leader) and gsi2 (open)
 *   #STATE             live counters: status, seq, participants, sold/remaining per item (hot, tiny)
 *   #SETTLEMENT        the frozen settlement summary
 *   MEMBER#<userId>    the user's claim: at most one active entry per slot; also the Idempotency-Key
 *                      records, the count of the user's expired payment holds and a block (both refuse
 *                      joins). Slot 0 is its top-level fields; a household campaign (maxEntriesPerUser
 *                      N > 1) adds slots 1..N-1 as maps `slot<k>` on this same item, not items of their
 *                      own, so a claim of any slot stays one conditional write that checks the block,
 *                      the holds and the keys (shared/entries/slots.ts). So every `begins_with(sk,
 *                      'MEMBER#')` read still sees one item per user (repair expands its slots).
 *   BLOCK#<userId>     a member blocked by the leader or a helper (the list; the claim has the flag)
 *   ENTRY#<seq>        a 接龙 line, keyed by its number (zero-padded), so the base table lists the
 *                      campaign in 接龙 order and the put's `attribute_not_exists` makes numbers unique;
 *                      in gsi1 (participant). Its id `e<seq>_<token>` names the key (see entryIds).
 *   PAY#<entryId>      the entry's money: paid/refunded totals, WeChat Pay orders and refunds
 *   LEDGER#<entryId>#<ref>  immutable money events (prepay, paid, refund…, offline marks)
 *   REFUND#<outRefundNo>    a refund and its attempts; in gsi2 (REFUND_DUE) while one is due
 *   OUTBOX#<eventId>   an event members are told of (subscribe messages); in gsi2 (OUTBOX) until delivered
 *   MSG#<eventId>#<userId>  one member's message of that event: claimed, sent, refused… (never twice)
 *   ARRIVED#<pointId>  goods arrived at a pickup point (the staff action behind the message)
 *   AUDIT#<at>#<requestId>  a staff action that changed entries or money: who did it, which operation
 *   DIGEST             the leader's digest: the last number digested and when; in gsi2 (DIGEST) while open
 * Elsewhere: PAYORDER#<outTradeNo> / #ORDER, a WeChat Pay order and the entry it pays for.
 *            REF#<token> / #USER, which user a referrer token (in share scenes) stands for.
 *            USER#<userId> / GRANT#<templateId>#<campaignId|*>, one-time subscribe grants left (count).
 *            MEDIACHECK#<traceId> / #IMAGE, the photo (campaign, image, size) a WeChat image check is of.
 *            COMMUNITY#<id> / #META, a community (社群): name, rules, cover, invite code, member counts.
 *            COMMUNITY#<id> / MEMBER#<userId>, one person's standing there (role, status, following) and
 *              their member book (first/last join, campaigns, units, amount, refunds, pickups, notes,
 *              tags); in gsi1 (MEMBERSHIP#<userId>) so a user lists their communities.
 *            COMMUNITY#<id> / CAMPAIGN#<createdAt>#<campaignId>, a campaign published into it (newest
 *              last; the community page reads the newest few).
 *            COMMUNITY#<id> / STATS#TOTAL and STATS#D#<day>, the community's numbers (totals, per
 *              Shanghai day); STATS#ITEMS, STATS#POINTS by item and pickup-point name (README "Community numbers").
 *            CAMPAIGN#<id> / NUMBERS, FOLDED#<entryId>, FOLDDUE: a campaign's numbers, each entry the fold
 *              counted (and what later events added), the marker that its fold is due (gsi2 FOLD).
 *            INVITE#<token> / #INVITE, a team invitation (role, expiry by TTL), accepted once.
 *            COMMUNITY#<id> / PTSBAL#<userId>, a member's points totals (earned, spent, reversed,
 *              balance ≥ 0), written in the transaction of every points event of theirs.
 *            POINTS#<communityId>#<userId> / EV#<ref>, one immutable points event (earn, spend, release,
 *              reverse); `ref` names its cause, so a repeat finds it there and changes nothing.
 *            COMMUNITY#<id> / PTSRULES, the leader's points rules; PTSTITLES, the map userId → title
 *              a public 接龙 list of the community's campaigns reads (one item, written on a crossing).
 *            CAMPAIGN#<id> / PTSHOLD#<entryId>, an entry holds reserved points (the hold itself is
 *              `pointsHold` on the entry); settlement releases what the discount did not use.
 *            CAMPAIGN#<id> / REVIEW#<entryId>, the member's review of a picked-up entry (rating, text, photos,
 *              the staff's reply); in gsi1 (REVIEWS#<campaignId>, newest first) for the campaign's list.
 *            CAMPAIGN#<id> / REVIEWSTATS, the campaign's review counters (count, sum, histogram, per item),
 *              ADDed in every review's transaction: scores are one GetItem.
 *            SURVEY#<id> / #META, a survey (questions, audience); COMMUNITY#<id> / SURVEY#<createdAt>#<surveyId>
 *              its copy in the community's list. SURVEY#<id> / RESULTS, the counters every answer ADDs;
 *              RESP#<userId>, one member's answers (written once: attribute_not_exists), in gsi1
 *              (RESPONDENT#<userId>) for export and erasure; TEXT#<at>#<token>#<q>, a text answer
 *              without its author, for the leader's newest-first list.
 * Photos themselves live in #META (`images` by id, `coverImageId`, each item's `imageIds`): every
 * campaign read already returns them, and the check's verdict is one nested SET there.
 */
export type Key = { [KEY.pk]: string; [KEY.sk]: string };

/**
 * Ids come from URLs and are never format-checked (the contract: an odd id is 404, not 400). One
 * too long to be part of a key (DynamoDB: sort keys ≤ 1,024 bytes) names nothing by definition, so
 * lookups answer "not found" without asking DynamoDB, which would reject the key with an error.
 */
export const MAX_ID_BYTES = 512;
export const isLookupableId = (id: string) => id.length > 0 && Buffer.byteLength(id, 'utf8') <= MAX_ID_BYTES;

const campaignPk = (campaignId: string) => `CAMPAIGN#${campaignId}`;

export const SORT = {
  meta: '#META',
  state: '#STATE',
  settlement: '#SETTLEMENT',
  memberPrefix: 'MEMBER#',
  entryPrefix: 'ENTRY#',
} as const;

/** Sort-key prefix of helper (团长助手) items; not in SORT, whose prefixes campaign reads use. */
const SORT_HELPER_PREFIX = 'HELPER#';
/** Members blocked from a campaign, listed for staff; the join path reads the block from the claim, never these. */
const SORT_BLOCK_PREFIX = 'BLOCK#';
/** Money items (shared/money/ledger.ts, orders.ts); no '#' prefix either, so campaign reads never touch them. */
const SORT_PAYMENT_PREFIX = 'PAY#';
const SORT_LEDGER_PREFIX = 'LEDGER#';
const SORT_REFUND_PREFIX = 'REFUND#';
const SORT_AFTER_SALE_PREFIX = 'AFTERSALE#';
/** Subscribe-message items (shared/messages): no '#' prefix, so campaign reads never touch them. */
const SORT_OUTBOX_PREFIX = 'OUTBOX#';
const SORT_MESSAGE_PREFIX = 'MSG#';
const SORT_GRANT_PREFIX = 'GRANT#';

/** Community items (shared/communities): their own partition, beside no campaign's. */
const communityPk = (communityId: string) => `COMMUNITY#${communityId}`;
const SORT_COMMUNITY_CAMPAIGN_PREFIX = 'CAMPAIGN#';

export const keys = {
  campaignMeta: (campaignId: string): Key => ({ pk: campaignPk(campaignId), sk: SORT.meta }),
  campaignState: (campaignId: string): Key => ({ pk: campaignPk(campaignId), sk: SORT.state }),
  settlement: (campaignId: string): Key => ({ pk: campaignPk(campaignId), sk: SORT.settlement }),
  member: (campaignId: string, userId: string): Key => ({ pk: campaignPk(campaignId), sk: `${SORT.memberPrefix}${userId}` }),
  /** the 接龙 line numbered `seq`; find the number of an entry id with `entryIds.parse` */
  entry: (campaignId: string, seq: number): Key => ({ pk: campaignPk(campaignId), sk: entrySortKey(seq) }),
  shareCode: (code: string): Key => ({ pk: `SHARE#${code}`, sk: '#SHARE' }),
  user: (userId: string): Key => ({ pk: `USER#${userId}`, sk: '#PROFILE' }),
  /** user ids whose erasure began on `day` (YYYY-MM-DD): what the bearer check reads instead of one user item per token */
  erasureRegister: (day: string): Key => ({ pk: 'ERASURES', sk: day }),
  /** which user an openid logs in as, once its first user (the id derived from it) was erased; erasure deletes it */
  login: (openid: string): Key => ({ pk: `LOGIN#${openid}`, sk: '#USER' }),
  campaignPartition: campaignPk,
  /** a spent refresh token (by its jti): each is accepted once; expires (TTL) with the token */
  refreshTokenUsed: (jti: string): Key => ({ pk: `REFRESH#${jti}`, sk: '#USED' }),
  /** a revoked refresh-token family (a spent token was replayed): its later tokens are refused too */
  refreshFamilyRevoked: (familyId: string): Key => ({ pk: `REFRESH#${familyId}`, sk: '#REVOKED' }),
  /** a helper (团长助手) of a campaign; no '#' prefix, so getCampaign's `begins_with(sk, '#')` never reads it */
  helper: (campaignId: string, userId: string): Key => ({ pk: campaignPk(campaignId), sk: `${SORT_HELPER_PREFIX}${userId}` }),
  helperPrefix: () => SORT_HELPER_PREFIX,
  /** a member blocked from a campaign (the list of blocks; the claim carries the block the join checks) */
  block: (campaignId: string, userId: string): Key => ({ pk: campaignPk(campaignId), sk: `${SORT_BLOCK_PREFIX}${userId}` }),
  blockPrefix: () => SORT_BLOCK_PREFIX,
  /** money of one entry: paid and refunded totals, its WeChat Pay orders and refunds (shared/money/ledger.ts) */
  payment: (campaignId: string, entryId: string): Key => ({ pk: campaignPk(campaignId), sk: `${SORT_PAYMENT_PREFIX}${entryId}` }),
  paymentPrefix: () => SORT_PAYMENT_PREFIX,
  /** one immutable money event of an entry; `ref` is unique per entry, so a repeated event is a no-op */
  ledger: (campaignId: string, entryId: string, ref: string): Key => ({
    pk: campaignPk(campaignId),
    sk: `${SORT_LEDGER_PREFIX}${entryId}#${ref}`,
  }),
  ledgerPrefix: () => SORT_LEDGER_PREFIX,
  /** a WeChat Pay order by its out_trade_no: where notifications and queries find their entry */
  payOrder: (outTradeNo: string): Key => ({ pk: `PAYORDER#${outTradeNo}`, sk: '#ORDER' }),
  /** a refund of an entry, by out_refund_no, in its campaign so the leader can list them */
  refund: (campaignId: string, outRefundNo: string): Key => ({ pk: campaignPk(campaignId), sk: `${SORT_REFUND_PREFIX}${outRefundNo}` }),
  refundPrefix: () => SORT_REFUND_PREFIX,
  /** a settled prepaid campaign whose settlement refunds are not all requested yet */
  refundPlan: (campaignId: string): Key => ({ pk: campaignPk(campaignId), sk: 'REFUNDPLAN' }),
  /** an after-sale (售后) request of an entry, in its campaign (few per campaign: listed with one query) */
  afterSale: (campaignId: string, requestId: string): Key => ({ pk: campaignPk(campaignId), sk: `${SORT_AFTER_SALE_PREFIX}${requestId}` }),
  afterSalePrefix: () => SORT_AFTER_SALE_PREFIX,
  /** a fixed-window rate-limit counter: `scope` (join, login) of one subject, per window start; expires by TTL */
  /** the user a referrer token names (shared/referrals): written on first use, read by a join that carries the token */
  referrer: (token: string): Key => ({ pk: `REF#${token}`, sk: '#USER' }),
  rateWindow: (scope: string, subject: string, windowStart: string): Key => ({ pk: `RATE#${scope}#${subject}`, sk: windowStart }),
  /** the deployment's one WeChat server-API access token (stable_token), shared by every instance; expires (TTL) with it */
  wechatToken: (): Key => ({ pk: 'WECHAT#TOKEN', sk: '#TOKEN' }),
  outbox: (campaignId: string, eventId: string): Key => ({ pk: campaignPk(campaignId), sk: `${SORT_OUTBOX_PREFIX}${eventId}` }),
  outboxPrefix: () => SORT_OUTBOX_PREFIX,
  message: (campaignId: string, eventId: string, userId: string): Key => ({
    pk: campaignPk(campaignId),
    sk: `${SORT_MESSAGE_PREFIX}${eventId}#${userId}`,
  }),
  messagePrefix: () => SORT_MESSAGE_PREFIX,
  arrival: (campaignId: string, pointId: string): Key => ({ pk: campaignPk(campaignId), sk: `ARRIVED#${pointId}` }),
  /** no '#' prefix: campaign reads never touch it (written with the campaign, then only by the sweep) */
  digest: (campaignId: string): Key => ({ pk: campaignPk(campaignId), sk: 'DIGEST' }),
  /** `scope` is a campaign id, or '*' for a grant any campaign's message may use */
  grant: (userId: string, templateId: string, scope: string): Key => ({
    pk: `USER#${userId}`,
    sk: `${SORT_GRANT_PREFIX}${templateId}#${scope}`,
  }),
  userPartition: (userId: string) => `USER#${userId}`,
  /** which photo a WeChat image check (trace_id) is of: the 消息推送 verdict carries only the trace id */
  mediaCheck: (traceId: string): Key => ({ pk: `MEDIACHECK#${traceId}`, sk: '#IMAGE' }),
  grantPrefix: () => SORT_GRANT_PREFIX,
  communityMeta: (communityId: string): Key => ({ pk: communityPk(communityId), sk: SORT.meta }),
  /** one person's standing in a community and their member book (README "Communities") */
  communityMember: (communityId: string, userId: string): Key => ({ pk: communityPk(communityId), sk: `${SORT.memberPrefix}${userId}` }),
  communityMemberPrefix: () => SORT.memberPrefix,
  /** a campaign published into a community, by when it was created (the community page's list) */
  communityCampaign: (communityId: string, createdAt: string, campaignId: string): Key => ({
    pk: communityPk(communityId),
    sk: `${SORT_COMMUNITY_CAMPAIGN_PREFIX}${createdAt}#${campaignId}`,
  }),
  communityCampaignPrefix: () => SORT_COMMUNITY_CAMPAIGN_PREFIX,
  communityPartition: (communityId: string) => communityPk(communityId),
  /** one staff action that changed entries or money (who, which operation, when), in its campaign; listed newest first */
  staffAction: (campaignId: string, at: string, requestId: string): Key => ({ pk: campaignPk(campaignId), sk: `AUDIT#${at}#${requestId}` }),
  staffActionPrefix: () => 'AUDIT#',
  /** a community's numbers: running totals (STATS#TOTAL) and one item per day (STATS#D#<YYYY-MM-DD>), read with one Query */
  communityStatsTotal: (communityId: string): Key => ({ pk: communityPk(communityId), sk: 'STATS#TOTAL' }),
  communityStatsDay: (communityId: string, day: string): Key => ({ pk: communityPk(communityId), sk: `STATS#D#${day}` }),
  /** the community's units and amounts by item name (STATS#ITEMS) and by pickup point name (STATS#POINTS): beside the totals, in the same Query */
  communityStatsItems: (communityId: string): Key => ({ pk: communityPk(communityId), sk: 'STATS#ITEMS' }),
  communityStatsPoints: (communityId: string): Key => ({ pk: communityPk(communityId), sk: 'STATS#POINTS' }),
  /** every STATS# item sorts between the first day's and the totals: `BETWEEN statsDaySk(from) AND STATS#TOTAL` reads all */
  communityStatsDaySk: (day: string) => `STATS#D#${day}`,
  /** a campaign's numbers: its counters, per item and per pickup point, share-page views per day (NUMBERS, no '#' prefix) */
  campaignNumbers: (campaignId: string): Key => ({ pk: campaignPk(campaignId), sk: 'NUMBERS' }),
  /** an entry folded into the member book and the numbers: what it counted, so later events (pickup, refund, no-show) count once */
  foldedEntry: (campaignId: string, entryId: string): Key => ({ pk: campaignPk(campaignId), sk: `FOLDED#${entryId}` }),
  foldedEntryPrefix: () => 'FOLDED#',
  /** a settled campaign of a community whose entries are still to fold (gsi2 FOLD until done) */
  foldDue: (campaignId: string): Key => ({ pk: campaignPk(campaignId), sk: 'FOLDDUE' }),
  /** a team invitation (link token): accepted once, expires by TTL */
  invitation: (token: string): Key => ({ pk: `INVITE#${token}`, sk: '#INVITE' }),
  // Points (shared/points): balances, rules and titles in the community's partition (PTS… sort keys,
  // no '#' prefix, so no community read touches them); events in a partition per member, so one
  // member's history is one Query and a settlement's events spread over as many partitions as members.
  /** one member's points totals in a community (earned, spent, reversed, balance) */
  pointsBalance: (communityId: string, userId: string): Key => ({ pk: communityPk(communityId), sk: `PTSBAL#${userId}` }),
  pointsBalancePrefix: () => 'PTSBAL#',
  /** one immutable points event of a member; `ref` is unique per member, so a repeated event is a no-op */
  pointsEvent: (communityId: string, userId: string, ref: string): Key => ({
    pk: `POINTS#${communityId}#${userId}`,
    sk: `EV#${ref}`,
  }),
  pointsEventPrefix: () => 'EV#',
  pointsPartition: (communityId: string, userId: string) => `POINTS#${communityId}#${userId}`,
  /** the leader's points rules of a community (earning, spending, titles) */
  pointsRules: (communityId: string): Key => ({ pk: communityPk(communityId), sk: 'PTSRULES' }),
  /** the community's titles: userId → title, the one read a public list makes for them */
  pointsTitles: (communityId: string): Key => ({ pk: communityPk(communityId), sk: 'PTSTITLES' }),
  /** an entry of the campaign holds reserved points: what settlement settles (one Query of the few, never the list) */
  pointsHoldMarker: (campaignId: string, entryId: string): Key => ({ pk: campaignPk(campaignId), sk: `PTSHOLD#${entryId}` }),
  pointsHoldMarkerPrefix: () => 'PTSHOLD#',
  // Feedback (shared/feedback): no '#' prefix in the campaign partition, so campaign reads never touch them.
  /** the review of one entry (at most one: its put is conditioned on not existing) */
  review: (campaignId: string, entryId: string): Key => ({ pk: campaignPk(campaignId), sk: `REVIEW#${entryId}` }),
  /** the campaign's review counters */
  reviewStats: (campaignId: string): Key => ({ pk: campaignPk(campaignId), sk: 'REVIEWSTATS' }),
  surveyMeta: (surveyId: string): Key => ({ pk: `SURVEY#${surveyId}`, sk: SORT.meta }),
  surveyResults: (surveyId: string): Key => ({ pk: `SURVEY#${surveyId}`, sk: 'RESULTS' }),
  /** one member's answers to a survey: its key is what makes "once per member" one conditional put */
  surveyResponse: (surveyId: string, userId: string): Key => ({ pk: `SURVEY#${surveyId}`, sk: `RESP#${userId}` }),
  /** a text answer, by when it was given (the leader reads them newest first), without who gave it */
  surveyText: (surveyId: string, at: string, token: string, question: number): Key => ({
    pk: `SURVEY#${surveyId}`,
    sk: `TEXT#${at}#${token}#${question}`,
  }),
  surveyPartition: (surveyId: string) => `SURVEY#${surveyId}`,
  surveyTextPrefix: () => 'TEXT#',
  /** a survey in its community's list, by when it was created */
  communitySurvey: (communityId: string, createdAt: string, surveyId: string): Key => ({
    pk: communityPk(communityId),
    sk: `SURVEY#${createdAt}#${surveyId}`,
  }),
  communitySurveyPrefix: () => 'SURVEY#',
};

/** Zero-padded so that string order is numeric order: the base table sorts lines by number. */
export const entrySortKey = (seq: number) => `${SORT.entryPrefix}${String(seq).padStart(10, '0')}`;

/** Largest number an entry id may name: ten digits, what `entrySortKey` pads to. */
const MAX_SEQ = 9_999_999_999;

/**
 * Entry ids: `e<seq>_<token>`. The number says where the line is stored; the token (the join's
 * random token, also on its claim and in the STATE ring) makes the id unguessable: a lookup reads
 * `ENTRY#<seq>` and answers only if the stored id is the whole id, so `e5_guess` is 404. Ids stay
 * opaque to clients; anything that does not parse names nothing (404, never 400).
 */
export const entryIds = {
  of: (seq: number, token: string) => `e${seq}_${token}`,
  /** the line repair shows for a number whose join died */
  void: (seq: number) => `e${seq}_void`,
  parse(id: string): { seq: number; token: string } | null {
    const match = /^e([1-9][0-9]{0,9})_([0-9a-z]{1,32})$/.exec(id);
    if (!match) return null;
    const seq = Number(match[1]);
    return seq <= MAX_SEQ ? { seq, token: match[2]! } : null;
  },
};

export const indexKeys = {
  /** gsi1: campaigns a user leads, newest first */
  campaignByLeader: (leaderId: string, createdAt: string, campaignId: string) => ({
    [GSI_BY_OWNER.partitionKey]: `LEADER#${leaderId}`,
    [GSI_BY_OWNER.sortKey]: `${createdAt}#${campaignId}`,
  }),
  leaderPartition: (leaderId: string) => `LEADER#${leaderId}`,
  /** gsi1: entries a user made across campaigns, newest first */
  entryByParticipant: (userId: string, createdAt: string, entryId: string) => ({
    [GSI_BY_OWNER.partitionKey]: `PARTICIPANT#${userId}`,
    [GSI_BY_OWNER.sortKey]: `${createdAt}#${entryId}`,
  }),
  participantPartition: (userId: string) => `PARTICIPANT#${userId}`,
  /** gsi1: communities a user belongs to (or follows, or waits for), by when they first joined */
  membershipByUser: (userId: string, joinedAt: string, communityId: string) => ({
    [GSI_BY_OWNER.partitionKey]: `MEMBERSHIP#${userId}`,
    [GSI_BY_OWNER.sortKey]: `${joinedAt}#${communityId}`,
  }),
  membershipPartition: (userId: string) => `MEMBERSHIP#${userId}`,
  /** gsi1: the reviews of a campaign, newest first (by when each was first written) */
  reviewByCampaign: (campaignId: string, createdAt: string, entryId: string) => ({
    [GSI_BY_OWNER.partitionKey]: `REVIEWS#${campaignId}`,
    [GSI_BY_OWNER.sortKey]: `${createdAt}#${entryId}`,
  }),
  reviewsPartition: (campaignId: string) => `REVIEWS#${campaignId}`,
  /** gsi1: the surveys a user answered (their export and erasure find the answers here) */
  responseByUser: (userId: string, answeredAt: string, surveyId: string) => ({
    [GSI_BY_OWNER.partitionKey]: `RESPONDENT#${userId}`,
    [GSI_BY_OWNER.sortKey]: `${answeredAt}#${surveyId}`,
  }),
  respondentPartition: (userId: string) => `RESPONDENT#${userId}`,
  /** gsi2: campaigns not yet settled, by deadline, for the sweep */
  openByClose: (closesAt: string, campaignId: string) => ({
    [GSI_DUE.partitionKey]: 'OPEN',
    [GSI_DUE.sortKey]: `${closesAt}#${campaignId}`,
  }),
  openPartition: 'OPEN',
  /** gsi2: prepaid entries waiting for their payment, by the end of their hold, for the sweep */
  holdUntil: (holdUntil: string, campaignId: string, entryId: string) => ({
    [GSI_DUE.partitionKey]: 'HOLD',
    [GSI_DUE.sortKey]: `${holdUntil}#${campaignId}#${entryId}`,
  }),
  holdPartition: 'HOLD',
  /** gsi2: refunds to (re)try, by when, for the sweep */
  refundDue: (at: string, campaignId: string, outRefundNo: string) => ({
    [GSI_DUE.partitionKey]: 'REFUND_DUE',
    [GSI_DUE.sortKey]: `${at}#${campaignId}#${outRefundNo}`,
  }),
  refundDuePartition: 'REFUND_DUE',
  /** gsi2: settled prepaid campaigns whose settlement refunds the sweep must (finish to) request */
  refundPlan: (settledAt: string, campaignId: string) => ({
    [GSI_DUE.partitionKey]: 'REFUND_PLAN',
    [GSI_DUE.sortKey]: `${settledAt}#${campaignId}#plan`,
  }),
  refundPlanPartition: 'REFUND_PLAN',
  /** gsi2: an approved after-sale whose refund is still to request: on the same timeline, so the campaign's refund-plan unit finishes it */
  afterSaleRefundDue: (at: string, campaignId: string, requestId: string) => ({
    [GSI_DUE.partitionKey]: 'REFUND_PLAN',
    [GSI_DUE.sortKey]: `${at}#${campaignId}#aftersale-${requestId}`,
  }),
  /** gsi2: a user erasure the sweep must finish (interrupted) or check once more (index lag), by when */
  erasureDue: (at: string, userId: string) => ({
    [GSI_DUE.partitionKey]: 'ERASURE',
    [GSI_DUE.sortKey]: `${at}#${userId}`,
  }),
  erasurePartition: 'ERASURE',
  /** gsi2: message events (subscribe messages) not yet delivered, by when to (re)try */
  outboxDue: (at: string, campaignId: string, eventId: string) => ({
    [GSI_DUE.partitionKey]: 'OUTBOX',
    [GSI_DUE.sortKey]: `${at}#${campaignId}#${eventId}`,
  }),
  outboxPartition: 'OUTBOX',
  /** gsi2: a campaign's next leader digest (new entries since the last one), by when it is due */
  digestDue: (at: string, campaignId: string) => ({
    [GSI_DUE.partitionKey]: 'DIGEST',
    [GSI_DUE.sortKey]: `${at}#${campaignId}`,
  }),
  digestPartition: 'DIGEST',
  /** gsi2: a settled community campaign whose entries the fold must (finish to) add to the member book and numbers */
  foldDue: (at: string, campaignId: string) => ({
    [GSI_DUE.partitionKey]: 'FOLD',
    [GSI_DUE.sortKey]: `${at}#${campaignId}`,
  }),
  foldPartition: 'FOLD',
};
