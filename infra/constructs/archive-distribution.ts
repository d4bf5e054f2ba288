import { Stack } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Function as CloudFrontFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HttpVersion,
  type OriginBindConfig,
  type OriginBindOptions,
  PriceClass,
  S3OriginAccessControl,
  Signing,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Bucket, IBucket } from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { archiveHeadersPolicy } from './archive-headers-policy.ts';
import { bucketRef } from './buckets.ts';

/** The archive's key prefix in the issues bucket, and the only part of it CloudFront may read. */
export const ARCHIVE_PREFIX = 'archive';

/**
 * The issues bucket as CloudFront origin, signed with an origin access control. Unlike
 * `S3BucketOrigin.withOriginAccessControl`, it grants nothing on the bucket: the stack grants
 * `s3:GetObject` on the archive prefix alone, so rendered issues stay private.
 */
class ArchiveOrigin extends S3BucketOrigin {
  private readonly originAccessControl: S3OriginAccessControl;

  public constructor(bucket: IBucket, originAccessControl: S3OriginAccessControl) {
    super(bucket);
    this.originAccessControl = originAccessControl;
  }

  public override bind(scope: Construct, options: OriginBindOptions): OriginBindConfig {
    const config = super.bind(scope, options);
    if (config.originProperty === undefined) return config;
    return {
      ...config,
      originProperty: {
        ...config.originProperty,
        originAccessControlId: this.originAccessControl.originAccessControlId,
      },
    };
  }
}

/** CloudFront in front of the issues bucket; its origin access control may read `archive/*` only. */
export function archiveDistribution(scope: Construct, bucket: Bucket, accessLogs: IBucket): Distribution {
  const directoryIndex = new CloudFrontFunction(scope, 'ArchiveIndexFunction', {
    runtime: FunctionRuntime.JS_2_0,
    comment: 'Serves index.html for folder URLs and sends / to the archive',
    code: FunctionCode.fromInline(`function handler(event) {
  var request = event.request;
  if (request.uri === '/' || request.uri === '/${ARCHIVE_PREFIX}') {
    return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: '/${ARCHIVE_PREFIX}/' } } };
  }
  if (request.uri.endsWith('/')) request.uri += 'index.html';
  return request;
}`),
  });
  const originAccessControl = new S3OriginAccessControl(scope, 'ArchiveOriginAccessControl', {
    description: 'Broadsheet archive: CloudFront signs its requests to the issues bucket',
    signing: Signing.SIGV4_ALWAYS,
  });
  const distribution = new Distribution(scope, 'ArchiveDistribution', {
    comment: 'Broadsheet public archive (view in browser)',
    defaultBehavior: {
      origin: new ArchiveOrigin(bucketRef(bucket), originAccessControl),
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: archiveHeadersPolicy(scope),
      functionAssociations: [{ function: directoryIndex, eventType: FunctionEventType.VIEWER_REQUEST }],
    },
    httpVersion: HttpVersion.HTTP2_AND_3,
    priceClass: PriceClass.PRICE_CLASS_100,
    enableLogging: true,
    logBucket: accessLogs,
    logFilePrefix: 'cloudfront/',
  });
  bucket.addToResourcePolicy(
    new PolicyStatement({
      sid: 'CloudFrontReadsTheArchiveOnly',
      effect: Effect.ALLOW,
      principals: [new ServicePrincipal('cloudfront.amazonaws.com')],
      actions: ['s3:GetObject'],
      resources: [bucket.arnForObjects(`${ARCHIVE_PREFIX}/*`)],
      conditions: {
        StringEquals: {
          'AWS:SourceArn': Stack.of(scope).formatArn({
            service: 'cloudfront',
            region: '',
            resource: 'distribution',
            resourceName: distribution.distributionId,
          }),
        },
      },
    }),
  );
  NagSuppressions.addResourceSuppressions(distribution, [
    {
      id: 'AwsSolutions-CFR4',
      reason:
        'The default *.cloudfront.net certificate cannot set a minimum TLS version; the archive holds only public pages',
    },
    { id: 'AwsSolutions-CFR1', reason: 'The archive is public worldwide by design; no geo restriction' },
    {
      id: 'AwsSolutions-CFR2',
      reason:
        'Static public pages served from cache only (GET/HEAD); a WAF adds cost without a threat to block',
    },
  ]);
  return distribution;
}
