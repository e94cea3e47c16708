import { Capture, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { pushFromConfig } from '../../functions/images-bootstrap.js';
import {
  EVIDENCE_EXPIRE_DAYS,
  EVIDENCE_OBJECT_ACTIONS,
  IMAGE_OBJECT_ACTIONS,
  UPLOADS_EXPIRE_DAYS,
} from '../../infra/constructs/images-bucket.js';
import { parseConfig } from '../../shared/config.js';
import { EVIDENCE_PREFIX, evidenceKey, IMAGES_PREFIX, imageKey, UPLOADS_PREFIX, uploadKey } from '../../shared/domain/images.js';
import { resourcesOfType, type Synthesized, synthStack } from './helpers.js';

let prod: Synthesized;
let dev: Synthesized;
let withWechat: Synthesized;

beforeAll(() => {
  prod = synthStack('prod');
  dev = synthStack('dev');
  withWechat = synthStack('prod', { wechatAppId: 'wx1234567890abcdef' });
}, 120_000);

type Statement = {
  Action: string | string[];
  Effect: string;
  Resource: unknown;
  Principal?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
};
const actionsOf = (statement: Statement) => [statement.Action].flat();

/** The logical id of the photo bucket, as `Fn::GetAtt` and `Ref` name it. */
const bucketId = (s: Synthesized) => (s.resolve(s.stack.images.bucket.bucketArn) as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

function statementsOf(s: Synthesized, fn: 'apiFunction' | 'sweepFunction' | 'workerFunction'): Statement[] {
  const role = JSON.stringify(s.resolve(s.stack[fn].function.role!.roleName));
  return resourcesOfType(s.template, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties!.Roles as unknown[]).some((r) => JSON.stringify(r) === role))
    .flatMap(([, p]) => p.Properties!.PolicyDocument.Statement as Statement[]);
}

/** A function's statements naming the photo bucket. */
const photoStatements = (s: Synthesized, fn: 'apiFunction' | 'sweepFunction' | 'workerFunction') =>
  statementsOf(s, fn).filter((st) => JSON.stringify(st.Resource).includes(bucketId(s)));

function apiEnvironment(s: Synthesized): Record<string, unknown> {
  const env = new Capture();
  s.template.hasResourceProperties('AWS::Lambda::Function', {
    Description: Match.stringLikeRegexp('Group-buy API'),
    Environment: { Variables: env },
  });
  return env.asObject();
}

describe('photo bucket', () => {
  it('S3-managed encryption, all public access blocked, no ACLs, no versions', () => {
    prod.template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        VersioningConfiguration: Match.absent(),
        // wx.uploadFile is no browser: no CORS rules to keep
        CorsConfiguration: Match.absent(),
      },
    });
    expect(Object.keys(prod.template.findResources('AWS::S3::Bucket'))).toContain(bucketId(prod));
  });

  it('unattached uploads expire after a day (and unfinished multipart uploads are aborted), after-sale evidence after a year; attached images never', () => {
    const bucket = prod.template.toJSON().Resources[bucketId(prod)];
    expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual([
      {
        Id: 'expire-uploads',
        Prefix: UPLOADS_PREFIX,
        Status: 'Enabled',
        ExpirationInDays: UPLOADS_EXPIRE_DAYS,
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      },
      { Id: 'expire-evidence', Prefix: EVIDENCE_PREFIX, Status: 'Enabled', ExpirationInDays: EVIDENCE_EXPIRE_DAYS },
    ]);
    expect(evidenceKey('c1', 'u1', 'list').startsWith(EVIDENCE_PREFIX)).toBe(true);
    // The prefixes the app writes under are the ones the rule and the grants name.
    expect(uploadKey('c1', 'u1', 'list').startsWith(UPLOADS_PREFIX)).toBe(true);
    expect(imageKey('c1', 'i1', 'detail').startsWith(IMAGES_PREFIX)).toBe(true);
  });

  it('prod: retained on delete and replace; dev: deleted with the stack (like the table)', () => {
    expect(prod.template.toJSON().Resources[bucketId(prod)]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(dev.template.toJSON().Resources[bucketId(dev)]).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  it('the bucket policy refuses plain HTTP, lets only this distribution (OAC) get objects, and never from uploads/', () => {
    const statements = new Capture();
    prod.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: prod.resolve(prod.stack.images.bucket.bucketName),
      PolicyDocument: { Statement: statements },
    });
    const all = statements.asArray() as Statement[];
    expect(all).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    const cdn = all.filter((st) => JSON.stringify(st.Principal) === JSON.stringify({ Service: 'cloudfront.amazonaws.com' }));
    const allow = cdn.find((st) => st.Effect === 'Allow')!;
    expect(actionsOf(allow)).toEqual(['s3:GetObject']);
    expect(JSON.stringify(allow.Condition)).toContain(JSON.stringify(prod.resolve(prod.stack.images.distribution.distributionId)));
    const deny = cdn.find((st) => st.Effect === 'Deny')!;
    expect(actionsOf(deny)).toEqual(['s3:GetObject']);
    expect(deny.NotResource).toEqual({ 'Fn::Join': ['', [prod.resolve(prod.stack.images.bucket.bucketArn), `/${IMAGES_PREFIX}*`]] });
  });
});

