import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { stageConfig, stageConfigFromContext } from '../../infra/config.js';
import { TuangouEdgeStack } from '../../infra/edge-stack.js';
import { TuangouStack } from '../../infra/stack.js';
import { cdkJsonContext, ENTRIES } from './helpers.js';

let edge: Template;
let main: Template;
let stack: TuangouStack;
let edgeStack: TuangouEdgeStack;

beforeAll(() => {
  const app = new App({
    outdir: mkdtempSync(path.join(tmpdir(), 'cdk-edge-')),
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] },
  });
  const config = stageConfig('prod', { edge: true, edgeRateLimit: 1500 });
  edgeStack = new TuangouEdgeStack(app, 'Tuangou-prod-edge', {
    edge: config.edge!,
    env: { account: '123456789012', region: 'us-east-1' },
    crossRegionReferences: true,
  });
  stack = new TuangouStack(app, 'Tuangou-prod', {
    config,
    entries: ENTRIES,
    edgeWebAclArn: edgeStack.webAcl.acl.attrArn,
    crossRegionReferences: true,
    env: { account: '123456789012', region: 'ap-east-1' },
  });
  edge = Template.fromStack(edgeStack);
  main = Template.fromStack(stack);
}, 120_000);

describe('edge option (-c edge=true): CloudFront + AWS WAF in front of the API', () => {
  it('a CLOUDFRONT-scope web ACL with a per-IP rate limit, a stricter one for creating campaigns and logins, and AWS managed lists; 429 when blocked', () => {
    const rules = new Capture();
    edge.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} }, Rules: rules });
    const byName = Object.fromEntries((rules.asArray() as Array<Record<string, any>>).map((r) => [r.Name, r]));
    expect(byName['per-ip-rate']).toMatchObject({
      Action: { Block: { CustomResponse: { ResponseCode: 429 } } },
      Statement: { RateBasedStatement: { Limit: 1500, AggregateKeyType: 'IP' } },
    });
    expect(byName['per-ip-writes'].Statement.RateBasedStatement).toMatchObject({ Limit: 100, AggregateKeyType: 'IP' });
    expect(JSON.stringify(byName['per-ip-writes'].Statement)).toContain('/campaigns');
    expect(Object.keys(byName)).toEqual(
      expect.arrayContaining(['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesKnownBadInputsRuleSet']),
    );
  });

  it('the distribution uses the web ACL, reaches the API over TLS 1.2 with the origin token, and keys its cache on Authorization', () => {
    // The API's distribution: the one with a web ACL (the photo CDN is the other, test/infra/images.test.ts).
    const withAcl = Object.values(
      main.findResources('AWS::CloudFront::Distribution', { Properties: { DistributionConfig: { WebACLId: Match.anyValue() } } }),
    );
    expect(withAcl).toHaveLength(1);
    const config = withAcl[0]!.Properties.DistributionConfig;
    expect(config.WebACLId).toBeDefined();
    const [origin] = config.Origins;
    expect(origin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
    expect(origin.OriginCustomHeaders).toEqual([{ HeaderName: 'x-origin-token', HeaderValue: expect.anything() }]);
    expect(config.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'https-only' });
    expect(config.DefaultCacheBehavior.AllowedMethods).toEqual(expect.arrayContaining(['PUT', 'PATCH', 'DELETE', 'POST']));
    main.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({
        DefaultTTL: 0,
        MinTTL: 0,
        ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
          HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Authorization'] },
        }),
      }),
    });
    // The API function checks the very token CloudFront sends.
    const env = new Capture();
    main.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('Group-buy API'),
      Environment: { Variables: env },
    });
    expect(env.asObject().EDGE_ORIGIN_TOKEN).toEqual(origin.OriginCustomHeaders[0].HeaderValue);
    main.hasOutput('ApiUrl', { Value: { 'Fn::Join': ['', ['https://', Match.anyValue(), '/']] } });
  });

  it('cdk-nag reports nothing on either stack (each acknowledgement has a reason)', () => {
    for (const s of [edgeStack, stack] as Stack[]) {
      const violations = new AwsSolutionsChecks()
        .validateScope(s)
        .violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath)}`);
      expect(violations).toEqual([]);
    }
  });

  it('context: edge with a custom domain is refused (it would route around the WAF); edgeRateLimit needs edge and a sane number', () => {
    const ctx = (values: Record<string, unknown>) => ({ tryGetContext: (k: string) => values[k] });
    expect(stageConfigFromContext(ctx({ stage: 'dev', edge: 'true' })).edge).toEqual({
      requestsPerFiveMinutes: 2000,
      writesPerFiveMinutes: 100,
    });
    expect(() => stageConfigFromContext(ctx({ edge: 'true', domainName: 'api.example.com', certificateArn: 'arn:aws:acm:x' }))).toThrow(
      /custom domain/,
    );
    expect(() => stageConfigFromContext(ctx({ edgeRateLimit: '500' }))).toThrow(/only used with -c edge=true/);
    expect(() => stageConfigFromContext(ctx({ edge: 'true', edgeRateLimit: '5' }))).toThrow(/edgeRateLimit/);
    expect(stageConfigFromContext(ctx({ stage: 'prod' })).edge).toBeUndefined();
  });
});
