import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
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
import type { TableDesign } from '../../functions/adapters/dynamodb-tables.ts';
import { ARCHIVE_PREFIX, archiveDistribution } from '../constructs/archive-distribution.ts';
import { statefulBuckets } from '../constructs/buckets.ts';
import { broadsheetTables } from '../constructs/tables.ts';
import type { DeploySettings } from '../settings.ts';
import { STATEFUL_OUTPUTS } from '../stack-outputs.ts';

export { ARCHIVE_PREFIX } from '../constructs/archive-distribution.ts';

/** SES events published to EventBridge for the ses-events function. */
export const SES_EVENT_TYPES = [
  EmailSendingEvent.BOUNCE,
  EmailSendingEvent.COMPLAINT,
  EmailSendingEvent.DELIVERY,
  EmailSendingEvent.REJECT,
];

/** A generated secret kept when the stack goes; rotated by hand, for the reason given to cdk-nag. */
function handRotatedSecret(
  scope: Construct,
  id: string,
  options: { description: string; passwordLength: number; whyNotRotated: string },
): Secret {
  const secret = new Secret(scope, id, {
    description: options.description,
    generateSecretString: { passwordLength: options.passwordLength, excludePunctuation: true },
    removalPolicy: RemovalPolicy.RETAIN,
  });
  NagSuppressions.addResourceSuppressions(secret, [
    { id: 'AwsSolutions-SMG4', reason: options.whyNotRotated },
  ]);
  return secret;
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
  /** The operator console's sign-in token (`/admin`). */
  public readonly operatorSecret: Secret;
  public readonly configurationSet: ConfigurationSet;
  /** ARN of the SES identity mail is sent from (created here or existing). */
  public readonly sesIdentityArn: string;
  /** `https://…/archive`: base of the "view in browser" pages. */
  public readonly archiveBaseUrl: string;

  public constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { settings } = props;

    this.tables = broadsheetTables(this);

    const buckets = statefulBuckets(this, props.contentDir);
    this.contentBucket = buckets.contentBucket;
    this.issuesBucket = buckets.issuesBucket;

    const distribution = archiveDistribution(this, this.issuesBucket, buckets.accessLogs);
    this.archiveBaseUrl = `https://${distribution.distributionDomainName}/${ARCHIVE_PREFIX}`;

    this.tokenSecret = handRotatedSecret(this, 'TokenSigningSecret', {
      description: 'Broadsheet: HMAC key that signs confirm, unsubscribe and preferences links',
      passwordLength: 64,
      whyNotRotated:
        'Rotating the signing key would break every unsubscribe link already in inboxes, which must keep working; rotate by hand with a grace period if it leaks',
    });
    this.operatorSecret = handRotatedSecret(this, 'OperatorConsoleSecret', {
      description: 'Broadsheet: the token operators sign in to the /admin console with',
      passwordLength: 40,
      whyNotRotated:
        'A sign-in token people type: rotate it by hand (put a new value; every console session ends, as the session key includes it)',
    });

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

    this.cliOutputs();
    new CfnOutput(this, 'ArchiveBaseUrl', { value: this.archiveBaseUrl });
    new CfnOutput(this, 'ConfigurationSetName', { value: this.configurationSet.configurationSetName });
  }

  /** What `broadsheet … --stack NAME` reads (local/stack-outputs.ts), so no name is copied by hand. */
  private cliOutputs(): void {
    const tables = {
      subscribersTable: this.tables.SUBSCRIBERS_TABLE,
      issuesTable: this.tables.ISSUES_TABLE,
      deliveriesTable: this.tables.DELIVERIES_TABLE,
    };
    for (const [key, table] of Object.entries(tables) as [keyof typeof tables, Table][]) {
      new CfnOutput(this, STATEFUL_OUTPUTS[key], { value: table.tableName });
    }
    new CfnOutput(this, STATEFUL_OUTPUTS.contentBucket, {
      value: this.contentBucket.bucketName,
      description: 'Publish an article: aws s3 cp FILE s3://BUCKET/articles/',
    });
    new CfnOutput(this, STATEFUL_OUTPUTS.issuesBucket, { value: this.issuesBucket.bucketName });
    new CfnOutput(this, STATEFUL_OUTPUTS.tokenSecretArn, {
      value: this.tokenSecret.secretArn,
      description: 'Keys the erasure hashes of broadsheet subscribers add, import and erase',
    });
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
