import { Aws, Duration, Fn, Validations } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import { Construct } from 'constructs';

/** The header CloudFront adds on its way to the API; the app refuses requests without it (see EDGE_ORIGIN_TOKEN). */
export const ORIGIN_TOKEN_HEADER = 'x-origin-token';

export interface EdgeDistributionProps {
  readonly api: apigwv2.IHttpApi;
  /** The WAF web ACL (scope CLOUDFRONT, from the us-east-1 edge stack). */
  readonly webAclArn: string;
}

/**
 * CloudFront in front of the HTTP API, with AWS WAF: per-client rate limits at the edge, and a
 * cache that honours the API's own Cache-Control (nothing is cached unless the API says so). The
 * Authorization header is part of the cache key, so a signed-in member never gets a cached answer
 * meant for someone else, while anonymous readers of a viral campaign can share one.
 *
 * So that nobody walks around the WAF to the execute-api URL, CloudFront sends a token the app
 * checks: the unique part of this stack's id, known to CloudFormation only after it is created.
 */
export class EdgeDistribution extends Construct {
  readonly distribution: cloudfront.Distribution;
  /** The value of ORIGIN_TOKEN_HEADER (a token, resolved at deploy time). */
  readonly originToken: string;

  constructor(scope: Construct, id: string, props: EdgeDistributionProps) {
    super(scope, id);
    // arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>: the uuid is new with every stack.
    this.originToken = Fn.select(2, Fn.split('/', Aws.STACK_ID));

    const cachePolicy = new cloudfront.CachePolicy(this, 'ApiCache', {
      comment: 'Honours the API Cache-Control; Authorization in the key',
      defaultTtl: Duration.seconds(0),
      minTtl: Duration.seconds(0),
      maxTtl: Duration.seconds(60),
      headerBehavior: cloudfront.CacheHeaderBehavior.allowList('Authorization'),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Group-buy API behind AWS WAF',
      webAclId: props.webAclArn,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_ALL,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: new origins.HttpOrigin(`${props.api.apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`, {
          protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
          originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
          customHeaders: { [ORIGIN_TOKEN_HEADER]: this.originToken },
        }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD_OPTIONS,
        cachePolicy,
        // Everything the API reads (Idempotency-Key, content-type, the override header …) but Host.
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Members are wherever their community is; the API decides who may do what, not the viewer country.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'Requests are logged by the HTTP API access log and sampled by WAF; a second per-request log adds a bucket for no new facts.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate cannot pin a minimum TLS version; clients are WeChat mini-programs (TLS 1.2+). A custom domain would set TLSv1.2_2021.',
      },
    );
  }
}
