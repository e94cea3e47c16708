import { z } from 'zod';
import { ConfigError } from '../config.js';
import { deriveKid, type SigningKey } from './tokens.js';

/**
 * The token-signing keyring from its configured text: the current key signs, previous keys only
 * verify, so tokens signed before a rotation keep working until they expire.
 *
 * Accepted forms (AUTH_SECRET or the Secrets Manager value behind AUTH_SECRET_ARN):
 *   - a plain string (≥ 16 characters): the current secret; its kid is derived from it
 *   - JSON `{"current": {"kid": "2026-01", "secret": "…"}, "previous": [{"kid": "…", "secret": "…"}]}`;
 *     a key may be a bare string or omit `kid`, which is then derived (so the plain secret used
 *     before can be listed under `previous` as it is)
 * AUTH_PREVIOUS_SECRETS adds comma-separated previous secrets (kids derived).
 */
export interface Keyring {
  current: SigningKey;
  previous: SigningKey[];
}

const MIN_SECRET = 16;
const Secret = z.string().min(MIN_SECRET, `a secret must be at least ${MIN_SECRET} characters`);
const Kid = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'kid must be 1-64 characters of A-Z a-z 0-9 . _ -');
const KeyEntry = z.union([Secret, z.object({ kid: Kid.optional(), secret: Secret }).strict()]);
const KeyringJson = z.object({ current: KeyEntry, previous: z.array(KeyEntry).max(10).default([]) }).strict();

const toKey = (entry: z.infer<typeof KeyEntry>): SigningKey =>
  typeof entry === 'string'
    ? { kid: deriveKid(entry), secret: entry }
    : { kid: entry.kid ?? deriveKid(entry.secret), secret: entry.secret };

/** `source` names the setting in error messages; the secret itself never appears in them. */
export function parseKeyring(value: string, source = 'AUTH_SECRET', previousCsv?: string): Keyring {
  let keyring: Keyring;
  const trimmed = value.trim();
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      throw new ConfigError(`Invalid configuration: ${source} looks like JSON but does not parse`);
    }
    const parsed = KeyringJson.safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${[source, ...i.path.map(String)].join('.')}: ${i.message}`).join('; ');
      throw new ConfigError(`Invalid configuration: ${problems}`);
    }
    keyring = { current: toKey(parsed.data.current), previous: parsed.data.previous.map(toKey) };
  } else {
    if (value.length < MIN_SECRET) throw new ConfigError(`Invalid configuration: ${source} must be at least ${MIN_SECRET} characters`);
    keyring = { current: toKey(value), previous: [] };
  }
  for (const secret of (previousCsv ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (secret.length < MIN_SECRET)
      throw new ConfigError(`Invalid configuration: AUTH_PREVIOUS_SECRETS: each secret must be at least ${MIN_SECRET} characters`);
    keyring.previous.push(toKey(secret));
  }
  // The same secret listed twice is harmless; one kid naming two secrets is not.
  const seen = new Map<string, string>([[keyring.current.kid, keyring.current.secret]]);
  keyring.previous = keyring.previous.filter((key) => {
    const known = seen.get(key.kid);
    if (known === undefined) {
      seen.set(key.kid, key.secret);
      return true;
    }
    if (known === key.secret) return false;
    throw new ConfigError(`Invalid configuration: ${source}: kid "${key.kid}" names two different secrets`);
  });
  return keyring;
}
