import { Duration, Validations } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface MonitoredFunction {
  /** Short name used in alarm ids and descriptions, e.g. `Api`. */
  readonly name: string;
  readonly function: lambda.IFunction;
}

export interface OperationalAlarmsProps {
  readonly api: apigwv2.IHttpApi;
  readonly functions: readonly MonitoredFunction[];
  readonly table: dynamodb.ITable;
  /** Global secondary indexes throttle separately from the table. */
  readonly globalIndexNames: readonly string[];
  /** Subscribe this address to the alarm topic (confirmation mail is sent on deploy). */
  readonly alarmEmail?: string;
  /** API 5xx responses per 5 minutes that raise the alarm. */
  readonly api5xxThreshold?: number;
  /** Deadline work that failed every try: any message here is an alarm. */
  readonly deadLetterQueue?: sqs.IQueue;
  /** Settlements waiting longer than this many minutes (default 10) are an alarm: deadline work is stuck or starved. */
  readonly settleQueue?: sqs.IQueue;
  readonly settleQueueMaxAgeMinutes?: number;
  /** Log lines carrying `"alarm": "<alarmField>"` (structured JSON logs), counted by a metric filter. */
  readonly logAlarms?: readonly LogAlarm[];
  /** Business metrics the functions write as EMF lines (shared/metrics.ts), by name and the writing function. */
  readonly metricAlarms?: readonly MetricAlarm[];
}

export interface MetricAlarm {
  readonly name: string;
  readonly namespace: string;
  readonly metricName: string;
  /** the EMF `service` dimension: api, worker or sweep */
  readonly service: string;
  /** the statistic per 5 minutes (default Sum) that raises the alarm at `threshold` */
  readonly threshold: number;
  /** Maximum for a level reported again each minute (a backlog), where a sum would count it five times */
  readonly statistic?: 'Sum' | 'Maximum';
  readonly description: string;
}

export interface LogAlarm {
  readonly name: string;
  readonly logGroups: readonly logs.ILogGroup[];
  readonly alarmField: string;
  readonly description: string;
}

const PERIOD = Duration.minutes(5);

/**
 * Alarms that mean "users are affected": API 5xx, function errors and throttles, DynamoDB
 * throttling (table and GSIs). All notify one SNS topic; missing data is "not breaching" so an idle
 * stage stays green.
 */
export class OperationalAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: OperationalAlarmsProps) {
    super(scope, id);

    this.topic = new sns.Topic(this, 'Topic', { displayName: 'Group-buy API alarms', enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry only alarm names and metric values. CloudWatch can only publish to a ' +
        'KMS-encrypted topic through a customer managed key (the AWS managed SNS key cannot grant it), which ' +
        'would add a monthly key cost to an otherwise near-zero idle stack.',
    });
    if (props.alarmEmail) {
      const email = new subscriptions.EmailSubscription(props.alarmEmail);
      this.topic.addSubscription(email);
      Validations.of(this.topic).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'The only subscription is the operator’s e-mail: SNS retries it, and an alarm that cannot be mailed stays visible in ' +
          'the CloudWatch console in ALARM state; a dead-letter queue of alarm mails would be read by nobody.',
      });
    }

    this.add('Api5xx', {
      metric: props.api.metricServerError({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
      threshold: props.api5xxThreshold ?? 5,
      alarmDescription: 'API Gateway returned 5xx responses',
    });

    for (const fn of props.functions) {
      this.add(`${fn.name}FunctionErrors`, {
        metric: fn.function.metricErrors({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        alarmDescription: `${fn.name} Lambda function invocations failed`,
      });
      this.add(`${fn.name}FunctionThrottles`, {
        metric: fn.function.metricThrottles({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        alarmDescription: `${fn.name} Lambda function invocations were throttled`,
      });
    }

    if (props.deadLetterQueue) {
      this.add('DeadLetters', {
        metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: 1,
        alarmDescription: 'Deadline work failed every try and waits in the dead-letter queue (settlement, hold, refund): look and redrive',
      });
    }
    if (props.settleQueue) {
      this.add('SettleQueueAge', {
        metric: props.settleQueue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: (props.settleQueueMaxAgeMinutes ?? 10) * 60,
        alarmDescription: 'Campaigns past their deadline have waited too long to be settled',
      });
    }
    const namespace = 'Tuangou';
    for (const logAlarm of props.logAlarms ?? []) {
      logAlarm.logGroups.forEach((logGroup, i) => {
        new logs.MetricFilter(this, `${logAlarm.name}Filter${i}`, {
          logGroup,
          filterPattern: logs.FilterPattern.stringValue('$.alarm', '=', logAlarm.alarmField),
          metricNamespace: namespace,
          metricName: logAlarm.name,
          metricValue: '1',
          defaultValue: 0,
        });
      });
      this.add(logAlarm.name, {
        metric: new cloudwatch.Metric({ namespace, metricName: logAlarm.name, period: PERIOD, statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        alarmDescription: logAlarm.description,
      });
    }

    for (const m of props.metricAlarms ?? []) {
      this.add(m.name, {
        metric: new cloudwatch.Metric({
          namespace: m.namespace,
          metricName: m.metricName,
          dimensionsMap: { service: m.service },
          period: PERIOD,
          statistic: m.statistic === 'Maximum' ? cloudwatch.Stats.MAXIMUM : cloudwatch.Stats.SUM,
        }),
        threshold: m.threshold,
        alarmDescription: m.description,
      });
    }

    const throttleMetrics: Record<string, cloudwatch.IMetric> = {};
    const dimensionSets: Record<string, string>[] = [
      { TableName: props.table.tableName },
      ...props.globalIndexNames.map((index) => ({ TableName: props.table.tableName, GlobalSecondaryIndexName: index })),
    ];
    dimensionSets.forEach((dimensionsMap, i) => {
      for (const [kind, metricName] of [
        ['r', 'ReadThrottleEvents'],
        ['w', 'WriteThrottleEvents'],
      ] as const) {
        throttleMetrics[`${kind}${i}`] = new cloudwatch.Metric({
          namespace: 'AWS/DynamoDB',
          metricName,
          dimensionsMap,
          period: PERIOD,
          statistic: cloudwatch.Stats.SUM,
        });
      }
    });
    this.add('TableThrottles', {
      metric: new cloudwatch.MathExpression({
        expression: 'SUM(METRICS())',
        usingMetrics: throttleMetrics,
        label: 'DynamoDB read+write throttle events (table and GSIs)',
        period: PERIOD,
      }),
      threshold: 1,
      alarmDescription: 'DynamoDB throttled reads or writes on the table or its global indexes',
    });
  }

  private add(id: string, options: { metric: cloudwatch.IMetric; threshold: number; alarmDescription: string }): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric: options.metric,
      threshold: options.threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: options.alarmDescription,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
