import * as path from 'node:path';
import { type Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BUNDLE_AWS_SDK, type BundleFile, ESM_REQUIRE_BANNER, EXTERNAL_MODULES, MAIN_FIELDS, NODE_TARGET, REPO_ROOT } from '../bundling.js';

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
 * esbuild (never Docker) into one minified ES module with a linked source map, JSON logs (each
 * line carries the request id) into its own log group with a retention period, active tracing,
 * and the namespace its EMF metric lines go to.
 */
export class AppFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: LAMBDA_ARCHITECTURE,
      memorySize: props.memorySize,
      timeout: props.timeout,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
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
      bundling: {
        forceDockerBundling: false,
        format: nodejs.OutputFormat.ESM,
        target: NODE_TARGET,
        mainFields: [...MAIN_FIELDS],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourceMapMode: nodejs.SourceMapMode.DEFAULT, // linked: index.mjs.map + sourceMappingURL comment
        sourcesContent: false,
        bundleAwsSDK: BUNDLE_AWS_SDK,
        externalModules: [...EXTERNAL_MODULES],
        logLevel: nodejs.LogLevel.WARNING,
        ...(props.bundleFiles?.length ? { commandHooks: copyAfterBundling(props.bundleFiles) } : {}),
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

/** Local bundling runs these in a shell on this machine; outputDir is the asset folder that gets zipped. */
function copyAfterBundling(files: readonly BundleFile[]): nodejs.ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir, outputDir) =>
      files.flatMap(({ from, to }) => {
        const target = path.join(outputDir, to);
        return [`mkdir -p "${path.dirname(target)}"`, `cp "${from}" "${target}"`];
      }),
  };
}
