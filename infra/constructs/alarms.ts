import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { FUNCTION_NAMES, FUNCTIONS } from '../functions.ts';
import type { DeploySettings } from '../settings.ts';
import { METRICS_NAMESPACE } from './broadsheet-function.ts';
import type { StatelessQueues } from './send-queues.ts';
import { type BroadsheetFunctions, pascal } from './stateless-functions.ts';

/** SES reviews an account at 5 % bounces and 0.1 % complaints; the alarms ring before that. */
export const BOUNCE_RATE_ALARM = 0.04;
export const COMPLAINT_RATE_ALARM = 0.0008;

export interface AlarmsProps {
  settings: DeploySettings;
  functions: BroadsheetFunctions;
  queues: StatelessQueues;
}

/** The alarm topic (mailed to `alarmEmail` if set) and every alarm that publishes to it. */
export function addAlarms(scope: Construct, props: AlarmsProps): Topic {
  const { settings } = props;
  const alarmTopic = new Topic(scope, 'AlarmTopic', { displayName: 'Broadsheet alarms', enforceSSL: true });
  if (settings.alarmEmail) alarmTopic.addSubscription(new EmailSubscription(settings.alarmEmail));
  NagSuppressions.addResourceSuppressions(alarmTopic, [
    {
      id: 'AwsSolutions-SNS2',
      reason:
        'Carries only alarm names and states; CloudWatch cannot publish to a topic under the AWS-managed SNS key, and a customer key would cost more than the data is worth',
    },
  ]);
  alarms(scope, alarmTopic, props);
  return alarmTopic;
}

function alarms(scope: Construct, alarmTopic: Topic, { functions, queues }: AlarmsProps): void {
  const { sendQueue, sendDlq, scheduleDlq, sesEventsDlq } = queues;
  const action = new SnsAction(alarmTopic);
  const alarm = (id: string, description: string, metric: IMetric, threshold: number) => {
    const created = new Alarm(scope, id, {
      alarmDescription: description,
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    created.addAlarmAction(action);
    return created;
  };
  const dlqs: [string, Queue, string][] = [
    ['SendDlqAlarm', sendDlq, 'Recipient batches failed 5 times and wait in the send DLQ'],
    ['ScheduleDlqAlarm', scheduleDlq, 'A digest schedule could not invoke build-issue'],
    ['SesEventsDlqAlarm', sesEventsDlq, 'SES events could not be delivered to ses-events'],
  ];
  for (const [id, queue, description] of dlqs) {
    alarm(
      id,
      description,
      queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      0,
    );
  }
  alarm(
    'SendQueueAgeAlarm',
    'The oldest recipient batch has waited over an hour: sending is stuck or far behind',
    sendQueue.metricApproximateAgeOfOldestMessage({
      period: Duration.minutes(5),
      statistic: 'Maximum',
    }),
    3600,
  );
  for (const name of FUNCTION_NAMES) {
    alarm(
      `${pascal(name)}ErrorsAlarm`,
      `${FUNCTIONS[name].serviceName} failed (invocation errors)`,
      functions[name].function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      0,
    );
  }
  // Application metrics (EMF, namespace Broadsheet, dimension service): what an operator must hear about.
  const appMetric = (service: string, metricName: string) =>
    new Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { service },
      period: Duration.minutes(5),
      statistic: 'Sum',
    });
  const appAlarms: [string, string, string, string][] = [
    [
      'IssuesFailedAlarm',
      'build-issue',
      'IssuesFailed',
      'An issue could not be built (content or templates) and was marked failed',
    ],
    [
      'IssuesNotStartedAlarm',
      'build-issue',
      'IssuesNotStarted',
      'A schedule or request named an unknown digest or met invalid content config',
    ],
    [
      'SendingPausedAlarm',
      'send-batch',
      'AccountSendingPaused',
      'SES refuses to send for the account: issues are stopped',
    ],
    [
      'SendUnknownAlarm',
      'send-batch',
      'SendUnknown',
      'A send started and was never recorded: a reader may have missed an issue',
    ],
  ];
  for (const [id, service, metricName, description] of appAlarms) {
    alarm(id, description, appMetric(service, metricName), 0);
  }
  const sesMetric = (metricName: string) =>
    new Metric({ namespace: 'AWS/SES', metricName, period: Duration.minutes(15), statistic: 'Maximum' });
  alarm(
    'BounceRateAlarm',
    `SES account bounce rate above ${BOUNCE_RATE_ALARM * 100} % (AWS reviews the account at 5 %)`,
    sesMetric('Reputation.BounceRate'),
    BOUNCE_RATE_ALARM,
  );
  alarm(
    'ComplaintRateAlarm',
    `SES account complaint rate above ${COMPLAINT_RATE_ALARM * 100} % (AWS reviews the account at 0.1 %)`,
    sesMetric('Reputation.ComplaintRate'),
    COMPLAINT_RATE_ALARM,
  );
}
