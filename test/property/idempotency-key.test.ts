import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, T0 } from '../helpers/harness.js';
import {
  type Account,
  accounts,
  bodyHash,
  type CampaignCfg,
  campaignRequest,
  describeResult,
  errorCode,
  type JoinBody,
} from './support.js';

/**
 * The contract's Idempotency-Key rule, taken literally: "the same key from the same user with the
 * same body returns the first response and creates nothing new; with a different body it is 422".
 * The key is scoped to the user and the campaign and the contract gives it no expiry, so the
 * model remembers every key a user's accepted join carried, for the life of the campaign.
 *
 * Only joins and cancels, one unlimited item, no limits: nothing else can reject a join.
 *
 * Before 7c2999a (which keeps every key on the claim) this failed: the key lived only in the
 * member's one claim record, overwritten by the next accepted join after a cancel:
 *  - join(k1, A) → 201 e1; cancel e1; join(k2, A) → 201 e2; join(k1, A) → 409 ALREADY_JOINED
 *    (the contract: 201, e1, Idempotent-Replayed);
 *  - join(k2, A) → 201 e1; cancel; join(k1, A) → 201 e2; cancel; join(k2, A) → 201 e3, a NEW
 *    entry with a fresh number for a key that already made e1 ("creates nothing new").
 */

interface Model {
  /** user → key → the first accepted join that carried it */
  keys: Map<number, Map<string, { hash: string; entryId: string }>>;
  entries: Array<{ id: string; user: number; status: 'active' | 'cancelled' }>;
  /** the campaign's maxEntriesPerUser: active entries a user may hold (household entries above 1) */
  max: number;
}
interface Real {
  h: Harness;
  campaignId: string;
  users: Account[];
}
type Cmd = fc.AsyncCommand<Model, Real>;

const BODIES: JoinBody[] = [{ items: [{ itemId: 'i1', qty: 1 }] }, { items: [{ itemId: 'i1', qty: 2 }], note: '晚上取' }];

class Join implements Cmd {
  constructor(
    readonly user: number,
    readonly body: number,
    readonly key: string | undefined,
  ) {}
  check() {
    return true;
  }
  toString() {
    return `join(u${this.user}, body${this.body}, key=${this.key ?? '-'})`;
  }
  async run(m: Model, r: Real) {
    const body = BODIES[this.body]!;
    const res = await r.h.call('POST', `/campaigns/${r.campaignId}/entries`, {
      token: r.users[this.user]!.token,
      body,
      headers: this.key !== undefined ? { 'idempotency-key': this.key } : {},
    });
    const remembered = this.key !== undefined ? m.keys.get(this.user)?.get(this.key) : undefined;
    if (remembered && remembered.hash === bodyHash(body)) {
      expect(res.status, `a retry with the same key and body returns the first response: ${describeResult(res)}`).toBe(201);
      expect(res.body.id, "the first join's entry, nothing new").toBe(remembered.entryId);
      expect(res.headers.get('idempotent-replayed')).toBe('true');
      return;
    }
    if (remembered) {
      expect(errorCode(res), describeResult(res)).toBe('IDEMPOTENCY_KEY_REUSED');
      return;
    }
    const active = m.entries.filter((e) => e.user === this.user && e.status === 'active');
    if (active.length >= m.max) {
      expect(errorCode(res), describeResult(res)).toBe('ALREADY_JOINED');
      expect(active.map((e) => e.id)).toContain(res.body.error.details.entryId);
      return;
    }
    expect(res.status, describeResult(res)).toBe(201);
    expect(res.headers.get('idempotent-replayed')).not.toBe('true');
    m.entries.push({ id: res.body.id, user: this.user, status: 'active' });
    if (this.key !== undefined) {
      if (!m.keys.has(this.user)) m.keys.set(this.user, new Map());
      m.keys.get(this.user)!.set(this.key, { hash: bodyHash(body), entryId: res.body.id });
    }
  }
}

class Cancel implements Cmd {
  constructor(
    readonly user: number,
    /** which of the user's active entries (household campaigns hold several) */
    readonly pick: number,
  ) {}
  check(m: Readonly<Model>) {
    return m.entries.some((e) => e.user === this.user && e.status === 'active');
  }
  toString() {
    return `cancel(u${this.user}, #${this.pick})`;
  }
  async run(m: Model, r: Real) {
    const active = m.entries.filter((e) => e.user === this.user && e.status === 'active');
    const entry = active[this.pick % active.length]!;
    const res = await r.h.call('DELETE', `/campaigns/${r.campaignId}/entries/${entry.id}`, { token: r.users[this.user]!.token });
    expect(res.status, describeResult(res)).toBe(200);
    entry.status = 'cancelled';
  }
}

const CFG: CampaignCfg = {
  users: 2,
  tierBasis: 'quantity',
  minParticipants: 1,
  items: [{ unitPrice: 500, stock: null, perPersonLimit: null, tiers: [] }],
};

let h: Harness;
let leader: Account;
let members: Account[];

beforeAll(async () => {
  h = await harness();
  [leader] = (await accounts(h, 'idem-leader', 1)) as [Account];
  members = await accounts(h, 'idem-member', 2);
});

describe('property: Idempotency-Key, as the contract states it', () => {
  it('a key used by an accepted join is answered with that join for the rest of the campaign', async () => {
    const user = fc.integer({ min: 0, max: 1 });
    const commands = fc.commands<Model, Real, false>(
      [
        fc
          .tuple(user, fc.integer({ min: 0, max: 1 }), fc.constantFrom<string | undefined>('k1', 'k2', 'k3', undefined))
          .map(([u, b, k]) => new Join(u, b, k)),
        fc.tuple(user, fc.nat(2)).map(([u, pick]) => new Cancel(u, pick)),
      ],
      { maxCommands: 20 },
    );
    // Mostly the classic one entry per user; sometimes a household campaign, where keys must still never take a second slot.
    const max = fc.constantFrom(1, 1, 2, 3);
    await fc.assert(
      fc.asyncProperty(commands, max, async (cmds, max) => {
        h.clock.set(T0);
        const c = await h.createCampaign(leader.token, { ...campaignRequest(CFG), maxEntriesPerUser: max });
        await fc.asyncModelRun(
          () => ({ model: { keys: new Map(), entries: [], max }, real: { h, campaignId: c.id, users: members } }),
          cmds,
        );
      }),
      { numRuns: 40, interruptAfterTimeLimit: 60_000, markInterruptAsFailure: false },
    );
  }, 90_000);
});
