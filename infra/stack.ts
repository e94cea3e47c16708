import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { TABLE_SCHEMA } from '../shared/table/schema.js';
import { API_BUNDLE_FILES, LAMBDA_ENTRIES } from './bundling.js';
import type { StageConfig } from './config.js';
import { OperationalAlarms } from './constructs/alarms.js';
import { HttpApi } from './constructs/api.js';
import { EdgeDistribution } from './constructs/edge.js';
import { ExportsBucket } from './constructs/exports-bucket.js';
import { AppFunction } from './constructs/function.js';
import { ImagesBucket } from './constructs/images-bucket.js';
import { AuthSecret, WechatAppSecret, WechatPaySecret, WechatPushSecret } from './constructs/secrets.js';
import { DeadlineSweep } from './constructs/sweep.js';
import { DataTable } from './constructs/table.js';
import { DeadlineWorkQueues } from './constructs/work-queues.js';

export interface TuangouStackProps extends StackProps {
  readonly config: StageConfig;
  /** Entry files; default to functions/{api,sweep,worker}/handler.ts. */
  readonly entries?: { readonly api?: string; readonly sweep?: string; readonly worker?: string };
  /** With `config.edge`: the WAF web ACL of the us-east-1 edge stack (TuangouEdgeStack). */
  readonly edgeWebAclArn?: string;
}

/** Where the functions' EMF metric lines go (shared/metrics.ts): one namespace per stage, so dev never mixes into prod. */
export const metricsNamespace = (stage: string) => `Tuangou/${stage}`;

/** Everything one stage needs: table, secrets, API (function + HTTP API), deadline sweep + work queues + worker, alarms. */
export class TuangouStack extends Stack {
  readonly config: StageConfig;
  readonly data: DataTable;
  /** Large CSV exports, handed out as presigned links. */
  readonly exports: ExportsBucket;
  /** Campaign photos: uploads and attached images, with the CDN serving images/. */
  readonly images: ImagesBucket;
  readonly authSecret: AuthSecret;
  readonly wechatSecret?: WechatAppSecret;
  /** Only with `config.wechatAppId`: the 消息推送 Token photo check verdicts are signed with. */
  readonly wechatPushSecret?: WechatPushSecret;
  /** Only with `config.wechatPay`: the merchant's keys for WeChat Pay v3. */
  readonly wechatPaySecret?: WechatPaySecret;
  readonly apiFunction: AppFunction;
  readonly sweepFunction: AppFunction;
  readonly workerFunction: AppFunction;
  readonly workQueues: DeadlineWorkQueues;
  readonly httpApi: HttpApi;
  readonly sweep: DeadlineSweep;
  readonly alarms: OperationalAlarms;
  /** Only with `config.edge`: CloudFront + WAF in front of the HTTP API. */
  readonly edge?: EdgeDistribution;

