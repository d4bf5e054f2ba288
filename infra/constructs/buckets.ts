import path from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { PROJECT_ROOT } from '../bundling.ts';

/**
 * aws-cdk-lib declares `Bucket.isWebsite` as a getter of `boolean | undefined` and `IBucket.isWebsite` as
 * an optional property; under `exactOptionalPropertyTypes` that one difference stops a Bucket from
 * passing as an IBucket, which it is.
 */
export function bucketRef(bucket: Bucket): IBucket {
  return bucket as IBucket;
}

export interface StatefulBuckets {
  /** Server access logs of the other buckets, and CloudFront's logs. */
  accessLogs: IBucket;
  contentBucket: Bucket;
  issuesBucket: Bucket;
}

/**
 * The access-log bucket, the content bucket (versioned, filled from `contentDir` on deploy) and the
 * issues bucket, all private.
 */
export function statefulBuckets(scope: Construct, contentDir: string | undefined): StatefulBuckets {
  const accessLogs = new Bucket(scope, 'AccessLogsBucket', {
    encryption: BucketEncryption.S3_MANAGED,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    // CloudFront standard logging writes with ACLs.
    objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
    lifecycleRules: [{ expiration: Duration.days(90) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  NagSuppressions.addResourceSuppressions(accessLogs, [
    {
      id: 'AwsSolutions-S1',
      reason:
        'This is the access-log bucket of the other buckets and CloudFront; logging it into itself would loop',
    },
  ]);

  const contentBucket = privateBucket(scope, 'ContentBucket', bucketRef(accessLogs), 'content/', true);
  const issuesBucket = privateBucket(scope, 'IssuesBucket', bucketRef(accessLogs), 'issues/', false);

  const contentDeployment = new BucketDeployment(scope, 'ContentDeployment', {
    sources: [Source.asset(contentDir ?? path.join(PROJECT_ROOT, 'content'))],
    destinationBucket: bucketRef(contentBucket),
    // Articles published by uploading to the bucket must survive the next deploy.
    prune: false,
    retainOnDelete: true,
  });
  suppressBucketDeploymentFindings(scope, contentDeployment);

  return { accessLogs: bucketRef(accessLogs), contentBucket, issuesBucket };
}

function privateBucket(
  scope: Construct,
  id: string,
  accessLogs: IBucket,
  logPrefix: string,
  versioned: boolean,
): Bucket {
  return new Bucket(scope, id, {
    encryption: BucketEncryption.S3_MANAGED,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    versioned,
    serverAccessLogsBucket: accessLogs,
    serverAccessLogsPrefix: logPrefix,
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

/** The content upload runs in a Lambda function and role that aws-cdk-lib writes and keeps up to date. */
function suppressBucketDeploymentFindings(scope: Construct, deployment: BucketDeployment): void {
  NagSuppressions.addResourceSuppressions(
    deployment.handlerRole,
    [
      {
        id: 'AwsSolutions-IAM4',
        reason: 'CDK BucketDeployment handler (deploy-time only) logs with AWSLambdaBasicExecutionRole',
        appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
      },
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'CDK BucketDeployment copies the content asset from the CDK assets bucket into the content bucket: object actions on those two buckets only',
        appliesTo: [
          'Action::s3:GetObject*',
          'Action::s3:GetBucket*',
          'Action::s3:List*',
          'Action::s3:DeleteObject*',
          'Action::s3:Abort*',
          'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
          { regex: '/^Resource::<ContentBucket[0-9A-F]{8}\\.Arn>\\/\\*$/g' },
        ],
      },
    ],
    true,
  );
  // The handler is a singleton function created in the stack itself.
  for (const child of Stack.of(scope).node.children) {
    if (child.node.id.startsWith('Custom::CDKBucketDeployment')) {
      NagSuppressions.addResourceSuppressions(child, [
        {
          id: 'AwsSolutions-L1',
          reason: 'The runtime of the CDK BucketDeployment handler is chosen and updated by aws-cdk-lib',
        },
      ]);
    }
  }
}
