import path from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
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
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  ConfigurationSet,
  ConfigurationSetEventDestination,
  DkimIdentity,
  EasyDkimSigningKeyLength,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { GSI1, TABLES, type TableDesign, TTL_ATTRIBUTE } from '../../functions/adapters/dynamodb-tables.ts';
import { PROJECT_ROOT } from '../bundling.ts';
import { archiveHeadersPolicy } from '../constructs/archive-headers-policy.ts';
import type { DeploySettings } from '../settings.ts';

/** The archive's key prefix in the issues bucket, and the only part of it CloudFront may read. */
export const ARCHIVE_PREFIX = 'archive';
/** SES events published to EventBridge for the ses-events function. */
export const SES_EVENT_TYPES = [
  EmailSendingEvent.BOUNCE,
  EmailSendingEvent.COMPLAINT,
  EmailSendingEvent.DELIVERY,
  EmailSendingEvent.REJECT,
];

/**
 * aws-cdk-lib declares `Bucket.isWebsite` as a getter of `boolean | undefined` and `IBucket.isWebsite` as
 * an optional property; under `exactOptionalPropertyTypes` that one difference stops a Bucket from
 * passing as an IBucket, which it is.
 */
function bucketRef(bucket: Bucket): IBucket {
  return bucket as IBucket;
}

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

export interface StatefulStackProps extends StackProps {
  settings: DeploySettings;
  /** Folder deployed to the content bucket; defaults to the project's `content/`. */
  contentDir?: string;
}

/**
 * What holds data or identity and must survive a redeploy: the tables, the buckets, the token secret,
 * the SES configuration set and identity, and the archive's CloudFront distribution (it lives with its
 * bucket because the bucket policy names the distribution).
 */
export class StatefulStack extends Stack {
  public readonly tables: Record<TableDesign['envVar'], Table>;
  public readonly contentBucket: Bucket;
  public readonly issuesBucket: Bucket;
  public readonly tokenSecret: Secret;
  public readonly configurationSet: ConfigurationSet;
  /** ARN of the SES identity mail is sent from (created here or existing). */
  public readonly sesIdentityArn: string;
  /** `https://…/archive`: base of the "view in browser" pages. */
  public readonly archiveBaseUrl: string;

  public constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { settings } = props;

    this.tables = Object.fromEntries(TABLES.map((design) => [design.envVar, this.table(design)])) as Record<
      TableDesign['envVar'],
      Table
    >;

