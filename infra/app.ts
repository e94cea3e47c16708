#!/usr/bin/env -S npx tsx
/**
 * CDK app entry (cdk.json: `npx tsx infra/app.ts`).
 *
 *   npm run synth                          # dev stage, offline, no Docker
 *   npm run cdk -- deploy -c stage=prod    # production stage
 *
 * Context: stage=dev|prod, corsOrigins=https://a.example,https://b.example, alarmEmail=ops@example.com,
 * domainName=api.example.com + certificateArn=arn:aws:acm:..., logLevel=debug|info|warn|error,
 * wechatAppId=wx..., wechatPay=true [+ wechatPayNotifyUrl=https://.../payments/wechat/notify],
 * edge=true [+ edgeRateLimit=2000] for CloudFront + AWS WAF per-client rate limits (adds a us-east-1 stack),
 * nag=false to skip the cdk-nag AwsSolutions and Serverless checks at synth time.
 */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { stageConfigFromContext } from './config.js';
import { TuangouEdgeStack } from './edge-stack.js';
import { TuangouStack } from './stack.js';

const app = new App();
const config = stageConfigFromContext(app.node);

// Entry overrides exist for tests of the synth pipeline itself; deployments use functions/*/handler.ts.
const apiEntry = app.node.tryGetContext('apiEntry') as string | undefined;
const sweepEntry = app.node.tryGetContext('sweepEntry') as string | undefined;

const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
// -c edge=true: the WAF web ACL lives in us-east-1 (CloudFront's rule), read across regions by the main stack.
const edgeStack = config.edge
  ? new TuangouEdgeStack(app, `Tuangou-${config.stage}-edge`, {
      edge: config.edge,
      env: { account: env.account, region: 'us-east-1' },
      crossRegionReferences: true,
      description: `Group-buy API edge protection (AWS WAF), ${config.stage} stage`,
    })
  : undefined;

const stack = new TuangouStack(app, `Tuangou-${config.stage}`, {
  config,
  ...(edgeStack ? { edgeWebAclArn: edgeStack.webAcl.acl.attrArn, crossRegionReferences: true } : {}),
  entries: { ...(apiEntry ? { api: apiEntry } : {}), ...(sweepEntry ? { sweep: sweepEntry } : {}) },
  description: `Group-buy (tuangou / jielong) API, ${config.stage} stage`,
  env,
  terminationProtection: config.isProduction,
});
for (const s of edgeStack ? [stack, edgeStack] : [stack]) {
  Tags.of(s).add('project', 'tuangou-api');
  Tags.of(s).add('stage', config.stage);
}

if (app.node.tryGetContext('nag') !== 'false' && app.node.tryGetContext('nag') !== false) {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
}

app.synth();
