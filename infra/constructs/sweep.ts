import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export interface DeadlineSweepProps {
  /** The sweep function: closes and settles every campaign whose `closesAt` has passed. */
  readonly handler: lambda.IFunction;
  /** How often it runs (at least one minute, EventBridge's finest rate). */
  readonly interval: Duration;
}

/**
 * Campaign deadlines: a scheduled sweep rather than one EventBridge Scheduler schedule per campaign.
 *
 * The sweep queries the `gsi2` index of open campaigns by `closesAt` (it holds exactly the
 * campaigns still waiting to be settled) and settles those past due. Why:
 * - the very same closing code runs locally (`npm start`), with no AWS service to emulate;
 * - no per-campaign schedule to create, move when a deadline changes, or clean up afterwards, and
 *   no Scheduler API permissions in the request path;
 * - settling is idempotent, so a late, repeated or overlapping run is harmless, and a missed run is
 *   caught up by the next one.
 * Cost at rest: ~43k invocations a month of a few ms each, inside the Lambda free tier.
 */
export class DeadlineSweep extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: DeadlineSweepProps) {
    super(scope, id);

    if (props.interval.toSeconds() < 60) throw new Error('the sweep interval must be at least one minute');

    this.rule = new events.Rule(this, 'Schedule', {
      description: 'Close and settle campaigns past their closesAt',
      schedule: events.Schedule.rate(props.interval),
      targets: [
        new targets.LambdaFunction(props.handler, {
          // The next run retries anyway; don't pile up stale invocations.
          retryAttempts: 0,
          maxEventAge: Duration.minutes(1),
        }),
      ],
    });
    Validations.of(this.rule).acknowledge({
      id: 'Serverless-EventBusDLQ',
      reason:
        'A scheduled sweep that failed to invoke is not work lost: the next run, a minute later, finds everything that is still due ' +
        '(the sweep reads due work from the table), so a dead-letter queue would hold nothing anyone needs.',
    });
  }
}
