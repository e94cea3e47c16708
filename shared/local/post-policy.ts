import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * What S3 does with a browser-form upload (POST Object) and S3rver leaves out: verify the policy's
 * SigV4 signature, its expiration, and every condition (exact fields, prefixes, the file's size),
 * and refuse fields no condition covers. Pure: the gate in s3-local.ts feeds it the parsed form.
 * Answers are S3's: 403 AccessDenied "Invalid according to Policy…", 400 EntityTooLarge/Small.
 */
export type PolicyVerdict = { ok: true } | { ok: false; status: 400 | 403; code: string; message: string };

type Condition = Record<string, string> | [string, string, string] | ['content-length-range', number, number];

const deny = (message: string): PolicyVerdict => ({ ok: false, status: 403, code: 'AccessDenied', message });

/** Fields S3 never asks a condition for (AWS docs, "Creating a POST policy"). */
const EXEMPT = new Set(['policy', 'x-amz-signature', 'file']);

function signingKey(secret: string, date: string, region: string): Buffer {
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), 's3'), 'aws4_request');
}

export function checkPostPolicy(input: {
  bucket: string;
  /** form fields (not the file), names as sent */
  fields: Record<string, string>;
  fileBytes: number;
  secretAccessKey: string;
  now: Date;
}): PolicyVerdict {
  const fields = Object.fromEntries(Object.entries(input.fields).map(([k, v]) => [k.toLowerCase(), v]));
  const policyB64 = fields.policy;
  const signature = fields['x-amz-signature'];
  const credential = fields['x-amz-credential'];
  if (!policyB64 || !signature || !credential) return deny('Form is missing policy, signature or credential');
  const [, date, region] = credential.split('/');
  if (!date || !region) return deny('Bad X-Amz-Credential');
  const expected = createHmac('sha256', signingKey(input.secretAccessKey, date, region))
    .update(policyB64)
    .digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return deny('The request signature we calculated does not match the signature you provided.');
  }
  let policy: { expiration?: string; conditions?: Condition[] };
  try {
    policy = JSON.parse(Buffer.from(policyB64, 'base64').toString('utf8'));
  } catch {
    return { ok: false, status: 400, code: 'InvalidPolicyDocument', message: 'Invalid Policy: Invalid JSON.' };
  }
  if (!policy.expiration || Date.parse(policy.expiration) <= input.now.getTime())
    return deny('Invalid according to Policy: Policy expired.');
  const covered = new Set<string>(['bucket']);
  const values: Record<string, string> = { ...fields, bucket: input.bucket };
  for (const condition of policy.conditions ?? []) {
    if (Array.isArray(condition)) {
      const [op, a, b] = condition;
      if (op === 'content-length-range') {
        const [min, max] = [Number(a), Number(b)];
        if (input.fileBytes > max)
          return { ok: false, status: 400, code: 'EntityTooLarge', message: 'Your proposed upload exceeds the maximum allowed size' };
        if (input.fileBytes < min)
          return {
            ok: false,
            status: 400,
            code: 'EntityTooSmall',
            message: 'Your proposed upload is smaller than the minimum allowed size',
          };
        continue;
      }
      const name = String(a).replace(/^\$/, '').toLowerCase();
      covered.add(name);
      const value = values[name] ?? '';
      const pass = op === 'eq' ? value === b : op === 'starts-with' ? value.startsWith(String(b)) : false;
      if (!pass) return deny(`Invalid according to Policy: Policy Condition failed: ["${op}", "$${name}", "${b}"]`);
    } else {
      for (const [key, want] of Object.entries(condition)) {
        const name = key.toLowerCase();
        covered.add(name);
        if ((values[name] ?? '') !== want)
          return deny(`Invalid according to Policy: Policy Condition failed: ["eq", "$${name}", "${want}"]`);
      }
    }
  }
  const extra = Object.keys(fields).find((name) => !EXEMPT.has(name) && !covered.has(name) && !name.startsWith('x-ignore-'));
  if (extra) return deny(`Invalid according to Policy: Extra input fields: ${extra}`);
  return { ok: true };
}
