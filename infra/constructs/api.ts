import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * CORS as the Hono app declares it (functions/app.ts). With CORS configured, API Gateway answers
 * preflights itself and its headers replace the integration's, so these lists are what browsers see.
 */
export const CORS_ALLOW_HEADERS = ['content-type', 'authorization', 'idempotency-key', 'x-request-id', 'x-http-method-override'] as const;
export const CORS_EXPOSE_HEADERS = ['x-request-id', 'idempotent-replayed'] as const;
export const CORS_ALLOW_METHODS = [
  apigwv2.CorsHttpMethod.GET,
  apigwv2.CorsHttpMethod.POST,
  apigwv2.CorsHttpMethod.PUT,
  apigwv2.CorsHttpMethod.PATCH,
  apigwv2.CorsHttpMethod.DELETE,
  apigwv2.CorsHttpMethod.OPTIONS,
] as const;

/**
 * One JSON object per request. `lambdaRequestId` joins an access-log line to the function's own
 * JSON log lines (which carry the same `requestId`).
 */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  lambdaRequestId: '$context.integration.requestId',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  path: '$context.path',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  errorMessage: '$context.error.message',
};

export interface CustomDomainProps {
  readonly domainName: string;
  readonly certificateArn: string;
}

export interface HttpApiProps {
  /** Name shown in the API Gateway console. */
  readonly apiName: string;
  /** The function answering every request (`$default` route); the Hono app routes inside it. */
  readonly handler: lambda.IFunction;
  readonly corsOrigins: readonly string[];
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly accessLogRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** Serve the API at `https://<domainName>/` (create a CNAME/alias to `regionalDomainName`). */
  readonly customDomain?: CustomDomainProps;
}

/**
 * API Gateway HTTP API (payload format 2.0) in front of the API function: one `$default` route,
 * CORS for web clients (WeChat mini-programs do not use CORS, they need the domain whitelisted
 * instead), stage throttling, JSON access logs, optional custom domain.
 */
export class HttpApi extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogs: logs.LogGroup;
  readonly domainName?: apigwv2.DomainName;
  /** Base URL with a trailing slash: the custom domain when configured, else the execute-api URL. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);

    const anyOrigin = props.corsOrigins.includes('*');
    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: props.apiName,
      description: 'Group-buy (tuangou / jielong) API',
      createDefaultStage: false,
      defaultIntegration: new HttpLambdaIntegration('Lambda', props.handler, {
        payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      }),
      corsPreflight: {
        allowOrigins: anyOrigin ? ['*'] : [...props.corsOrigins],
        allowMethods: [...CORS_ALLOW_METHODS],
        allowHeaders: [...CORS_ALLOW_HEADERS],
        exposeHeaders: [...CORS_EXPOSE_HEADERS],
        // Bearer tokens, not cookies: credentials are never needed (and '*' forbids them).
        allowCredentials: false,
        maxAge: Duration.days(1),
      },
    });

    if (props.customDomain) {
      this.domainName = new apigwv2.DomainName(this, 'Domain', {
        domainName: props.customDomain.domainName,
        certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.customDomain.certificateArn),
      });
    }

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention,
      removalPolicy: props.removalPolicy,
    });

    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttle.rateLimit, burstLimit: props.throttle.burstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
      ...(this.domainName ? { domainMapping: { domainName: this.domainName } } : {}),
    });

    this.url = this.domainName ? `https://${props.customDomain!.domainName}/` : this.stage.url;

    // Covers every route of the API (acknowledgements apply to a construct and its children).
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Authorisation happens in the application: public routes (health, docs, viewing a campaign) need none, ' +
        'the rest verify an HS256 bearer token signed with the Secrets Manager secret. An API Gateway ' +
        'authorizer would add latency and a second copy of the rules.',
    });
  }
}
