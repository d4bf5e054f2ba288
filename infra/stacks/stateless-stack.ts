import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  DomainName,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
} from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { TimeZone } from 'aws-cdk-lib/core';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { BroadsheetFunction, METRICS_NAMESPACE } from '../constructs/broadsheet-function.ts';
import type { DigestSchedule } from '../digest-schedules.ts';
import { FUNCTION_NAMES, FUNCTIONS, type FunctionName, SEND_BATCH_TIMEOUT_SECONDS } from '../functions.ts';
import type { DeploySettings } from '../settings.ts';
import type { StatefulStack } from './stateful-stack.ts';

/** An SQS message is one batch of up to 50 recipients; a worker takes one message at a time. */
export const SEND_BATCH_SIZE = 1;
export const SEND_QUEUE_MAX_RECEIVE_COUNT = 5;
/** AWS asks for a visibility timeout of at least six times the consumer's timeout. */
export const SEND_QUEUE_VISIBILITY_SECONDS = 6 * SEND_BATCH_TIMEOUT_SECONDS;
export const SCHEDULE_RETRY_ATTEMPTS = 3;
/** SES reviews an account at 5 % bounces and 0.1 % complaints; the alarms ring before that. */
export const BOUNCE_RATE_ALARM = 0.04;
export const COMPLAINT_RATE_ALARM = 0.0008;

export const PUBLIC_ROUTES: { path: string; methods: HttpMethod[] }[] = [
  { path: '/', methods: [HttpMethod.GET] },
  { path: '/subscribe', methods: [HttpMethod.POST] },
  { path: '/confirm', methods: [HttpMethod.GET] },
  { path: '/unsubscribe', methods: [HttpMethod.GET, HttpMethod.POST] },
  { path: '/preferences', methods: [HttpMethod.GET, HttpMethod.POST] },
];
export const OPERATOR_ROUTES: { path: string; methods: HttpMethod[] }[] = [
  { path: '/issues', methods: [HttpMethod.GET, HttpMethod.POST] },
  { path: '/issues/{issueId}', methods: [HttpMethod.GET] },
  { path: '/issues/{issueId}/resume', methods: [HttpMethod.POST] },
];
/** How often build-issue looks for stalled issues to resume (`{ action: "resume-stalled" }`). */
export const RECOVERY_SCHEDULE = 'rate(5 minutes)';

/**
 * How cdk-nag names the ARN of a stateful resource whose logical id ends in `kind`: as a reference
 * (`<ContentBucket52D4B12C.Arn>`) or, once resolved, as the stateful stack's export.
 */
function crossStackArn(kind: 'Bucket' | 'Table'): string {
  return `(<\\w*${kind}[0-9A-F]{8}\\.Arn>|\\w+:ExportsOutputFnGetAtt\\w*${kind}[0-9A-F]{8}Arn[0-9A-F]{8})`;
}