describe('photo CDN', () => {
  let config: Record<string, any>;
  beforeAll(() => {
    const dists = Object.values(prod.template.findResources('AWS::CloudFront::Distribution'));
    expect(dists).toHaveLength(1);
    config = dists[0]!.Properties.DistributionConfig;
  });

  it('reaches the bucket through Origin Access Control under /images (the base URL maps onto images/)', () => {
    expect(config.Origins).toHaveLength(1);
    const [origin] = config.Origins;
    expect(origin.DomainName).toEqual(prod.resolve(prod.stack.images.bucket.bucketRegionalDomainName));
    expect(origin.OriginPath).toBe(`/${IMAGES_PREFIX.slice(0, -1)}`);
    expect(origin.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/OriginAccessControl/), 'Id'] });
    expect(origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    prod.template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
  });

  it('HTTPS (redirect), GET and HEAD only, HTTP/2 and 3, every edge, the managed CachingOptimized policy (honours Cache-Control)', () => {
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD'],
      // Managed-CachingOptimized
      CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
    });
    expect(config.HttpVersion).toBe('http2and3');
    expect(config.PriceClass).toBe('PriceClass_All');
    expect(config.WebACLId).toBeUndefined();
  });

  it('answers with X-Content-Type-Options: nosniff', () => {
    const policyRef = config.DefaultCacheBehavior.ResponseHeadersPolicyId as { Ref: string };
    const policy = prod.template.toJSON().Resources[policyRef.Ref];
    expect(policy.Type).toBe('AWS::CloudFront::ResponseHeadersPolicy');
    expect(policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig).toEqual({ ContentTypeOptions: { Override: true } });
    expect(policy.Properties.ResponseHeadersPolicyConfig.CorsConfig).toBeUndefined();
  });
});

describe('the API and the photo bucket', () => {
  it('the API function gets the bucket name and the CDN base URL; the sweep and the worker neither', () => {
    const env = apiEnvironment(prod);
    expect(env.IMAGES_BUCKET).toEqual(prod.resolve(prod.stack.images.bucket.bucketName));
    expect(env.IMAGES_BASE_URL).toEqual({
      'Fn::Join': ['', ['https://', prod.resolve(prod.stack.images.distribution.distributionDomainName)]],
    });
    for (const description of ['Finds due deadline work', 'Deadline work:']) {
      const other = new Capture();
      prod.template.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp(description),
        Environment: { Variables: other },
      });
      expect(Object.keys(other.asObject()).filter((k) => k.startsWith('IMAGES_') || k.startsWith('WECHAT_PUSH'))).toEqual([]);
    }
  });

  it('the API may put, get and delete objects under uploads/ and images/, put and get evidence/, and list the bucket, nothing else; the sweep and the worker nothing', () => {
    const statements = photoStatements(prod, 'apiFunction');
    expect(statements).toHaveLength(3);
    expect(statements.every((st) => st.Effect === 'Allow')).toBe(true);
    const bucketArn = prod.resolve(prod.stack.images.bucket.bucketArn);
    const objects = statements.find((st) => actionsOf(st).includes('s3:DeleteObject'))!;
    expect([...actionsOf(objects)].sort()).toEqual([...IMAGE_OBJECT_ACTIONS].sort());
    expect([objects.Resource].flat()).toEqual(
      expect.arrayContaining([UPLOADS_PREFIX, IMAGES_PREFIX].map((prefix) => ({ 'Fn::Join': ['', [bucketArn, `/${prefix}*`]] }))),
    );
    expect([objects.Resource].flat()).toHaveLength(2);
    const evidence = statements.find((st) => !actionsOf(st).includes('s3:DeleteObject') && actionsOf(st).includes('s3:GetObject'))!;
    expect([...actionsOf(evidence)].sort()).toEqual([...EVIDENCE_OBJECT_ACTIONS].sort());
    expect(evidence.Resource).toEqual({ 'Fn::Join': ['', [bucketArn, `/${EVIDENCE_PREFIX}*`]] });
    const list = statements.find((st) => actionsOf(st).includes('s3:ListBucket'))!;
    expect(actionsOf(list)).toEqual(['s3:ListBucket']);
    // merged by IAM with the exports bucket's (小程序码) when WeChat is on; here the photo bucket alone
    expect(list.Resource).toEqual(bucketArn);
    expect(photoStatements(prod, 'sweepFunction')).toEqual([]);
    expect(photoStatements(prod, 'workerFunction')).toEqual([]);
  });

  it('outputs the CDN base URL and the upload endpoint', () => {
    prod.template.hasOutput('ImagesBaseUrl', {
      Value: { 'Fn::Join': ['', ['https://', prod.resolve(prod.stack.images.distribution.distributionDomainName)]] },
    });
    prod.template.hasOutput('ImagesUploadUrl', {
      Value: { 'Fn::Join': ['', ['https://', prod.resolve(prod.stack.images.bucket.bucketRegionalDomainName)]] },
    });
  });
});

