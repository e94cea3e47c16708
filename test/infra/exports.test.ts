import { Capture, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CODES_EXPIRE_DAYS, CODES_PREFIX, EXPORT_OBJECT_ACTIONS, EXPORTS_PREFIX } from '../../infra/constructs/exports-bucket.js';
import { CODES_PREFIX as APP_CODES_PREFIX } from '../../shared/share-codes/index.js';
import { resourcesOfType, type Synthesized, synthStack } from './helpers.js';

let prod: Synthesized;
let dev: Synthesized;

beforeAll(() => {
  prod = synthStack('prod');
  dev = synthStack('dev');
}, 120_000);

type Statement = { Action: string | string[]; Effect: string; Resource: unknown; Condition?: unknown };
const actionsOf = (statement: Statement) => [statement.Action].flat();

/** The function's S3 statements that name the exports bucket (the photo bucket has its own, test/infra/images.test.ts). */
function s3Statements(s: Synthesized, fn: 'apiFunction' | 'sweepFunction'): Statement[] {
  const role = JSON.stringify(s.resolve(s.stack[fn].function.role!.roleName));
  const exportsBucketId = JSON.stringify(s.resolve(s.stack.exports.bucket.bucketArn));
  return resourcesOfType(s.template, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties!.Roles as unknown[]).some((r) => JSON.stringify(r) === role))
    .flatMap(([, p]) => p.Properties!.PolicyDocument.Statement as Statement[])
    .filter((st) => actionsOf(st).some((a) => a.startsWith('s3:')) && JSON.stringify(st.Resource).includes(exportsBucketId));
}

describe('exports bucket', () => {
  it('S3-managed encryption, all public access blocked, no ACLs (as for the only other bucket, photos)', () => {
    prod.template.resourceCountIs('AWS::S3::Bucket', 2);
    prod.template.allResourcesProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      VersioningConfiguration: Match.absent(),
    });
  });

  it('refuses plain-HTTP requests (enforceSSL)', () => {
    prod.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: prod.resolve(prod.stack.exports.bucket.bucketName),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('expires exports/ after a day and aborts unfinished multipart uploads; codes/ after 90 days', () => {
    prod.template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [
          {
            Id: 'expire-exports',
            Prefix: EXPORTS_PREFIX,
            Status: 'Enabled',
            ExpirationInDays: 1,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          },
          { Id: 'expire-codes', Prefix: CODES_PREFIX, Status: 'Enabled', ExpirationInDays: CODES_EXPIRE_DAYS },
        ],
      },
    });
    // The prefix the app writes codes under is the one the rule and the grant name.
    expect(APP_CODES_PREFIX).toBe(CODES_PREFIX);
  });

  it('prod: retained on delete and replace; dev: deleted with the stack (like the table)', () => {
    prod.template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    dev.template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  it('the API function gets the bucket name; the sweep and the worker do not', () => {
    const api = new Capture();
    prod.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('Group-buy API'),
      Environment: { Variables: api },
    });
    expect(api.asObject().EXPORTS_BUCKET).toEqual(prod.resolve(prod.stack.exports.bucket.bucketName));
    expect(api.asObject()).not.toHaveProperty('S3_ENDPOINT');
    for (const description of ['Finds due deadline work', 'Deadline work:']) {
      const env = new Capture();
      prod.template.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp(description),
        Environment: { Variables: env },
      });
      expect(env.asObject()).not.toHaveProperty('EXPORTS_BUCKET');
    }
  });

  it('the API function may put, get and abort objects under exports/ only; the sweep has no access to the bucket', () => {
    const statements = s3Statements(prod, 'apiFunction');
    expect(statements).toHaveLength(1);
    expect(statements[0]!.Effect).toBe('Allow');
    expect([...actionsOf(statements[0]!)].sort()).toEqual([...EXPORT_OBJECT_ACTIONS].sort());
    expect(statements[0]!.Resource).toEqual({
      'Fn::Join': ['', [prod.resolve(prod.stack.exports.bucket.bucketArn), `/${EXPORTS_PREFIX}*`]],
    });
    expect(s3Statements(prod, 'sweepFunction')).toEqual([]);
  });
});

describe('小程序码 in the bucket', () => {
  it('with WeChat, the API may also get and put codes/* and list the bucket (a missing code is then 404, not 403); never delete', () => {
    const withWechat = synthStack('prod', { wechatAppId: 'wx1234567890abcdef' });
    const statements = s3Statements(withWechat, 'apiFunction');
    const bucketArn = withWechat.resolve(withWechat.stack.exports.bucket.bucketArn);
    const codes = statements.find((st) => JSON.stringify(st.Resource).includes(`/${CODES_PREFIX}*`));
    expect([...actionsOf(codes!)].sort()).toEqual(['s3:GetObject', 's3:PutObject']);
    // IAM merges it with the photo bucket's s3:ListBucket into one statement: both bucket ARNs, nothing else.
    const list = statements.find((st) => actionsOf(st).includes('s3:ListBucket'));
    expect([list!.Resource].flat()).toContainEqual(bucketArn);
    expect(actionsOf(list!)).toEqual(['s3:ListBucket']);
    expect(statements.flatMap(actionsOf).some((a) => a.includes('Delete'))).toBe(false);
    expect(s3Statements(withWechat, 'sweepFunction')).toEqual([]);
  });
});