function pascal(name: string): string {
  return `${name.slice(0, 1).toUpperCase()}${name.slice(1)}`;
}

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

  public constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { settings, stateful } = props;
    const {
      SUBSCRIBERS_TABLE: subscribers,
      ISSUES_TABLE: issues,
      DELIVERIES_TABLE: deliveries,
    } = stateful.tables;

    const sendDlq = this.queue('SendDeadLetterQueue', { retentionPeriod: Duration.days(14) });
    this.sendQueue = this.queue('SendQueue', {
      visibilityTimeout: Duration.seconds(SEND_QUEUE_VISIBILITY_SECONDS),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: sendDlq, maxReceiveCount: SEND_QUEUE_MAX_RECEIVE_COUNT },
    });
    NagSuppressions.addResourceSuppressions(sendDlq, [
      { id: 'AwsSolutions-SQS3', reason: 'This is the dead-letter queue of the send queue' },
    ]);
    const scheduleDlq = this.queue('ScheduleDeadLetterQueue', { retentionPeriod: Duration.days(14) });
    const sesEventsDlq = this.queue('SesEventsDeadLetterQueue', { retentionPeriod: Duration.days(14) });
    for (const [queue, of] of [
      [scheduleDlq, 'the digest schedules (EventBridge Scheduler target)'],
      [sesEventsDlq, 'the SES events rule (EventBridge target)'],
    ] as const) {
      NagSuppressions.addResourceSuppressions(queue, [
        {
          id: 'AwsSolutions-SQS3',
          reason: `This is the dead-letter queue of ${of}; nothing consumes it but an operator`,
        },
      ]);
    }

    this.api = new HttpApi(this, 'HttpApi', {
      description: 'Broadsheet: public sign-up pages and operator routes',
      createDefaultStage: false,
    });
    const customDomain =
      settings.apiDomainName && settings.apiCertificateArn
        ? new DomainName(this, 'ApiDomain', {
            domainName: settings.apiDomainName,
            certificate: Certificate.fromCertificateArn(this, 'ApiCertificate', settings.apiCertificateArn),
          })
        : undefined;
    const publicBaseUrl = customDomain ? `https://${settings.apiDomainName}` : this.api.apiEndpoint;

    const sesIdentityArn = stateful.sesIdentityArn;
    const configurationSetArn = this.formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: stateful.configurationSet.configurationSetName,
    });
    const configurationSetName = stateful.configurationSet.configurationSetName;

    const environments: Record<FunctionName, Record<string, string>> = {
      httpApi: {
        SUBSCRIBERS_TABLE: subscribers.tableName,
        CONTENT_BUCKET: stateful.contentBucket.bucketName,
        PUBLIC_BASE_URL: publicBaseUrl,
        TOKEN_SECRET_ARN: stateful.tokenSecret.secretArn,
        SYSTEM_SENDER: settings.systemSender,
        UNSUBSCRIBE_MAILBOX: settings.unsubscribeMailbox,
        SES_CONFIGURATION_SET: configurationSetName,
      },
      buildIssue: {
        ISSUES_TABLE: issues.tableName,
        SUBSCRIBERS_TABLE: subscribers.tableName,
        DELIVERIES_TABLE: deliveries.tableName,
        ISSUES_BUCKET: stateful.issuesBucket.bucketName,
        CONTENT_BUCKET: stateful.contentBucket.bucketName,
        SEND_QUEUE_URL: this.sendQueue.queueUrl,
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
      },
    };

    this.functions = Object.fromEntries(
      FUNCTION_NAMES.map((name) => [
        name,
        new BroadsheetFunction(this, `${pascal(name)}Function`, {
          spec: FUNCTIONS[name],
          environment: environments[name],
          logLevel: settings.logLevel,
        }),
      ]),
    ) as Record<FunctionName, BroadsheetFunction>;
    const { httpApi, buildIssue, sendBatch, sesEvents } = this.functions;

    // Grants: each function gets exactly what its variables point at.
    subscribers.grantReadWriteData(httpApi.role);
    stateful.contentBucket.grantRead(httpApi.role);
    stateful.tokenSecret.grantRead(httpApi.role);
    httpApi.role.addToPrincipalPolicy(this.sesSendStatement(sesIdentityArn, configurationSetArn));

    issues.grantReadWriteData(buildIssue.role);
    subscribers.grantReadData(buildIssue.role);
    // Resuming an issue records its pages, judges abandoned claims and counts settled batches.
    deliveries.grantReadWriteData(buildIssue.role);
    stateful.issuesBucket.grantRead(buildIssue.role);
    stateful.issuesBucket.grantPut(buildIssue.role);
    stateful.contentBucket.grantRead(buildIssue.role);
    this.sendQueue.grantSendMessages(buildIssue.role);

    deliveries.grantReadWriteData(sendBatch.role);
    issues.grantReadWriteData(sendBatch.role);
    subscribers.grantReadData(sendBatch.role);
    stateful.issuesBucket.grantRead(sendBatch.role);
    stateful.tokenSecret.grantRead(sendBatch.role);
    sendBatch.role.addToPrincipalPolicy(this.sesSendStatement(sesIdentityArn, configurationSetArn));
    sendBatch.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['ses:GetAccount'], resources: ['*'] }),
    );

    subscribers.grantReadWriteData(sesEvents.role);

    sendBatch.function.addEventSource(
      new SqsEventSource(this.sendQueue, {
        batchSize: SEND_BATCH_SIZE,
        reportBatchItemFailures: true,
        maxConcurrency: settings.sendMaxConcurrency,
      }),
    );

    this.httpRoutes(httpApi, buildIssue);
    this.apiStage(settings, customDomain);

    const schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
      description: 'EventBridge Scheduler: invokes build-issue for each digest schedule',
    });
    for (const schedule of props.schedules) {
      new Schedule(this, `Schedule-${schedule.digestId}`, {
        description: `Digest ${schedule.digestId}: "${schedule.sourceCron}" in ${schedule.timezone}`,
        schedule: ScheduleExpression.expression(schedule.expression, TimeZone.of(schedule.timezone)),
        target: new LambdaInvoke(buildIssue.function, {
          role: schedulerRole,
          // The run's time, so each run is its own issue (`…-2026-12-07T0700`) and a retried run finds it.
          input: ScheduleTargetInput.fromObject({
            digestId: schedule.digestId,
            scheduledTime: ContextAttribute.scheduledTime,
          }),
          retryAttempts: SCHEDULE_RETRY_ATTEMPTS,
          maxEventAge: Duration.hours(1),
          deadLetterQueue: scheduleDlq,
        }),
      });
    }

    new Schedule(this, 'RecoverySchedule', {
      description: 'Resume issues stalled in building or sending (a crashed builder, lost messages)',
      schedule: ScheduleExpression.expression(RECOVERY_SCHEDULE),
      target: new LambdaInvoke(buildIssue.function, {
        role: schedulerRole,
        input: ScheduleTargetInput.fromObject({ action: 'resume-stalled' }),
        retryAttempts: 0,
        maxEventAge: Duration.minutes(5),
        deadLetterQueue: scheduleDlq,
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

    new Rule(this, 'SesEventsRule', {
      description: 'SES bounce, complaint, delivery and reject events of the Broadsheet configuration set',
      eventPattern: {
        source: ['aws.ses'],
        detailType: ['Email Bounced', 'Email Complained', 'Email Delivered', 'Email Rejected'],
        detail: { mail: { tags: { 'ses:configuration-set': [configurationSetName] } } },
      },
      targets: [
        new LambdaFunction(sesEvents.function, {
          retryAttempts: 3,
          maxEventAge: Duration.hours(6),
          deadLetterQueue: sesEventsDlq,
        }),
      ],
    });

    this.alarmTopic = new Topic(this, 'AlarmTopic', { displayName: 'Broadsheet alarms', enforceSSL: true });
    if (settings.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(settings.alarmEmail));
    NagSuppressions.addResourceSuppressions(this.alarmTopic, [
      {
        id: 'AwsSolutions-SNS2',
        reason:
          'Carries only alarm names and states; CloudWatch cannot publish to a topic under the AWS-managed SNS key, and a customer key would cost more than the data is worth',
      },
    ]);
    this.alarms(sendDlq, scheduleDlq, sesEventsDlq);

    new CfnOutput(this, 'ApiUrl', {
      value: publicBaseUrl,
      description: 'PUBLIC_BASE_URL: sign-up page and operator routes',
    });
    new CfnOutput(this, 'SendQueueUrl', { value: this.sendQueue.queueUrl });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
    this.suppressGrantWildcards();
  }

  private queue(id: string, props: ConstructorParameters<typeof Queue>[2]): Queue {
    return new Queue(this, id, { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, ...props });
  }

  private sesSendStatement(identityArn: string, configurationSetArn: string): PolicyStatement {
    return new PolicyStatement({
      actions: ['ses:SendEmail', 'ses:SendRawEmail'],
      resources: [identityArn, configurationSetArn],
    });
  }

  private httpRoutes(httpApi: BroadsheetFunction, buildIssue: BroadsheetFunction): void {
    const publicIntegration = new HttpLambdaIntegration('PublicPages', httpApi.function);
    const publicRoutes = PUBLIC_ROUTES.flatMap((route) =>
      this.api.addRoutes({ path: route.path, methods: route.methods, integration: publicIntegration }),
    );
    // Any other method or path reaches http-api too, which answers with its own 404/405 page instead
    // of API Gateway's bare {"message":"Not Found"}; the IAM routes below are more specific and win.
    publicRoutes.push(
      new HttpRoute(this, 'CatchAllRoute', {
        httpApi: this.api,
        routeKey: HttpRouteKey.DEFAULT,
        integration: publicIntegration,
      }),
    );
    for (const route of publicRoutes) {
      NagSuppressions.addResourceSuppressions(route, [
        {
          id: 'AwsSolutions-APIG4',
          reason:
            'Public sign-up, confirm, unsubscribe and preferences pages: anyone may call them; changes need a signed, expiring token',
        },
      ]);
    }
    const operatorIntegration = new HttpLambdaIntegration('OperatorIssues', buildIssue.function);
    const authorizer = new HttpIamAuthorizer();
    for (const route of OPERATOR_ROUTES) {
      this.api.addRoutes({
        path: route.path,
        methods: route.methods,
        integration: operatorIntegration,
        authorizer,
      });
    }
  }

  private apiStage(settings: DeploySettings, customDomain: DomainName | undefined): void {
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.ONE_MONTH });
    new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: settings.apiThrottleRate, burstLimit: settings.apiThrottleBurst },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            route: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            bytes: '$context.responseLength',
            integrationError: '$context.integrationErrorMessage',
            caller: '$context.identity.caller',
          }),
        ),
      },
      ...(customDomain ? { domainMapping: { domainName: customDomain } } : {}),
    });
  }

  private alarms(sendDlq: Queue, scheduleDlq: Queue, sesEventsDlq: Queue): void {
    const action = new SnsAction(this.alarmTopic);
    const alarm = (id: string, description: string, metric: IMetric, threshold: number) => {
      const created = new Alarm(this, id, {
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
      this.sendQueue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      3600,
    );
    for (const name of FUNCTION_NAMES) {
      alarm(
        `${pascal(name)}ErrorsAlarm`,
        `${FUNCTIONS[name].serviceName} failed (invocation errors)`,
        this.functions[name].function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
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

  /** cdk-nag reasons for the wildcards that `grant*` methods write, each scoped to one resource. */
  private suppressGrantWildcards(): void {
    for (const name of FUNCTION_NAMES) {
      NagSuppressions.addResourceSuppressions(
        this.functions[name].role,
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
}
