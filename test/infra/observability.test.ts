import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { metricsNamespace } from '../../infra/stack.js';
import { parseConfig } from '../../shared/config.js';
import { resourcesOfType, type Synthesized, synthStack } from './helpers.js';

/** Logs Lambda can filter, EMF metrics with alarms on money and messages, and active tracing on every function. */
let prod: Synthesized;
let dev: Synthesized;

beforeAll(() => {
  prod = synthStack('prod', { alarmEmail: 'ops@example.com' });
  dev = synthStack('dev');
}, 120_000);

const functions = (s: Synthesized) =>
  resourcesOfType(s.template, 'AWS::Lambda::Function').filter(([, r]) => r.Properties?.Runtime?.startsWith('nodejs'));

describe('observability', () => {
  it('every function traces (X-Ray active), logs JSON at the stage’s level, and names its stage’s metrics namespace', () => {
    const fns = functions(prod);
    expect(fns.length).toBeGreaterThanOrEqual(3);
    for (const [id, fn] of fns) {
      expect(fn.Properties!.TracingConfig, id).toEqual({ Mode: 'Active' });
      expect(fn.Properties!.LoggingConfig, id).toMatchObject({ LogFormat: 'JSON', ApplicationLogLevel: expect.any(String) });
      expect(fn.Properties!.Environment.Variables.METRICS_NAMESPACE, id).toBe('Tuangou/prod');
    }
    for (const [, fn] of functions(dev)) expect(fn.Properties!.Environment.Variables.METRICS_NAMESPACE).toBe('Tuangou/dev');
    // The namespace the stack sets is one the app's config accepts.
    expect(
      parseConfig({ TABLE_NAME: 't', AUTH_SECRET: 'x'.repeat(32), METRICS_NAMESPACE: metricsNamespace('prod') }).METRICS_NAMESPACE,
    ).toBe('Tuangou/prod');
  });

  it('alarms on refunds given up (a log alarm on both functions that refund) and on failed subscribe messages (an EMF metric)', () => {
    for (const group of [prod.stack.apiFunction.logGroup, prod.stack.workerFunction.logGroup]) {
      prod.template.hasResourceProperties('AWS::Logs::MetricFilter', {
        LogGroupName: prod.resolve(group.logGroupName),
        FilterPattern: '{ $.alarm = "REFUND_GIVEN_UP" }',
        MetricTransformations: [Match.objectLike({ MetricName: 'RefundGivenUp', MetricValue: '1' })],
      });
    }
    prod.template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'RefundGivenUp', Threshold: 1 });
    prod.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Tuangou/prod',
      MetricName: 'MessagesFailed',
      Dimensions: [{ Name: 'service', Value: 'worker' }],
      Statistic: 'Sum',
      Threshold: 10,
      AlarmActions: [prod.resolve(prod.stack.alarms.topic.topicArn)],
    });
    // The work backlog the sweep reports each minute (EMF), beside SQS's own age and dead-letter alarms.
    prod.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Tuangou/prod',
      MetricName: 'WorkDue',
      Dimensions: [{ Name: 'service', Value: 'sweep' }],
      Statistic: 'Maximum',
      Threshold: 20_000,
    });
  });
});
