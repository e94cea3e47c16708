import * as path from 'node:path';
import { AssetHashType, DockerImage, type Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type BundleFile, bundleLambdaSync } from '../bundling.js';

export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_22_X;
export const LAMBDA_ARCHITECTURE = lambda.Architecture.ARM_64;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface AppFunctionProps {
  /** TypeScript entry file exporting `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly environment: Readonly<Record<string, string>>;
  readonly logLevel: LogLevel;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** CloudWatch namespace of the business metrics the code writes as EMF lines (METRICS_NAMESPACE) */
  readonly metricsNamespace: string;
  /** Files the code reads from beside its index.mjs at run time (copied after bundling). */
  readonly bundleFiles?: readonly BundleFile[];
}

const APPLICATION_LOG_LEVEL: Record<LogLevel, lambda.ApplicationLogLevel> = {
  debug: lambda.ApplicationLogLevel.DEBUG,
  info: lambda.ApplicationLogLevel.INFO,
  warn: lambda.ApplicationLogLevel.WARN,
  error: lambda.ApplicationLogLevel.ERROR,
};

/**
 * A Node.js Lambda function as this project deploys them: nodejs22.x on arm64, bundled by the local
 * esbuild (never Docker) into a minified, code-split ES module with linked source maps, JSON logs (each
 * line carries the request id) into its own log group with a retention period, active tracing,
 * and the namespace its EMF metric lines go to.
 */
export class AppFunction extends Construct {
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    this.function = new lambda.Function(this, 'Function', {
      code: bundledCode(props.entry, props.bundleFiles ?? []),
      handler: 'index.handler',
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: LAMBDA_ARCHITECTURE,
      memorySize: props.memorySize,
      timeout: props.timeout,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: APPLICATION_LOG_LEVEL[props.logLevel],
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      // X-Ray: each request's DynamoDB, S3, SQS and WeChat calls as one trace (the SDK clients are traced by the runtime's segment).
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        ...props.environment,
        LOG_LEVEL: props.logLevel,
        METRICS_NAMESPACE: props.metricsNamespace,
        NODE_OPTIONS: '--enable-source-maps',
      },
    });

    Validations.of(this.function).acknowledge(
      {
        id: 'Serverless-LambdaLatestVersion',
        reason:
          'Pinned to nodejs22.x deliberately (the runtime the code, its tests and the cold-start benchmark target); ' +
          'moving to a newer runtime is a reviewed change, not an implicit one.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Only the statement active tracing adds: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level ' +
          'permissions (Resource must be *); test/infra/api.test.ts checks that no other statement has a wildcard.',
      },
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          'No function here loses work on a failed asynchronous invocation: the API is invoked synchronously by API Gateway, ' +
          'the worker by SQS event source mappings (failed units go to the work queues’ dead-letter queue), and the sweep by a ' +
          'one-minute schedule whose next run finds whatever a failed one left.',
      },
    );
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x deliberately (the runtime the code, its tests and the cold-start benchmark target); ' +
        'moving to a newer runtime is a reviewed change, not an implicit one.',
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'AWSLambdaBasicExecutionRole only allows writing CloudWatch Logs; all data access is granted by explicit, ' +
        'resource-scoped statements.',
    });
  }
}

/**
 * The function's code: bundled on this machine by infra/bundling.ts (what NodejsFunction would do,
 * plus code splitting, which its single outfile cannot have), fingerprinted by the bundle itself.
 * Never Docker: the image is only the required fallback, and a failed local bundle throws instead.
 */
function bundledCode(entry: string, files: readonly BundleFile[]): lambda.Code {
  return lambda.Code.fromAsset(path.dirname(entry), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('local-esbuild-only'),
      local: {
        tryBundle(outputDir) {
          bundleLambdaSync(entry, outputDir, files);
          return true;
        },
      },
    },
  });
}
