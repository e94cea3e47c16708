import { type TokenSettings, type TokenTimes, type TokenUser, verifyAccessToken, withinTokenTimes } from './tokens.js';

/**
 * Access tokens this process has already verified, by their exact text, so that a client's next
 * request with the same token skips decoding and the signature check.
 *
 * The verdict cached is the one `verifyToken` gave, and it stays true for the token's lifetime:
 *   - the keyring is fixed per process (read once per cold start, see functions/bootstrap.ts), and
 *     the cache belongs to one `TokenSettings` (one app), so a token verified with a key stays
 *     verified with it; a new keyring means a new app and an empty cache;
 *   - time claims are re-checked on every hit, on the clock `verify` uses (Date.now()): a token
 *     expires from the cache at the very second it would fail verification;
 *   - the signature's verdict never changes; whether the token's user was erased since is a separate
 *     check after this one (functions/middleware/auth.ts, shared/people UserStandingCache);
 *   - rejections are not cached: a bad token is verified (and refused) every time.
 * Bounded: least recently used tokens are dropped beyond `maxEntries`.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { user: TokenUser; times: TokenTimes }>();

  constructor(
    private readonly settings: TokenSettings,
    private readonly maxEntries = 5_000,
    private readonly nowMs: () => number = () => Date.now(),
  ) {}

  async verify(token: string): Promise<TokenUser> {
    const hit = this.entries.get(token);
    if (hit) {
      this.entries.delete(token);
      if (withinTokenTimes(hit.times, this.nowMs())) {
        this.entries.set(token, hit); // most recently used last
        return { ...hit.user }; // a copy: a request cannot change what the next one sees
      }
      // Out of its time window: dropped, and verified in full below, which refuses it as before.
    }
    const verified = await verifyAccessToken(this.settings, token);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(token, verified);
    return { ...verified.user };
  }

  get size(): number {
    return this.entries.size;
  }
}
