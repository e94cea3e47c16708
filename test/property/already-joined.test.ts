import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, T0 } from '../helpers/harness.js';
import { expectInvariants } from '../helpers/invariants.js';
import { type Account, accounts, campaignRequest, describeResult, errorCode } from './support.js';

/**
 * Contract: 409 ALREADY_JOINED means "the user already has an active entry (in a household
 * campaign: maxEntriesPerUser of them); details.entryId is one". A member double-taps "join" (two or more identical requests at once, no Idempotency-Key)
 * just when the join is rejected — the last units go to someone else at the same moment, or the
 * leader has just closed the campaign. Whatever the interleaving, every ALREADY_JOINED answer
 * must name an entry of that member that exists.
 *
 * Failed before the fix in shared/entries/entries.ts (awaitJoin). Counterexamples were: {stock: 1, others: 1, taps: 2} (the other member takes the
 * last unit; the taps get SOLD_OUT and ALREADY_JOINED), and, every time, {closedFirst: true,
 * taps: 2} (the taps get CAMPAIGN_NOT_OPEN and ALREADY_JOINED). Cause (shared/entries/entries.ts): tap
 * 1 puts its MEMBER claim (state held) and only then learns at the reserve step that it is
 * rejected, and undoes the claim; tap 2's claim put meets the held claim in between and answers
 * ALREADY_JOINED with tap 1's entryId at once (answerFromExistingClaim waits for the entry only
 * for the same Idempotency-Key). That entry never exists: GET/PATCH/DELETE of it is 404 and the
 * member holds no entry at all. The closed case needs only the join path's cached campaign (5 s)
 * still saying open after the leader closed. A fix: without a key, wait for the held claim's
 * entry like the same-key path does, and answer ALREADY_JOINED only once it exists (else
 * CONFLICT, or retry the claim).
 */

let h: Harness;
let leader: Account;
let members: Account[];

beforeAll(async () => {
  h = await harness();
  [leader] = (await accounts(h, 'dangling-leader', 1)) as [Account];
  members = await accounts(h, 'dangling-member', 6);
});

describe('property: ALREADY_JOINED names the active entry', () => {
  it('a double tap that loses the race never hears ALREADY_JOINED for an entry that does not exist', async () => {
    const scenario = fc.record({
      stock: fc.integer({ min: 1, max: 3 }),
      /** other members joining for one unit each at the same moment */
      others: fc.integer({ min: 0, max: 5 }),
      taps: fc.integer({ min: 2, max: 4 }),
      /** the leader closes just before the taps (the join path's cached view still says open) */
      closedFirst: fc.boolean(),
      /** household entries: the member may hold this many at once, so some taps are accepted */
      maxEntriesPerUser: fc.constantFrom(1, 1, 2, 3),
    });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ stock, others, taps, closedFirst, maxEntriesPerUser }) => {
        h.clock.set(T0);
        const c = await h.createCampaign(leader.token, {
          ...campaignRequest({
            users: 6,
            tierBasis: 'quantity',
            minParticipants: 1,
            items: [{ unitPrice: 990, stock, perPersonLimit: null, tiers: [] }],
          }),
          maxEntriesPerUser,
        });
        const path = `/campaigns/${c.id}/entries`;
        const [tapper, ...rest] = members as [Account, ...Account[]];
        if (closedFirst) {
          // warm the join path with a first join, then close
          expect((await h.call('POST', path, { token: rest[4]!.token, body: { items: [{ itemId: 'i1', qty: 1 }] } })).status).toBe(201);
          expect((await h.call('POST', `/campaigns/${c.id}/close`, { token: leader.token })).status).toBe(200);
        }
        const body = { items: [{ itemId: 'i1', qty: 1 }] };
        const results = await Promise.all([
          ...rest.slice(0, others).map((m) => h.call('POST', path, { token: m.token, body })),
          ...Array.from({ length: taps }, () => h.call('POST', path, { token: tapper.token, body })),
        ]);
        const { entries, active } = await expectInvariants(h, c.id, leader.token);
        const held = active.filter((e) => e.userId === tapper.userId);
        for (const r of results.slice(others)) {
          if (errorCode(r) !== 'ALREADY_JOINED') continue;
          const named = entries.find((e) => e.id === r.body.error.details.entryId);
          const answers = results
            .slice(others)
            .map((x) => errorCode(x))
            .join(', ');
          expect(named?.userId, `ALREADY_JOINED (${describeResult(r)}) names an entry of the member; the taps got: ${answers}`).toBe(
            tapper.userId,
          );
          expect(named?.status).toBe('active');
          // …and only once every slot holds one: with no cancels in between, they all still do.
          expect(held, `ALREADY_JOINED with ${held.length} of ${maxEntriesPerUser} entries`).toHaveLength(maxEntriesPerUser);
        }
        expect(results.slice(others).filter((r) => r.status === 201)).toHaveLength(held.length);
      }),
      { numRuns: 30, interruptAfterTimeLimit: 60_000, markInterruptAsFailure: false },
    );
  }, 90_000);
});