    const accessLogs = new Bucket(this, 'AccessLogsBucket', {
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

    this.contentBucket = this.privateBucket('ContentBucket', bucketRef(accessLogs), 'content/', true);
    this.issuesBucket = this.privateBucket('IssuesBucket', bucketRef(accessLogs), 'issues/', false);

    const contentDeployment = new BucketDeployment(this, 'ContentDeployment', {
      sources: [Source.asset(props.contentDir ?? path.join(PROJECT_ROOT, 'content'))],
      destinationBucket: bucketRef(this.contentBucket),
      // Articles published by uploading to the bucket must survive the next deploy.
      prune: false,
      retainOnDelete: true,
    });
    this.suppressBucketDeploymentFindings(contentDeployment);

    const distribution = this.archiveDistribution(this.issuesBucket, bucketRef(accessLogs));
    this.archiveBaseUrl = `https://${distribution.distributionDomainName}/${ARCHIVE_PREFIX}`;

    this.tokenSecret = new Secret(this, 'TokenSigningSecret', {
      description: 'Broadsheet: HMAC key that signs confirm, unsubscribe and preferences links',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    NagSuppressions.addResourceSuppressions(this.tokenSecret, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'Rotating the signing key would break every unsubscribe link already in inboxes, which must keep working; rotate by hand with a grace period if it leaks',
      },
    ]);

    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    new ConfigurationSetEventDestination(this, 'SesEventsToEventBridge', {
      configurationSet: this.configurationSet,
      destination: EventDestination.eventBus(EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: SES_EVENT_TYPES,
    });

    this.sesIdentityArn = this.formatArn({
      service: 'ses',
      resource: 'identity',
      resourceName: settings.sesDomain,
    });
    if (settings.createSesIdentity) this.emailIdentity(settings);

    new CfnOutput(this, 'ContentBucketName', {
      value: this.contentBucket.bucketName,
      description: 'Publish an article: aws s3 cp FILE s3://BUCKET/articles/',
    });
    new CfnOutput(this, 'ArchiveBaseUrl', { value: this.archiveBaseUrl });
    new CfnOutput(this, 'ConfigurationSetName', { value: this.configurationSet.configurationSetName });
  }

  private table(design: TableDesign): Table {
    const table = new Table(
      this,
      `${design.logicalName[0]?.toUpperCase()}${design.logicalName.slice(1)}Table`,
      {
        partitionKey: { name: 'pk', type: AttributeType.STRING },
        sortKey: { name: 'sk', type: AttributeType.STRING },
        billingMode: BillingMode.PAY_PER_REQUEST,
        encryption: TableEncryption.AWS_MANAGED,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
        ...(design.ttl ? { timeToLiveAttribute: TTL_ATTRIBUTE } : {}),
      },
    );
    if (design.gsi1) {
      table.addGlobalSecondaryIndex({
        indexName: GSI1,
        partitionKey: { name: 'gsi1pk', type: AttributeType.STRING },
        sortKey: { name: 'gsi1sk', type: AttributeType.STRING },
      });
    }
    return table;
  }

  private privateBucket(id: string, accessLogs: IBucket, logPrefix: string, versioned: boolean): Bucket {
    return new Bucket(this, id, {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: logPrefix,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** CloudFront in front of the issues bucket; its origin access control may read `archive/*` only. */
  private archiveDistribution(bucket: Bucket, accessLogs: IBucket): Distribution {
    const directoryIndex = new CloudFrontFunction(this, 'ArchiveIndexFunction', {
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
    const originAccessControl = new S3OriginAccessControl(this, 'ArchiveOriginAccessControl', {
      description: 'Broadsheet archive: CloudFront signs its requests to the issues bucket',
      signing: Signing.SIGV4_ALWAYS,
    });
    const distribution = new Distribution(this, 'ArchiveDistribution', {
      comment: 'Broadsheet public archive (view in browser)',
      defaultBehavior: {
        origin: new ArchiveOrigin(bucketRef(bucket), originAccessControl),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: archiveHeadersPolicy(this),
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
            'AWS:SourceArn': this.formatArn({
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

  /** The content upload runs in a Lambda function and role that aws-cdk-lib writes and keeps up to date. */
  private suppressBucketDeploymentFindings(deployment: BucketDeployment): void {
    NagSuppressions.addResourceSuppressions(
      deployment.handlerRole,
      [
        {
          id: 'AwsSolutions-IAM4',
          reason: 'CDK BucketDeployment handler (deploy-time only) logs with AWSLambdaBasicExecutionRole',
          appliesTo: [
            'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
          ],
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
    for (const child of this.node.children) {
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

  private emailIdentity(settings: DeploySettings): void {
    const identity = new EmailIdentity(this, 'EmailIdentity', {
      identity: Identity.domain(settings.sesDomain),
      configurationSet: this.configurationSet,
      dkimIdentity: DkimIdentity.easyDkim(EasyDkimSigningKeyLength.RSA_2048_BIT),
      ...(settings.mailFromSubdomain
        ? { mailFromDomain: `${settings.mailFromSubdomain}.${settings.sesDomain}` }
        : {}),
    });
    identity.applyRemovalPolicy(RemovalPolicy.RETAIN);
    identity.dkimRecords.forEach((record, index) => {
      new CfnOutput(this, `DkimRecord${index + 1}`, {
        value: `${record.name} CNAME ${record.value}`,
        description: `Easy DKIM CNAME record ${index + 1} of 3 to add to the DNS of ${settings.sesDomain}`,
      });
    });
  }
}
