import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * What every bucket of the stack is (exports, photos): S3-managed encryption, all public access
 * blocked, TLS only, bucket-owner objects (no ACLs; CloudFront's OAC needs that too) and no
 * versions (objects are written once and removed on purpose or by lifecycle).
 */
export const PRIVATE_BUCKET_PROPS = {
  encryption: s3.BucketEncryption.S3_MANAGED,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  versioned: false,
} as const satisfies s3.BucketProps;
