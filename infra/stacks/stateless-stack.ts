import { Aws, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { ReceiptRuleSet } from 'aws-cdk-lib/aws-ses';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { addAlarms } from '../constructs/alarms.ts';
import type { BroadsheetFunction } from '../constructs/broadsheet-function.ts';
import { addDigestScheduling } from '../constructs/digest-scheduling.ts';
import { addIngestAlarm, addIngestSchedule } from '../constructs/feed-ingest.ts';
import { addApiStage, addHttpRoutes, httpApi } from '../constructs/http-api.ts';
import { addInboundMail } from '../constructs/inbound-mail.ts';
import { statelessQueues } from '../constructs/send-queues.ts';
import { statelessFunctions, suppressGrantWildcards } from '../constructs/stateless-functions.ts';
import type { DigestSchedule } from '../digest-schedules.ts';
import type { FunctionName } from '../functions.ts';
import type { DeploySettings } from '../settings.ts';
import { STATELESS_OUTPUTS } from '../stack-outputs.ts';
import type { StatefulStack } from './stateful-stack.ts';

export { BOUNCE_RATE_ALARM, COMPLAINT_RATE_ALARM } from '../constructs/alarms.ts';
export { RECOVERY_SCHEDULE, SCHEDULE_RETRY_ATTEMPTS } from '../constructs/digest-scheduling.ts';
export {
  SEND_BATCH_SIZE,
  SEND_QUEUE_MAX_RECEIVE_COUNT,
  SEND_QUEUE_VISIBILITY_SECONDS,
} from '../constructs/send-queues.ts';

export interface StatelessStackProps extends StackProps {
  settings: DeploySettings;
  stateful: StatefulStack;
  schedules: DigestSchedule[];
}

/** Code and wiring, replaceable at will: functions, HTTP API, queues, schedules, SES events, alarms. */
export class StatelessStack extends Stack {
  public readonly functions: Record<FunctionName, BroadsheetFunction>;
  public readonly api: HttpApi;
  public readonly sendQueue: Queue;
  public readonly alarmTopic: Topic;
  public readonly inboundMail: ReceiptRuleSet;

  public constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { settings, stateful } = props;

    const queues = statelessQueues(this);
    this.sendQueue = queues.sendQueue;

    const { api, customDomain, publicBaseUrl } = httpApi(this, settings);
    this.api = api;

    this.functions = statelessFunctions(this, {
      settings,
      stateful,
      sendQueue: this.sendQueue,
      publicBaseUrl,
    });
    const { buildIssue, sesEvents, inboundUnsubscribe, ingest } = this.functions;

    addHttpRoutes(this, this.api, this.functions.httpApi, buildIssue);
    addApiStage(this, this.api, settings, customDomain);

    addDigestScheduling(this, {
      schedules: props.schedules,
      buildIssue: buildIssue.function,
      deadLetterQueue: queues.scheduleDlq,
    });

    new Rule(this, 'SesEventsRule', {
      description: 'SES bounce, complaint, delivery and reject events of the Broadsheet configuration set',
      eventPattern: {
        source: ['aws.ses'],
        detailType: ['Email Bounced', 'Email Complained', 'Email Delivered', 'Email Rejected'],
        detail: {
          mail: { tags: { 'ses:configuration-set': [stateful.configurationSet.configurationSetName] } },
        },
      },
      targets: [
        new LambdaFunction(sesEvents.function, {
          retryAttempts: 3,
          maxEventAge: Duration.hours(6),
          deadLetterQueue: queues.sesEventsDlq,
        }),
      ],
    });

    this.inboundMail = addInboundMail(this, {
      mailbox: settings.unsubscribeMailbox,
      inboundUnsubscribe: inboundUnsubscribe.function,
    });

    addIngestSchedule(this, ingest.function, queues.scheduleDlq);

    this.alarmTopic = addAlarms(this, { settings, functions: this.functions, queues });
    addIngestAlarm(this, this.alarmTopic);

    new CfnOutput(this, STATELESS_OUTPUTS.apiUrl, {
      value: publicBaseUrl,
      description: 'PUBLIC_BASE_URL: sign-up page and operator routes (broadsheet send --stack NAME)',
    });
    new CfnOutput(this, STATELESS_OUTPUTS.region, {
      value: Aws.REGION,
      description: 'The region the CLI signs operator requests for',
    });
    new CfnOutput(this, 'SendQueueUrl', { value: this.sendQueue.queueUrl });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
    suppressGrantWildcards(this.functions);
  }
}
