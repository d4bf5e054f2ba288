import { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
} from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { TimeZone } from 'aws-cdk-lib/core';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import type { DigestSchedule } from '../digest-schedules.ts';

export const SCHEDULE_RETRY_ATTEMPTS = 3;
/** How often build-issue looks for stalled issues to resume (`{ action: "resume-stalled" }`). */
export const RECOVERY_SCHEDULE = 'rate(5 minutes)';

export interface DigestSchedulingProps {
  schedules: DigestSchedule[];
  buildIssue: IFunction;
  /** Where invocations that still fail after their retries go. */
  deadLetterQueue: IQueue;
}

/** One EventBridge Scheduler schedule per digest, and the recovery schedule, all invoking build-issue. */
export function addDigestScheduling(scope: Construct, props: DigestSchedulingProps): void {
  const { buildIssue, deadLetterQueue } = props;
  const schedulerRole = new Role(scope, 'SchedulerRole', {
    assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
    description: 'EventBridge Scheduler: invokes build-issue for each digest schedule',
  });
  for (const schedule of props.schedules) {
    new Schedule(scope, `Schedule-${schedule.digestId}`, {
      description: `Digest ${schedule.digestId}: "${schedule.sourceCron}" in ${schedule.timezone}`,
      schedule: ScheduleExpression.expression(schedule.expression, TimeZone.of(schedule.timezone)),
      target: new LambdaInvoke(buildIssue, {
        role: schedulerRole,
        // The run's time, so each run is its own issue (`…-2026-12-07T0700`) and a retried run finds it.
        input: ScheduleTargetInput.fromObject({
          digestId: schedule.digestId,
          scheduledTime: ContextAttribute.scheduledTime,
        }),
        retryAttempts: SCHEDULE_RETRY_ATTEMPTS,
        maxEventAge: Duration.hours(1),
        deadLetterQueue,
      }),
    });
  }

  new Schedule(scope, 'RecoverySchedule', {
    description: 'Resume issues stalled in building or sending (a crashed builder, lost messages)',
    schedule: ScheduleExpression.expression(RECOVERY_SCHEDULE),
    target: new LambdaInvoke(buildIssue, {
      role: schedulerRole,
      input: ScheduleTargetInput.fromObject({ action: 'resume-stalled' }),
      retryAttempts: 0,
      maxEventAge: Duration.minutes(5),
      deadLetterQueue,
    }),
  });

  // After the targets, which create the role's policy.
  NagSuppressions.addResourceSuppressions(
    schedulerRole,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'The scheduler target grant covers build-issue and its versions/aliases (ARN:*), nothing else',
        appliesTo: [{ regex: '/^Resource::<BuildIssueFunction[0-9A-F]{8}\\.Arn>:\\*$/g' }],
      },
    ],
    true,
  );
}
