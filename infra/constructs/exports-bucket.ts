import { type CfnElement, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, type IConstruct } from 'constructs';
import { PRIVATE_BUCKET_PROPS } from './private-bucket.js';

/** Where the API writes CSV exports too large for a response (shared/storage exportKey). */
export const EXPORTS_PREFIX = 'exports/';

/**
 * What the API does with an export: write it (single PutObject or multipart parts, both
 * s3:PutObject), abort a multipart upload that failed, and sign GET links (a presigned URL acts
 * with the signer's permissions). No list, no delete: lifecycle removes the files.
 */
export const EXPORT_OBJECT_ACTIONS = ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'] as const;

/** Where the API keeps 小程序码 it had WeChat make (shared/share-codes CODES_PREFIX). */
export const CODES_PREFIX = 'codes/';
/** A code is permanent, but one nobody asked for in this long (an ended campaign's) is made again on demand. */
export const CODES_EXPIRE_DAYS = 90;

export interface ExportsBucketProps {
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Private bucket for CSV exports (and the 小程序码 the API keeps under codes/), handed out only as short-lived presigned GET links: S3-managed
 * encryption, all public access blocked, TLS only, bucket-owner objects (no ACLs); exports expire
 * after a day and unfinished multipart uploads are aborted, so nothing piles up.
 */
export class ExportsBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ExportsBucketProps) {
    super(scope, id);

    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...PRIVATE_BUCKET_PROPS,
      lifecycleRules: [
        {
          id: 'expire-exports',
          prefix: EXPORTS_PREFIX,
          expiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        { id: 'expire-codes', prefix: CODES_PREFIX, expiration: Duration.days(CODES_EXPIRE_DAYS) },
      ],
      // Like the table: kept in prod, deleted with a dev stack (which fails while exports younger
      // than a day are in it; they are disposable, so empty it first: aws s3 rm --recursive).
      removalPolicy: props.removalPolicy,
    });

    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Objects are disposable exports that expire after a day; every one is written by the API, whose access log and ' +
        'function log (export stored: campaign, key, bytes) record who asked for it. A log bucket would outlive them.',
    });
  }

  /** ARN of every object under exports/ (object keys are random, so they can only be named by prefix). */
  get exportObjectsArn(): string {
    return this.bucket.arnForObjects(`${EXPORTS_PREFIX}*`);
  }

  /** Least privilege: exactly EXPORT_OBJECT_ACTIONS, on objects under exports/ only. */
  grantExports(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({ grantee, actions: [...EXPORT_OBJECT_ACTIONS], resourceArns: [this.exportObjectsArn] });
    const principal = grantee.grantPrincipal as Partial<IConstruct>;
    if (principal.node) {
      const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement);
      Validations.of(principal as IConstruct).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${EXPORTS_PREFIX}*]`,
        reason:
          'Export keys are random per file (exports/<campaign>/<sheet>-<uuid>.csv), so they can only be named by prefix: ' +
          'the statement is limited to objects under exports/ and to put, get and abort, never list or delete.',
      });
    }
    return grant;
  }

  /**
   * 小程序码: get and put under codes/, and list on the bucket: without s3:ListBucket, S3 answers a
   * code not yet made with 403 instead of 404, and the API could not tell "make it" from "denied".
   */
  grantCodes(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:PutObject'],
      resourceArns: [this.bucket.arnForObjects(`${CODES_PREFIX}*`)],
    });
    iam.Grant.addToPrincipal({ grantee, actions: ['s3:ListBucket'], resourceArns: [this.bucket.bucketArn] });
    const principal = grantee.grantPrincipal as Partial<IConstruct>;
    if (principal.node) {
      const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement);
      Validations.of(principal as IConstruct).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${CODES_PREFIX}*]`,
        reason:
          'A code is named by a hash of its scene, page, build and width (codes/<hash>), so codes can only be named by prefix: ' +
          'the statement is limited to objects under codes/ and to get and put, never delete.',
      });
    }
  }
}
