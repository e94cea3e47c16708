import { Capture, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_LOG_FIELDS } from '../../infra/constructs/api.js';
import { TABLE_DATA_ACTIONS } from '../../infra/constructs/table.js';
import { TABLE_SCHEMA } from '../../shared/table/schema.js';
import { resourcesOfType, type Synthesized, synthStack } from './helpers.js';

let prod: Synthesized;
let withDomain: Synthesized;

beforeAll(() => {
  prod = synthStack('prod', { corsOrigins: ['https://shop.example.com', 'https://admin.example.com'] });
  withDomain = synthStack('dev', {
    domain: { domainName: 'api.example.com', certificateArn: 'arn:aws:acm:ap-east-1:123456789012:certificate/abc-123' },
  });
}, 120_000);

type Statement = { Action: string | string[]; Effect: string; Resource: unknown };

function statementsOf(s: Synthesized, fn: 'apiFunction' | 'sweepFunction'): Statement[] {
  const role = s.resolve(s.stack[fn].function.role!.roleName) as { Ref: string };
  const policies = resourcesOfType(s.template, 'AWS::IAM::Policy').filter(([, p]) =>
    (p.Properties!.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify(role)),
  );
  return policies.flatMap(([, p]) => p.Properties!.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (statement: Statement) => [statement.Action].flat();

describe('Lambda functions', () => {
  it('run nodejs22.x on arm64, from a bundled ES module', () => {
    const functions = resourcesOfType(prod.template, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(3); // API, sweep (finder), deadline-work worker
    for (const [, fn] of functions) {
      expect(fn.Properties!.Runtime).toBe('nodejs22.x');
      expect(fn.Properties!.Architectures).toEqual(['arm64']);
      expect(fn.Properties!.Handler).toBe('index.handler');
    }
  });

  it('API function: table name, secret ARN (not the secret), dev login off', () => {
    const env = new Capture();
    prod.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('Group-buy API'),
      Environment: { Variables: env },
    });
    const vars = env.asObject();
    expect(vars.TABLE_NAME).toEqual(prod.resolve(prod.stack.data.table.tableName));
    expect(vars.AUTH_SECRET_ARN).toEqual(prod.resolve(prod.stack.authSecret.secret.secretArn));
    expect(vars.DEV_AUTH).toBe('false');
    expect(vars.CORS_ORIGINS).toBe('https://shop.example.com,https://admin.example.com');
    expect(vars.LOG_LEVEL).toBe('info');
    expect(vars).not.toHaveProperty('AUTH_SECRET');
    expect(vars).not.toHaveProperty('DYNAMODB_ENDPOINT');
  });

  it.each(['Finds due deadline work', 'Deadline work:'])(
    '%s function: table name, queue URLs, dev login off, no endpoint override',
    (description) => {
      const env = new Capture();
      prod.template.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp(description),
        Environment: { Variables: env },
      });
      expect(env.asObject().TABLE_NAME).toEqual(prod.resolve(prod.stack.data.table.tableName));
      expect(env.asObject().DEV_AUTH).toBe('false');
      expect(env.asObject()).not.toHaveProperty('DYNAMODB_ENDPOINT');
      expect(env.asObject().WORK_QUEUE_SETTLE_URL).toEqual(prod.resolve(prod.stack.workQueues.queues.settle.queueUrl));
      expect(env.asObject().WORK_QUEUE_REFUND_URL).toEqual(prod.resolve(prod.stack.workQueues.queues.refund.queueUrl));
    },
  );

  it('log as JSON (request ids on every line) into their own log groups', () => {
    for (const [, fn] of resourcesOfType(prod.template, 'AWS::Lambda::Function')) {
      expect(fn.Properties!.LoggingConfig).toMatchObject({ LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } });
    }
  });
});

