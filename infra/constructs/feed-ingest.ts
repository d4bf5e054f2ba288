import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { TimeZone } from 'aws-cdk-lib/core';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { FEED_PK_PREFIX } from '../../functions/adapters/dynamodb-feed-state.ts';
import { REPEATED_FAILURES } from '../../functions/app/ingest.ts';
import { INGEST_SCHEDULE } from '../../functions/core/feeds/schedule.ts';
import { SOURCES_FILE } from '../../functions/core/feeds/sources.ts';
import { eventBridgeSchedule } from '../../functions/core/schedule/eventbridge-cron.ts';
import type { BroadsheetFunction } from './broadsheet-function.ts';
import { METRICS_NAMESPACE } from './broadsheet-function.ts';
import { SCHEDULE_RETRY_ATTEMPTS } from './digest-scheduling.ts';

/** What the ingest function reads and writes: only these, nothing else of the bucket or the table. */
export function grantFeedIngest(
  ingest: BroadsheetFunction,
  resources: { contentBucket: Bucket; issues: Table },
): void {
  resources.contentBucket.grantRead(ingest.role, SOURCES_FILE);
  resources.contentBucket.grantPut(ingest.role, 'articles/*');
  NagSuppressions.addResourceSuppressions(
    ingest.role,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'ingest writes new article objects, named as it finds them, under articles/ of the content bucket only',
        appliesTo: [{ regex: '/^Resource::<ContentBucket[0-9A-F]{8}\\.Arn>\\/articles\\/\\*$/g' }],
      },
    ],
    true,
  );
  // Feed state and taken-article keys live in the issues table under partition keys starting FEED.
  ingest.role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
      resources: [resources.issues.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${FEED_PK_PREFIX}*`] } },
    }),
  );
}

/** The hourly schedule (EventBridge Scheduler, `{}` as input) that runs the ingest function. */
export function addIngestSchedule(scope: Construct, ingest: IFunction, deadLetterQueue: IQueue): Schedule {
  const expression = eventBridgeSchedule(INGEST_SCHEDULE);
  if (!expression.ok) throw new Error(`ingest schedule: ${expression.reason}`);
  const role = new Role(scope, 'IngestSchedulerRole', {
    assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
    description: 'EventBridge Scheduler: invokes ingest every hour',
  });
  const schedule = new Schedule(scope, 'IngestSchedule', {
    description: `Fetch the feeds of ${SOURCES_FILE} ("${INGEST_SCHEDULE.cron}" in ${INGEST_SCHEDULE.timezone})`,
    schedule: ScheduleExpression.expression(expression.expression, TimeZone.of(INGEST_SCHEDULE.timezone)),
    target: new LambdaInvoke(ingest, {
      role,
      input: ScheduleTargetInput.fromObject({}),
      // A run is idempotent (taken articles are never written twice), so retrying one is safe.
      retryAttempts: SCHEDULE_RETRY_ATTEMPTS,
      maxEventAge: Duration.hours(1),
      deadLetterQueue,
    }),
  });
  NagSuppressions.addResourceSuppressions(
    role,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason: 'The scheduler target grant covers ingest and its versions/aliases (ARN:*), nothing else',
        appliesTo: [{ regex: '/^Resource::<IngestFunction[0-9A-F]{8}\\.Arn>:\\*$/g' }],
      },
    ],
    true,
  );
  return schedule;
}

/** Rings when a feed has failed REPEATED_FAILURES runs in a row (the function counts them each run). */
export function addIngestAlarm(scope: Construct, topic: ITopic): Alarm {
  const alarm = new Alarm(scope, 'FeedsFailingAlarm', {
    alarmDescription: `A feed of ${SOURCES_FILE} has failed ${REPEATED_FAILURES} or more runs in a row (broadsheet sources says why)`,
    metric: new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: 'FeedsFailingRepeatedly',
      dimensionsMap: { service: 'ingest' },
      period: Duration.hours(1),
      statistic: 'Maximum',
    }),
    threshold: 0,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new SnsAction(topic));
  return alarm;
}
