import { Capture, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_SCHEMA } from '../../shared/table/schema.js';
import { resourcesOfType, type Synthesized, synthStack } from './helpers.js';

let prod: Synthesized;
let dev: Synthesized;

beforeAll(() => {
  prod = synthStack('prod', { alarmEmail: 'ops@example.com' });
  dev = synthStack('dev');
}, 120_000);

describe('deadline sweep', () => {
  it('runs the sweep function every minute', () => {
    prod.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: prod.resolve(prod.stack.sweepFunction.function.functionArn),
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
        }),
      ],
    });
  });

  it('EventBridge may invoke the sweep function, only from that rule', () => {
    prod.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: prod.resolve(prod.stack.sweepFunction.function.functionArn),
      SourceArn: prod.resolve(prod.stack.sweep.rule.ruleArn),
    });
  });

  it('a run finishes before the next one starts', () => {
    const timeout = new Capture();
    prod.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('Finds due deadline work'),
      Timeout: timeout,
    });
    expect(timeout.asNumber()).toBeLessThan(60);
  });
});

describe('alarms', () => {
  type Alarm = { Properties?: Record<string, any> };
  const alarms = (s: Synthesized): Alarm[] => resourcesOfType(s.template, 'AWS::CloudWatch::Alarm').map(([, a]) => a);
  const byMetric = (s: Synthesized, namespace: string, metricName: string) =>
    alarms(s).filter((a) => a.Properties!.Namespace === namespace && a.Properties!.MetricName === metricName);

  it('API 5xx', () => {
    const found = byMetric(prod, 'AWS/ApiGateway', '5xx');
    expect(found).toHaveLength(1);
    expect(found[0]!.Properties!.Dimensions).toEqual([{ Name: 'ApiId', Value: prod.resolve(prod.stack.httpApi.api.apiId) }]);
    expect(found[0]!.Properties!.Statistic).toBe('Sum');
  });

  it.each(['Errors', 'Throttles'])('Lambda %s, for every function', (metricName) => {
    const found = byMetric(prod, 'AWS/Lambda', metricName);
    const functionNames = found.map((a) => a.Properties!.Dimensions[0].Value);
    expect(functionNames).toEqual(
      expect.arrayContaining([
        prod.resolve(prod.stack.apiFunction.function.functionName),
        prod.resolve(prod.stack.sweepFunction.function.functionName),
        prod.resolve(prod.stack.workerFunction.function.functionName),
      ]),
    );
    expect(found).toHaveLength(3);
  });

  it('DynamoDB read and write throttles, on the table and on every GSI', () => {
    const math = alarms(prod).filter((a) => Array.isArray(a.Properties!.Metrics));
    expect(math).toHaveLength(1);
    const metrics = math[0]!.Properties!.Metrics as {
      MetricStat?: { Metric: { MetricName: string; Namespace: string; Dimensions: { Name: string; Value: unknown }[] } };
    }[];
    const seen = metrics
      .filter((m) => m.MetricStat)
      .map((m) => {
        const dims = Object.fromEntries(m.MetricStat!.Metric.Dimensions.map((d) => [d.Name, d.Value]));
        expect(m.MetricStat!.Metric.Namespace).toBe('AWS/DynamoDB');
        expect(dims.TableName).toEqual(prod.resolve(prod.stack.data.table.tableName));
        return `${m.MetricStat!.Metric.MetricName}@${(dims.GlobalSecondaryIndexName as string | undefined) ?? 'table'}`;
      });
    const scopes = ['table', ...TABLE_SCHEMA.globalIndexes.map((i) => i.name)];
    expect(seen.sort()).toEqual(scopes.flatMap((scope) => [`ReadThrottleEvents@${scope}`, `WriteThrottleEvents@${scope}`]).sort());
    expect(metrics.find((m) => !m.MetricStat)).toMatchObject({ Expression: 'SUM(METRICS())', ReturnData: true });
  });

  it('every alarm notifies the SNS topic and stays green when idle', () => {
    const topic = prod.resolve(prod.stack.alarms.topic.topicArn);
    const all = alarms(prod);
    // 5xx, errors and throttles ×3, DynamoDB, dead letters, settle queue age, amount mismatch, refund given up, messages failed, work backlog
    expect(all).toHaveLength(14);
    for (const alarm of all) {
      expect(alarm.Properties!.AlarmActions).toEqual([topic]);
      expect(alarm.Properties!.OKActions).toEqual([topic]);
      expect(alarm.Properties!.TreatMissingData).toBe('notBreaching');
    }
  });

  it('alarm e-mail subscription only when configured; the topic requires TLS', () => {
    prod.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    dev.template.resourceCountIs('AWS::SNS::Subscription', 0);
    prod.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });
});

describe('logs and stages', () => {
  it.each([
    ['prod', 90, 'Retain'],
    ['dev', 7, 'Delete'],
  ] as const)('%s: every log group keeps %i days and is %s on stack deletion', (stage, days, policy) => {
    const s = stage === 'prod' ? prod : dev;
    const groups = resourcesOfType(s.template, 'AWS::Logs::LogGroup');
    expect(groups).toHaveLength(4); // three functions + access logs
    for (const [, group] of groups) {
      expect(group.Properties!.RetentionInDays).toBe(days);
      expect(group.DeletionPolicy).toBe(policy);
    }
  });

  it('prod logs at info, dev at debug', () => {
    for (const [, fn] of resourcesOfType(prod.template, 'AWS::Lambda::Function')) {
      expect(fn.Properties!.Environment.Variables.LOG_LEVEL).toBe('info');
      expect(fn.Properties!.LoggingConfig.ApplicationLogLevel).toBe('INFO');
    }
    for (const [, fn] of resourcesOfType(dev.template, 'AWS::Lambda::Function')) {
      expect(fn.Properties!.Environment.Variables.LOG_LEVEL).toBe('debug');
    }
  });

  it('the signing secret survives a prod teardown, not a dev one', () => {
    prod.template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
    dev.template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Delete' });
  });

  it('stack outputs', () => {
    for (const name of ['ApiUrl', 'DocsUrl', 'TableName', 'AuthSecretArn', 'AlarmTopicArn', 'ExecuteApiUrl']) {
      prod.template.hasOutput(name, { Value: Match.anyValue() });
    }
  });
});