  constructor(scope: Construct, id: string, props: TuangouStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.config = config;

    this.data = new DataTable(this, 'Data', {
      removalPolicy: config.removalPolicy,
      deletionProtection: config.deletionProtection,
    });

    this.exports = new ExportsBucket(this, 'Exports', { removalPolicy: config.removalPolicy });
    // Photos are a core feature: always on (the app serves them itself only where no CDN is set, locally).
    this.images = new ImagesBucket(this, 'Images', { removalPolicy: config.removalPolicy });

    this.authSecret = new AuthSecret(this, 'Auth', { removalPolicy: config.removalPolicy });
    if (config.wechatAppId) {
      this.wechatSecret = new WechatAppSecret(this, 'Wechat', { removalPolicy: config.removalPolicy, appId: config.wechatAppId });
      // With WeChat, photos are checked and the verdicts come by 消息推送: the API refuses to start without its Token.
      this.wechatPushSecret = new WechatPushSecret(this, 'WechatPush', { removalPolicy: config.removalPolicy });
    }

    if (config.wechatPay) {
      this.wechatPaySecret = new WechatPaySecret(this, 'WechatPay', { removalPolicy: config.removalPolicy });
    }
    // Login, content security and subscribe messages (API); subscribe messages (worker).
    const wechatEnvironment: Record<string, string> =
      config.wechatAppId && this.wechatSecret
        ? {
            WECHAT_APPID: config.wechatAppId,
            WECHAT_SECRET_ARN: this.wechatSecret.secret.secretArn,
            ...(config.wechatSubscribeTemplates ? { WECHAT_SUBSCRIBE_TEMPLATES: config.wechatSubscribeTemplates } : {}),
            ...(config.wechatCode?.page ? { WECHAT_CODE_PAGE: config.wechatCode.page } : {}),
            ...(config.wechatCode?.env ? { WECHAT_CODE_ENV: config.wechatCode.env } : {}),
          }
        : {};
    // The API (holds, notifications, refunds), the sweep (to know payments are on) and the worker (holds, refunds) take payments.
    const wechatPayEnvironment: Record<string, string> =
      config.wechatPay && this.wechatPaySecret
        ? { WECHATPAY_SECRET_ARN: this.wechatPaySecret.secret.secretArn, WECHATPAY_NOTIFY_URL: config.wechatPay.notifyUrl }
        : {};

    const common = {
      logLevel: config.logLevel,
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
      metricsNamespace: metricsNamespace(config.stage),
    };

    this.apiFunction = new AppFunction(this, 'ApiFunction', {
      ...common,
      entry: props.entries?.api ?? LAMBDA_ENTRIES.api,
      description: `Group-buy API (Hono) [${config.stage}]`,
      bundleFiles: API_BUNDLE_FILES,
      memorySize: config.apiMemoryMiB,
      timeout: config.apiTimeout,
      environment: {
        TABLE_NAME: this.data.table.tableName,
        EXPORTS_BUCKET: this.exports.bucket.bucketName,
        IMAGES_BUCKET: this.images.bucket.bucketName,
        IMAGES_BASE_URL: this.images.baseUrl,
        ...(this.wechatPushSecret ? { WECHAT_PUSH_SECRET_ARN: this.wechatPushSecret.secret.secretArn } : {}),
        AUTH_SECRET_ARN: this.authSecret.secret.secretArn,
        DEV_AUTH: 'false',
        ...wechatEnvironment,
        ...wechatPayEnvironment,
        // Absent means any origin to the app; API Gateway answers CORS itself with the same list.
        ...(config.corsOrigins.includes('*') ? {} : { CORS_ORIGINS: config.corsOrigins.join(',') }),
      },
    });
    this.data.grantApplicationAccess(this.apiFunction.function);
    this.exports.grantExports(this.apiFunction.function);
    // 小程序码 are made through WeChat: only with it configured.
    if (config.wechatAppId) this.exports.grantCodes(this.apiFunction.function);
    // Only the API touches photos (uploads, attach, detach, clone); the worker and the sweep never do.
    this.images.grantApi(this.apiFunction.function);
    this.wechatPushSecret?.grantRead(this.apiFunction.function);
    this.authSecret.grantRead(this.apiFunction.function);
    this.wechatSecret?.grantRead(this.apiFunction.function);
    this.wechatPaySecret?.grantRead(this.apiFunction.function);

    // The worker does one unit of deadline work per message: a settlement, a hold ending, a refund pass, a refund.
    const workerTimeout = Duration.seconds(60);
    this.workerFunction = new AppFunction(this, 'WorkerFunction', {
      ...common,
      entry: props.entries?.worker ?? LAMBDA_ENTRIES.worker,
      description: `Deadline work: settles campaigns, ends holds, requests refunds [${config.stage}]`,
      memorySize: 1024,
      timeout: workerTimeout,
      // WeChat too: the worker sends the subscribe messages.
      environment: { TABLE_NAME: this.data.table.tableName, DEV_AUTH: 'false', ...wechatEnvironment, ...wechatPayEnvironment },
    });
    this.workQueues = new DeadlineWorkQueues(this, 'DeadlineWork', {
      worker: this.workerFunction.function,
      workerTimeout,
      removalPolicy: config.removalPolicy,
    });
    for (const [key, value] of Object.entries(this.workQueues.environment())) this.workerFunction.function.addEnvironment(key, value);
    this.data.grantApplicationAccess(this.workerFunction.function);
    this.wechatPaySecret?.grantRead(this.workerFunction.function);
    if (config.wechatSubscribeTemplates) this.wechatSecret?.grantRead(this.workerFunction.function);

    // The sweep only finds due work and queues it: a few queries and SendMessageBatch calls.
    this.sweepFunction = new AppFunction(this, 'SweepFunction', {
      ...common,
      entry: props.entries?.sweep ?? LAMBDA_ENTRIES.sweep,
      description: `Finds due deadline work and queues it [${config.stage}]`,
      memorySize: 512,
      // Shorter than the interval, so runs rarely overlap (and overlapping is harmless anyway).
      timeout: Duration.seconds(Math.min(50, config.sweepInterval.toSeconds() - 10)),
      environment: {
        TABLE_NAME: this.data.table.tableName,
        DEV_AUTH: 'false',
        ...wechatPayEnvironment,
        // The templates only (no WeChat secret): which hold reminders and leader digests it writes.
        ...(config.wechatSubscribeTemplates ? { WECHAT_SUBSCRIBE_TEMPLATES: config.wechatSubscribeTemplates } : {}),
        ...(config.messageMinutes?.holdReminder !== undefined
          ? { WECHAT_HOLD_REMINDER_MINUTES: String(config.messageMinutes.holdReminder) }
          : {}),
        ...(config.messageMinutes?.digestInterval !== undefined
          ? { WECHAT_DIGEST_INTERVAL_MINUTES: String(config.messageMinutes.digestInterval) }
          : {}),
        ...this.workQueues.environment(),
      },
    });
    this.data.grantApplicationAccess(this.sweepFunction.function);
    this.wechatPaySecret?.grantRead(this.sweepFunction.function);
    this.workQueues.grantSend(this.sweepFunction.function);

    this.httpApi = new HttpApi(this, 'Http', {
      apiName: `tuangou-${config.stage}`,
      handler: this.apiFunction.function,
      corsOrigins: config.corsOrigins,
      throttle: config.throttle,
      accessLogRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
      ...(config.domain ? { customDomain: config.domain } : {}),
    });

    if (config.edge) {
      if (!props.edgeWebAclArn) throw new Error('config.edge needs the web ACL of the us-east-1 edge stack (edgeWebAclArn)');
      this.edge = new EdgeDistribution(this, 'Edge', { api: this.httpApi.api, webAclArn: props.edgeWebAclArn });
      // Requests that did not come through CloudFront (and its WAF) are refused by the app.
      this.apiFunction.function.addEnvironment('EDGE_ORIGIN_TOKEN', this.edge.originToken);
    }

    this.sweep = new DeadlineSweep(this, 'DeadlineSweep', {
      handler: this.sweepFunction.function,
      interval: config.sweepInterval,
    });

    this.alarms = new OperationalAlarms(this, 'Alarms', {
      api: this.httpApi.api,
      functions: [
        { name: 'Api', function: this.apiFunction.function },
        { name: 'Sweep', function: this.sweepFunction.function },
        { name: 'Worker', function: this.workerFunction.function },
      ],
      deadLetterQueue: this.workQueues.deadLetterQueue,
      settleQueue: this.workQueues.queues.settle,
      logAlarms: [
        {
          name: 'PaymentAmountMismatch',
          logGroups: [this.apiFunction.logGroup, this.workerFunction.logGroup],
          alarmField: 'PAYMENT_AMOUNT_MISMATCH',
          description: 'WeChat Pay reported a payment whose amount differs from its order: refunded, not accepted; look at the order',
        },
        {
          name: 'RefundGivenUp',
          logGroups: [this.apiFunction.logGroup, this.workerFunction.logGroup],
          alarmField: 'REFUND_GIVEN_UP',
          description:
            'A refund was given up (WeChat Pay ABNORMAL: the member cannot receive it, or out of attempts): pay it out in the merchant platform, then POST …/refunds/{outRefundNo}/retry',
        },
      ],
      metricAlarms: [
        {
          name: 'MessagesFailed',
          namespace: common.metricsNamespace,
          metricName: 'MessagesFailed',
          service: 'worker',
          threshold: 10,
          description: 'Subscribe messages were given up on (WeChat refused or did not answer): check the templates and WeChat status',
        },
        {
          name: 'WorkBacklog',
          namespace: common.metricsNamespace,
          metricName: 'WorkDue',
          service: 'sweep',
          // A city's 20:00 is a few thousand units in one sweep; far more means the worker is behind.
          threshold: 20_000,
          statistic: 'Maximum',
          description:
            'The sweep found more deadline work due than the worker can take (settlements, holds, refunds, messages): look at the worker and its queues',
        },
      ],
      table: this.data.table,
      globalIndexNames: TABLE_SCHEMA.globalIndexes.map((index) => index.name),
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
    });

    const apiUrl = this.edge ? `https://${this.edge.distribution.distributionDomainName}/` : this.httpApi.url;
    new CfnOutput(this, 'ApiUrl', {
      value: apiUrl,
      description: this.edge ? 'Base URL of the API (CloudFront + WAF; the execute-api URL refuses requests)' : 'Base URL of the API',
    });
    new CfnOutput(this, 'DocsUrl', { value: `${apiUrl}docs`, description: 'API reference (OpenAPI)' });
    new CfnOutput(this, 'ExecuteApiUrl', {
      value: this.httpApi.stage.url,
      description: 'API Gateway default endpoint (same API as ApiUrl)',
    });
    new CfnOutput(this, 'TableName', { value: this.data.table.tableName, description: 'DynamoDB table' });
    new CfnOutput(this, 'AuthSecretArn', {
      value: this.authSecret.secret.secretArn,
      description: 'Secrets Manager secret holding the token-signing key',
    });
    if (this.wechatSecret) {
      new CfnOutput(this, 'WechatSecretArn', {
        value: this.wechatSecret.secret.secretArn,
        description: 'Put the mini-program AppSecret here (aws secretsmanager put-secret-value)',
      });
    }
    if (this.wechatPaySecret && config.wechatPay) {
      new CfnOutput(this, 'WechatPaySecretArn', {
        value: this.wechatPaySecret.secret.secretArn,
        description: 'Put the WeChat Pay merchant JSON here (aws secretsmanager put-secret-value); a placeholder until then',
      });
      new CfnOutput(this, 'WechatPayNotifyUrl', {
        value: config.wechatPay.notifyUrl,
        description: 'WeChat Pay posts payment and refund notifications here (must be reachable over https)',
      });
    }
    new CfnOutput(this, 'ImagesBaseUrl', {
      value: this.images.baseUrl,
      description: 'CDN of campaign photos (IMAGES_BASE_URL); add it to the downloadFile 合法域名 if the mini-program saves photos',
    });
    new CfnOutput(this, 'ImagesUploadUrl', {
      value: this.images.uploadUrl,
      description: 'Where photo upload forms post to: add it to the mini-program uploadFile 合法域名',
    });
    if (this.wechatPushSecret) {
      new CfnOutput(this, 'WechatPushSecretArn', {
        value: this.wechatPushSecret.secret.secretArn,
        description:
          'Its "token" is the 消息推送 Token: paste it into 小程序后台 → 开发管理 → 消息推送 with URL https://<api>/wechat/push (WechatPushUrl), 数据格式 JSON',
      });
      new CfnOutput(this, 'WechatPushUrl', {
        value: `${apiUrl}wechat/push`,
        description: 'The 消息推送 URL (服务器地址) to enter in the mini-program console',
      });
    }
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn, description: 'SNS topic of the alarms' });
    if (this.httpApi.domainName) {
      new CfnOutput(this, 'CustomDomainTarget', {
        value: this.httpApi.domainName.regionalDomainName,
        description: 'Point a CNAME (or Route 53 alias) for the custom domain here',
      });
    }
  }
}
