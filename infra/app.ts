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
 * nag=false to skip the cdk-nag AwsSolutions checks at synth time.
 */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stageConfigFromContext } from './config.js';
import { TuangouStack } from './stack.js';

const app = new App();
const config = stageConfigFromContext(app.node);

// Entry overrides exist for tests of the synth pipeline itself; deployments use functions/*/handler.ts.
const apiEntry = app.node.tryGetContext('apiEntry') as string | undefined;
const sweepEntry = app.node.tryGetContext('sweepEntry') as string | undefined;

const stack = new TuangouStack(app, `Tuangou-${config.stage}`, {
  config,
  entries: { ...(apiEntry ? { api: apiEntry } : {}), ...(sweepEntry ? { sweep: sweepEntry } : {}) },
  description: `Group-buy (tuangou / jielong) API, ${config.stage} stage`,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  terminationProtection: config.isProduction,
});
Tags.of(stack).add('project', 'tuangou-api');
Tags.of(stack).add('stage', config.stage);

if (app.node.tryGetContext('nag') !== 'false' && app.node.tryGetContext('nag') !== false) {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

app.synth();
