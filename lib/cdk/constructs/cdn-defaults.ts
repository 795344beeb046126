/** What livedrop's CloudFront distributions (the console's and the live view's) have in common. */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  HeadersFrameOption,
  HeadersReferrerPolicy,
  type ResponseSecurityHeadersBehavior,
} from 'aws-cdk-lib/aws-cloudfront';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/**
 * A bucket for CloudFront standard logs (and S3 server access logs): private, encrypted, TLS only, objects gone
 * after 90 days, kept when the stack goes. CloudFront delivers standard logs with ACLs, so this bucket (and only
 * this kind) keeps ACLs on.
 */
export const cdnLogBucket = (scope: Construct, id: string): Bucket =>
  new Bucket(scope, id, {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    encryption: BucketEncryption.S3_MANAGED,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
    lifecycleRules: [{ expiration: Duration.days(90) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });

/**
 * The given CSP, HSTS for a year with subdomains, nosniff, no framing and no referrer, over the origin's own. A page
 * that some origins may frame (`framable`) gets no X-Frame-Options, which cannot name origins: its CSP's
 * frame-ancestors says who may.
 */
export const securityHeaders = (
  contentSecurityPolicy: string,
  framable = false,
): ResponseSecurityHeadersBehavior => ({
  contentSecurityPolicy: { contentSecurityPolicy, override: true },
  contentTypeOptions: { override: true },
  ...(framable ? {} : { frameOptions: { frameOption: HeadersFrameOption.DENY, override: true } }),
  referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
  strictTransportSecurity: {
    accessControlMaxAge: Duration.days(365),
    includeSubdomains: true,
    override: true,
  },
});
