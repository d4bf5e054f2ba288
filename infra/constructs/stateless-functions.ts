import { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import type { EnvironmentOf, FUNCTION_ENV } from '../../functions/config.ts';
import { FUNCTION_NAMES, FUNCTIONS, type FunctionName } from '../functions.ts';
import type { DeploySettings } from '../settings.ts';
import type { StatefulStack } from '../stacks/stateful-stack.ts';
import { BroadsheetFunction } from './broadsheet-function.ts';
import { grantFeedIngest } from './feed-ingest.ts';
import { SEND_BATCH_SIZE } from './send-queues.ts';

export type BroadsheetFunctions = Record<FunctionName, BroadsheetFunction>;

export interface StatelessFunctionsProps {
  settings: DeploySettings;
  stateful: StatefulStack;
  sendQueue: Queue;
  publicBaseUrl: string;
}

export function pascal(name: string): string {
  return `${name.slice(0, 1).toUpperCase()}${name.slice(1)}`;
}

/**
 * How cdk-nag names the ARN of a stateful resource whose logical id ends in `kind`: as a reference
 * (`<ContentBucket52D4B12C.Arn>`) or, once resolved, as the stateful stack's export.
 */
function crossStackArn(kind: 'Bucket' | 'Table'): string {
  return `(<\\w*${kind}[0-9A-F]{8}\\.Arn>|\\w+:ExportsOutputFnGetAtt\\w*${kind}[0-9A-F]{8}Arn[0-9A-F]{8})`;
}

function sesSendStatement(identityArn: string, configurationSetArn: string): PolicyStatement {
  return new PolicyStatement({
    actions: ['ses:SendEmail', 'ses:SendRawEmail'],
    resources: [identityArn, configurationSetArn],
  });
}

/**
 * Every handler as a BroadsheetFunction with its variables, the grants those variables call for, and
 * send-batch fed by the send queue.
 */
export function statelessFunctions(scope: Construct, props: StatelessFunctionsProps): BroadsheetFunctions {
  const { settings, stateful, sendQueue, publicBaseUrl } = props;
  const {
    SUBSCRIBERS_TABLE: subscribers,
    ISSUES_TABLE: issues,
    DELIVERIES_TABLE: deliveries,
  } = stateful.tables;

  const sesIdentityArn = stateful.sesIdentityArn;
  const configurationSetArn = Stack.of(scope).formatArn({
    service: 'ses',
    resource: 'configuration-set',
    resourceName: stateful.configurationSet.configurationSetName,
  });
  const configurationSetName = stateful.configurationSet.configurationSetName;

  // Each checked against its function's schema (functions/config.ts); the construct adds the common ones.
  const environments: { [F in FunctionName]: EnvironmentOf<(typeof FUNCTION_ENV)[F]> } = {
    httpApi: {
      SUBSCRIBERS_TABLE: subscribers.tableName,
      // Click and open tracking: the issue's links (bucket), flags (deliveries) and counters (issues).
      ISSUES_TABLE: issues.tableName,
      DELIVERIES_TABLE: deliveries.tableName,
      ISSUES_BUCKET: stateful.issuesBucket.bucketName,
      CONTENT_BUCKET: stateful.contentBucket.bucketName,
      PUBLIC_BASE_URL: publicBaseUrl,
      TOKEN_SECRET_ARN: stateful.tokenSecret.secretArn,
      OPERATOR_SECRET_ARN: stateful.operatorSecret.secretArn,
      UNSUBSCRIBE_MAILBOX: settings.unsubscribeMailbox,
      SES_CONFIGURATION_SET: configurationSetName,
    },
    buildIssue: {
      ISSUES_TABLE: issues.tableName,
      SUBSCRIBERS_TABLE: subscribers.tableName,
      DELIVERIES_TABLE: deliveries.tableName,
      ISSUES_BUCKET: stateful.issuesBucket.bucketName,
      CONTENT_BUCKET: stateful.contentBucket.bucketName,
      SEND_QUEUE_URL: sendQueue.queueUrl,
      PUBLIC_BASE_URL: publicBaseUrl,
      ARCHIVE_BASE_URL: stateful.archiveBaseUrl,
    },
    sendBatch: {
      DELIVERIES_TABLE: deliveries.tableName,
      ISSUES_TABLE: issues.tableName,
      SUBSCRIBERS_TABLE: subscribers.tableName,
      ISSUES_BUCKET: stateful.issuesBucket.bucketName,
      TOKEN_SECRET_ARN: stateful.tokenSecret.secretArn,
      PUBLIC_BASE_URL: publicBaseUrl,
      UNSUBSCRIBE_MAILBOX: settings.unsubscribeMailbox,
      SES_CONFIGURATION_SET: configurationSetName,
      SEND_MAX_CONCURRENCY: String(settings.sendMaxConcurrency),
      ...(settings.sendRateCap === undefined ? {} : { SEND_RATE_CAP: String(settings.sendRateCap) }),
    },
    sesEvents: {
      SUBSCRIBERS_TABLE: subscribers.tableName,
      ISSUES_TABLE: issues.tableName,
      DELIVERIES_TABLE: deliveries.tableName,
    },
    inboundUnsubscribe: {
      SUBSCRIBERS_TABLE: subscribers.tableName,
      TOKEN_SECRET_ARN: stateful.tokenSecret.secretArn,
      UNSUBSCRIBE_MAILBOX: settings.unsubscribeMailbox,
    },
    ingest: {
      CONTENT_BUCKET: stateful.contentBucket.bucketName,
      ISSUES_TABLE: issues.tableName,
    },
  };

  const functions = Object.fromEntries(
    FUNCTION_NAMES.map((name) => [
      name,
      new BroadsheetFunction(scope, `${pascal(name)}Function`, {
        spec: FUNCTIONS[name],
        environment: environments[name],
        logLevel: settings.logLevel,
      }),
    ]),
  ) as BroadsheetFunctions;
  const { httpApi, buildIssue, sendBatch, sesEvents, inboundUnsubscribe, ingest } = functions;

  // Grants: each function gets exactly what its variables point at.
  subscribers.grantReadWriteData(httpApi.role);
  stateful.contentBucket.grantRead(httpApi.role);
  stateful.tokenSecret.grantRead(httpApi.role);
  stateful.operatorSecret.grantRead(httpApi.role);
  httpApi.role.addToPrincipalPolicy(sesSendStatement(sesIdentityArn, configurationSetArn));
  issues.grantReadWriteData(httpApi.role);
  deliveries.grantReadWriteData(httpApi.role);
  stateful.issuesBucket.grantRead(httpApi.role);

  issues.grantReadWriteData(buildIssue.role);
  subscribers.grantReadData(buildIssue.role);
  // Resuming an issue records its pages, judges abandoned claims and counts settled batches.
  deliveries.grantReadWriteData(buildIssue.role);
  stateful.issuesBucket.grantRead(buildIssue.role);
  stateful.issuesBucket.grantPut(buildIssue.role);
  stateful.contentBucket.grantRead(buildIssue.role);
  sendQueue.grantSendMessages(buildIssue.role);

  deliveries.grantReadWriteData(sendBatch.role);
  issues.grantReadWriteData(sendBatch.role);
  subscribers.grantReadData(sendBatch.role);
  stateful.issuesBucket.grantRead(sendBatch.role);
  stateful.tokenSecret.grantRead(sendBatch.role);
  sendBatch.role.addToPrincipalPolicy(sesSendStatement(sesIdentityArn, configurationSetArn));
  sendBatch.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['ses:GetAccount'], resources: ['*'] }));

  subscribers.grantReadWriteData(sesEvents.role);
  // Deliveries, bounces and complaints in the issues' numbers.
  issues.grantReadWriteData(sesEvents.role);
  deliveries.grantReadWriteData(sesEvents.role);

  // Unsubscribing reads a subscriber and rewrites its items (profile, address, memberships): no index, no scan.
  inboundUnsubscribe.role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
      ],
      resources: [subscribers.tableArn],
    }),
  );
  stateful.tokenSecret.grantRead(inboundUnsubscribe.role);

  grantFeedIngest(ingest, { contentBucket: stateful.contentBucket, issues });

  sendBatch.function.addEventSource(
    new SqsEventSource(sendQueue, {
      batchSize: SEND_BATCH_SIZE,
      reportBatchItemFailures: true,
      maxConcurrency: settings.sendMaxConcurrency,
    }),
  );
  return functions;
}

/** cdk-nag reasons for the wildcards that `grant*` methods write, each scoped to one resource. */
export function suppressGrantWildcards(functions: BroadsheetFunctions): void {
  for (const name of FUNCTION_NAMES) {
    NagSuppressions.addResourceSuppressions(
      functions[name].role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'grantRead/grantPut on one bucket: object actions (s3:GetObject*, s3:List*, s3:Abort*, …) on its objects',
          appliesTo: [
            'Action::s3:GetObject*',
            'Action::s3:GetBucket*',
            'Action::s3:List*',
            'Action::s3:Abort*',
            { regex: `/^Resource::${crossStackArn('Bucket')}\\/\\*$/g` },
          ],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'grantRead*Data/grantReadWriteData on one table includes its gsi1 index (queries by the secondary key)',
          appliesTo: [{ regex: `/^Resource::${crossStackArn('Table')}\\/index\\/\\*$/g` }],
        },
      ],
      true,
    );
  }
}