describe('IAM: least privilege', () => {
  it.each(['apiFunction', 'sweepFunction'] as const)('%s: exactly the DynamoDB actions used, on the table and its indexes', (fn) => {
    const dynamo = statementsOf(prod, fn).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo).toHaveLength(1);
    expect([...actionsOf(dynamo[0]!)].sort()).toEqual([...TABLE_DATA_ACTIONS].sort());

    const tableArn = prod.resolve(prod.stack.data.table.tableArn);
    const indexNames = [...TABLE_SCHEMA.localIndexes, ...TABLE_SCHEMA.globalIndexes].map((i) => i.name);
    expect(dynamo[0]!.Resource).toEqual(
      expect.arrayContaining([tableArn, ...indexNames.map((name) => ({ 'Fn::Join': ['', [tableArn, `/index/${name}`]] }))]),
    );
    expect(dynamo[0]!.Resource).toHaveLength(1 + indexNames.length);
  });

  it('no wildcard actions or resources anywhere in the inline policies (but the exports/, uploads/, images/ and evidence/ key prefixes)', () => {
    // Export and photo keys are new per file, so the objects can only be named by prefix
    // (test/infra/exports.test.ts, test/infra/images.test.ts).
    const exportObjects = JSON.stringify({ 'Fn::Join': ['', [prod.resolve(prod.stack.exports.bucket.bucketArn), '/exports/*']] });
    const photoObjects = JSON.stringify(
      ['/images/*', '/uploads/*'].map((prefix) => ({ 'Fn::Join': ['', [prod.resolve(prod.stack.images.bucket.bucketArn), prefix]] })),
    );
    const evidenceObjects = JSON.stringify({ 'Fn::Join': ['', [prod.resolve(prod.stack.images.bucket.bucketArn), '/evidence/*']] });
    for (const [, policy] of resourcesOfType(prod.template, 'AWS::IAM::Policy')) {
      for (const statement of policy.Properties!.PolicyDocument.Statement as Statement[]) {
        for (const action of actionsOf(statement)) {
          expect(action).not.toContain('*');
        }
        const resource = JSON.stringify(statement.Resource);
        // Active tracing's statement: X-Ray's write actions take no resource but *.
        if (actionsOf(statement).every((a) => a === 'xray:PutTraceSegments' || a === 'xray:PutTelemetryRecords')) {
          expect(resource).toBe('"*"');
          continue;
        }
        if (resource !== exportObjects && resource !== photoObjects && resource !== evidenceObjects) expect(resource).not.toContain('*');
      }
    }
  });

  it('the API function may read the signing secret, and only that; the sweep may not', () => {
    const secretStatements = (fn: 'apiFunction' | 'sweepFunction') =>
      statementsOf(prod, fn).filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
    const api = secretStatements('apiFunction');
    expect(api).toHaveLength(1);
    expect(actionsOf(api[0]!)).toEqual(['secretsmanager:GetSecretValue']);
    expect(api[0]!.Resource).toEqual(prod.resolve(prod.stack.authSecret.secret.secretArn));
    expect(secretStatements('sweepFunction')).toHaveLength(0);
  });

  it('the signing secret is generated by Secrets Manager, never in the template', () => {
    prod.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: Match.anyValue() }),
      SecretString: Match.absent(),
    });
  });
});

describe('HTTP API', () => {
  it('one $default route, proxying to the API function with payload format 2.0', () => {
    prod.template.resourceCountIs('AWS::ApiGatewayV2::Route', 1);
    const target = new Capture();
    prod.template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default', Target: target });
    prod.template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: prod.resolve(prod.stack.apiFunction.function.functionArn),
    });
    expect(JSON.stringify(target.asObject())).toContain('integrations/');
  });

  it('API Gateway may invoke the API function', () => {
    prod.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      FunctionName: prod.resolve(prod.stack.apiFunction.function.functionArn),
    });
  });

  it('CORS for the configured origins, with the headers clients send', () => {
    prod.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: {
        AllowOrigins: ['https://shop.example.com', 'https://admin.example.com'],
        AllowHeaders: Match.arrayWith(['content-type', 'authorization', 'idempotency-key', 'x-http-method-override']),
        AllowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
        // a mini-program without PATCH sends POST with the override header (functions/middleware/method-override.ts)
        ExposeHeaders: Match.arrayWith(['x-request-id', 'idempotent-replayed']),
        AllowCredentials: false,
      },
    });
  });

  it('dev allows any origin (and leaves CORS_ORIGINS unset: any origin to the app too)', () => {
    withDomain.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({ AllowOrigins: ['*'] }),
    });
    for (const [, fn] of resourcesOfType(withDomain.template, 'AWS::Lambda::Function')) {
      expect(fn.Properties!.Environment.Variables).not.toHaveProperty('CORS_ORIGINS');
    }
  });

  it('auto-deployed $default stage with throttling and JSON access logs', () => {
    const format = new Capture();
    prod.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
      AccessLogSettings: {
        DestinationArn: prod.resolve(prod.stack.httpApi.accessLogs.logGroupArn),
        Format: format,
      },
    });
    const fields = JSON.parse(format.asString()) as Record<string, string>;
    expect(fields).toEqual(ACCESS_LOG_FIELDS);
    expect(fields.requestId).toBe('$context.requestId');
    expect(fields.status).toBe('$context.status');
  });

  it('dev stage throttles lower than prod', () => {
    withDomain.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
  });

  it('no custom domain unless asked for', () => {
    prod.template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    prod.template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 0);
  });

  it('custom domain: regional domain name mapped to the $default stage, outputs use it', () => {
    withDomain.template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'api.example.com',
      DomainNameConfigurations: [{ CertificateArn: 'arn:aws:acm:ap-east-1:123456789012:certificate/abc-123', EndpointType: 'REGIONAL' }],
    });
    withDomain.template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', {
      Stage: '$default',
      ApiId: withDomain.resolve(withDomain.stack.httpApi.api.apiId),
    });
    withDomain.template.hasOutput('ApiUrl', { Value: 'https://api.example.com/' });
    withDomain.template.hasOutput('DocsUrl', { Value: 'https://api.example.com/docs' });
    withDomain.template.hasOutput('CustomDomainTarget', { Value: Match.anyValue() });
  });

  it('outputs the API URL and the docs URL (API URL + "docs")', () => {
    const apiUrl = new Capture();
    const docsUrl = new Capture();
    prod.template.hasOutput('ApiUrl', { Value: apiUrl });
    prod.template.hasOutput('DocsUrl', { Value: docsUrl });
    const api = JSON.stringify(apiUrl.asObject());
    expect(api).toContain('.execute-api.');
    expect(api).toMatch(/\/"\]\]\}$/); // ends with a slash
    const parts = (docsUrl.asObject() as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    expect(parts.at(-1)).toMatch(/\/docs$/);
  });
});
