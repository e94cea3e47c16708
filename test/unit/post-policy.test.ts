import { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { describe, expect, it } from 'vitest';
import { checkPostPolicy } from '../../shared/local/post-policy.js';

/** The local S3 server's policy check against forms the AWS SDK itself signs (so both agree on SigV4). */
const SECRET = 'S3RVER';
const client = new S3Client({
  region: 'local',
  endpoint: 'http://127.0.0.1:9',
  forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: SECRET },
});

async function form() {
  return createPresignedPost(client, {
    Bucket: 'images',
    Key: 'uploads/c1/u1/list',
    Fields: { 'Content-Type': 'image/png' },
    Conditions: [['content-length-range', 1, 1000], { 'Content-Type': 'image/png' }],
    Expires: 600,
  });
}
const check = (fields: Record<string, string>, fileBytes = 500, now = new Date()) =>
  checkPostPolicy({ bucket: 'images', fields, fileBytes, secretAccessKey: SECRET, now });

describe('checkPostPolicy', () => {
  it('accepts the SDK’s form as signed, with the file in range', async () => {
    const { fields } = await form();
    expect(check(fields)).toEqual({ ok: true });
    expect(check(fields, 1)).toEqual({ ok: true });
    expect(check(fields, 1000)).toEqual({ ok: true });
  });

  it('answers S3’s codes: too large or empty (400), another type, key or bucket, an extra field, expired (403)', async () => {
    const { fields } = await form();
    expect(check(fields, 1001)).toMatchObject({ ok: false, status: 400, code: 'EntityTooLarge' });
    expect(check(fields, 0)).toMatchObject({ ok: false, status: 400, code: 'EntityTooSmall' });
    expect(check({ ...fields, 'Content-Type': 'text/html' })).toMatchObject({ ok: false, status: 403, code: 'AccessDenied' });
    expect(check({ ...fields, key: 'images/c1/u1/list' })).toMatchObject({ status: 403 });
    expect(checkPostPolicy({ bucket: 'other', fields, fileBytes: 5, secretAccessKey: SECRET, now: new Date() })).toMatchObject({
      status: 403,
    });
    expect(check({ ...fields, 'x-amz-meta-evil': '1' })).toMatchObject({
      status: 403,
      message: expect.stringContaining('Extra input fields'),
    });
    expect(check({ ...fields, 'x-ignore-anything': '1' })).toEqual({ ok: true });
    expect(check(fields, 500, new Date(Date.now() + 601_000))).toMatchObject({ status: 403, message: expect.stringContaining('expired') });
  });

  it('refuses a policy rewritten or signed with another secret, and a form without signature', async () => {
    const { fields } = await form();
    const policy = JSON.parse(Buffer.from(fields.Policy!, 'base64').toString('utf8'));
    policy.conditions = policy.conditions.filter((c: unknown) => !Array.isArray(c) || c[0] !== 'content-length-range');
    const rewritten = { ...fields, Policy: Buffer.from(JSON.stringify(policy)).toString('base64') };
    expect(check(rewritten, 10_000_000)).toMatchObject({ status: 403, message: expect.stringContaining('signature') });
    expect(checkPostPolicy({ bucket: 'images', fields, fileBytes: 5, secretAccessKey: 'other', now: new Date() })).toMatchObject({
      status: 403,
    });
    const { 'X-Amz-Signature': _gone, ...unsigned } = fields;
    expect(check(unsigned)).toMatchObject({ status: 403 });
  });
});
