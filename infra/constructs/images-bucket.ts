import { type CfnElement, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, type IConstruct } from 'constructs';
import { EVIDENCE_PREFIX, IMAGES_PREFIX, UPLOADS_PREFIX } from '../../shared/domain/images.js';
import { PRIVATE_BUCKET_PROPS } from './private-bucket.js';

/** A photo nobody attached within this long is gone (its upload form only works for 10 minutes). */
export const UPLOADS_EXPIRE_DAYS = 1;
/** After-sale evidence is kept a year: long past any decision, and the disputes that follow one. */
export const EVIDENCE_EXPIRE_DAYS = 365;
/** Evidence is written once by a copy and read through signed links: never deleted by the API (lifecycle does). */
export const EVIDENCE_OBJECT_ACTIONS = ['s3:PutObject', 's3:GetObject'] as const;

/**
 * What the API does with photo objects (shared/storage s3MediaStore): sign upload forms for
 * uploads/ (a presigned POST acts with the signer's s3:PutObject), read what arrived (HeadObject
 * and a ranged GET are s3:GetObject), copy it to images/ (GetObject on the source, PutObject on the
 * target), and delete uploads after attaching and images on detach (s3:DeleteObject).
 */
export const IMAGE_OBJECT_ACTIONS = ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'] as const;

export interface ImagesBucketProps {
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Campaign photos: a private bucket and a CloudFront distribution that serves only images/.
 * Mini-programs upload straight to the bucket with presigned POST forms (the API never sees the
 * bytes) under uploads/, which expire unless the API attaches them; attaching copies them to the
 * immutable images/ keys the CDN serves (URL `https://<cdn>/<campaign>/<image>/<size>`).
 */
export class ImagesBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: ImagesBucketProps) {
    super(scope, id);

    this.bucket = new s3.Bucket(this, 'Bucket', {
      // Attached photos are write-once copies; detaching deletes on purpose (no versions to keep).
      ...PRIVATE_BUCKET_PROPS,
      lifecycleRules: [
        {
          id: 'expire-uploads',
          prefix: UPLOADS_PREFIX,
          expiration: Duration.days(UPLOADS_EXPIRE_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        { id: 'expire-evidence', prefix: EVIDENCE_PREFIX, expiration: Duration.days(EVIDENCE_EXPIRE_DAYS) },
      ],
      // No CORS: wx.uploadFile is the mini-program's native HTTP client, not a browser page, so it
      // sends no preflight and no Origin for S3 to check; <image> and wx.downloadFile read the CDN the same way.
      // Like the table: kept in prod, deleted with a dev stack (empty it first: aws s3 rm --recursive).
      removalPolicy: props.removalPolicy,
    });

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: 'Campaign photos: nosniff (an upload is served only as the type attach checked)',
      securityHeadersBehavior: { contentTypeOptions: { override: true } },
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Campaign photos (images/ of the photo bucket)',
      // PriceClass_200 already has the edges nearest mainland China (Hong Kong, Taiwan, Japan, Korea,
      // Singapore), where members and WeChat's image checker are; All adds Australia, New Zealand and
      // South America, where overseas Chinese communities run group-buys too. Photos are small (300 KB
      // at most in a list), so the dearer edges cost little; the same class as the API's edge.
      priceClass: cloudfront.PriceClass.PRICE_CLASS_ALL,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        // The origin path confines viewers to images/: uploads/ (not yet checked by anyone) stay private.
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket, { originPath: `/${IMAGES_PREFIX.replace(/\/$/, '')}` }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        // Honours the objects' Cache-Control (attach sets immutable); no query strings or cookies in
        // the key, so nobody can bust the cache around a photo.
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
      },
    });

    // OAC's own statement lets this distribution get any object; the origin path already confines
    // viewers to images/, and this makes it the bucket's word too: CloudFront never reads uploads/.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CdnReadsImagesOnly',
        effect: iam.Effect.DENY,
        principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        notResources: [this.bucket.arnForObjects(`${IMAGES_PREFIX}*`)],
      }),
    );

    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Every write is an upload form the API signed or a copy it made, both in the function log (campaign, image, actor); ' +
        'reads go through CloudFront. A log bucket would record nothing the app does not.',
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'Members are wherever their community is, and WeChat fetches each photo from mainland China to check it: no country may be blocked.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'Only cached GETs of immutable photos under unguessable ids; a web ACL (US$5/month plus per request, in a us-east-1 stack) ' +
          'would guard nothing the cache does not absorb. The API, where writes happen, has the optional WAF (-c edge=true).',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'Reads of public product photos decide nothing; CloudFront request and error metrics cover operations, and standard logs ' +
          'would need a bucket with ACLs enabled.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate cannot pin a minimum TLS version (CloudFront only honours it with a custom ' +
          'certificate); clients are WeChat mini-programs and its checker, TLS 1.2+.',
      },
    );
  }

  /** `https://<distribution>.cloudfront.net`: IMAGES_BASE_URL (maps onto images/). */
  get baseUrl(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }

  /** Where the upload forms post to (the bucket's regional endpoint): the mini-program's uploadFile 合法域名. */
  get uploadUrl(): string {
    return `https://${this.bucket.bucketRegionalDomainName}`;
  }

  /**
   * Least privilege for the API: IMAGE_OBJECT_ACTIONS on uploads/* and images/* only, and
   * s3:ListBucket on the bucket: without it S3 answers a missing upload with 403, and attach could
   * not tell "not uploaded yet" (404) from "denied".
   */
  grantApi(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: [...IMAGE_OBJECT_ACTIONS],
      resourceArns: [this.bucket.arnForObjects(`${UPLOADS_PREFIX}*`), this.bucket.arnForObjects(`${IMAGES_PREFIX}*`)],
    });
    // After-sale evidence (private, under evidence/): the copy from uploads/ and the signed links the member and staff read.
    iam.Grant.addToPrincipal({
      grantee,
      actions: [...EVIDENCE_OBJECT_ACTIONS],
      resourceArns: [this.bucket.arnForObjects(`${EVIDENCE_PREFIX}*`)],
    });
    iam.Grant.addToPrincipal({ grantee, actions: ['s3:ListBucket'], resourceArns: [this.bucket.bucketArn] });
    const principal = grantee.grantPrincipal as Partial<IConstruct>;
    if (!principal.node) return;
    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement);
    Validations.of(principal as IConstruct).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${UPLOADS_PREFIX}*]`,
        reason:
          'Upload keys are new per photo (uploads/<campaign>/<upload id>/<size>), so they can only be named by prefix: ' +
          'the statement is limited to objects under uploads/ and to put (the signed form), get and delete.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${IMAGES_PREFIX}*]`,
        reason:
          'Photo keys are new per photo (images/<campaign>/<image id>/<size>), so they can only be named by prefix: ' +
          'the statement is limited to objects under images/ and to put (the attach copy), get and delete (detach).',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${EVIDENCE_PREFIX}*]`,
        reason:
          'After-sale photo keys are new per photo (evidence/<campaign>/<upload id>/<size>), so they can only be named by prefix: ' +
          'the statement is limited to objects under evidence/ and to put (the copy) and get (signed links), never delete.',
      },
    );
  }
}