describe('消息推送 Token (photo check verdicts)', () => {
  const pushSecretArn = (s: Synthesized) => s.resolve(s.stack.wechatPushSecret!.secret.secretArn);

  it('only with WeChat: no secret, variable or output without it', () => {
    expect(prod.stack.wechatPushSecret).toBeUndefined();
    expect(apiEnvironment(prod)).not.toHaveProperty('WECHAT_PUSH_SECRET_ARN');
    expect(prod.template.findOutputs('WechatPushSecretArn')).toEqual({});
    expect(prod.template.findOutputs('WechatPushUrl')).toEqual({});
    expect(withWechat.stack.wechatPushSecret).toBeDefined();
  });

  it('is generated as {"token"} of 32 letters and digits, never in the template', () => {
    const template = new Capture();
    withWechat.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: {
        SecretStringTemplate: template,
        GenerateStringKey: 'token',
        PasswordLength: 32,
        ExcludePunctuation: true,
        IncludeSpace: false,
      },
      SecretString: Match.absent(),
    });
    expect(JSON.parse(template.asString())).toEqual({});
  });

  it('what Secrets Manager generates is a token the app accepts', async () => {
    const generated = JSON.stringify({ token: 'Ab3dEf6hIj9lMn2pQr5tUv8xYz1bCd4f' });
    const config = parseConfig({ TABLE_NAME: 't', WECHAT_APPID: 'wx1234567890abcdef', WECHAT_PUSH_SECRET_ARN: 'arn:x' });
    await expect(pushFromConfig(config, async () => generated)).resolves.toMatchObject({ token: 'Ab3dEf6hIj9lMn2pQr5tUv8xYz1bCd4f' });
  });

  it('the API gets its ARN and may read it, and only the API', () => {
    expect(apiEnvironment(withWechat).WECHAT_PUSH_SECRET_ARN).toEqual(pushSecretArn(withWechat));
    // IAM merges GetSecretValue on the stack's secrets into one statement: look for the ARN among its resources.
    const arn = JSON.stringify(pushSecretArn(withWechat));
    const readers = (fn: 'apiFunction' | 'sweepFunction' | 'workerFunction') =>
      statementsOf(withWechat, fn).filter((st) => [st.Resource].flat().some((r) => JSON.stringify(r) === arn));
    expect(readers('apiFunction').map(actionsOf)).toEqual([['secretsmanager:GetSecretValue']]);
    expect(readers('sweepFunction')).toEqual([]);
    expect(readers('workerFunction')).toEqual([]);
  });

  it('outputs the secret and the 消息推送 URL (the API URL + wechat/push)', () => {
    withWechat.template.hasOutput('WechatPushSecretArn', {
      Value: pushSecretArn(withWechat),
      Description: Match.stringLikeRegexp('消息推送'),
    });
    const url = new Capture();
    withWechat.template.hasOutput('WechatPushUrl', { Value: { 'Fn::Join': ['', url] } });
    expect(url.asArray().at(-1)).toMatch(/\/wechat\/push$/);
  });
});
