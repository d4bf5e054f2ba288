import { existsSync } from 'node:fs';
import path from 'node:path';
import { Annotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { ConfigError } from '../../functions/core/errors.ts';
import { lambdaBundling, PROJECT_ROOT, TEMPLATES_DIR_ON_LAMBDA, TEMPLATES_SOURCE_DIR } from '../bundling.ts';
import { type FunctionSpec, nodeOptionsOf } from '../functions.ts';

export const METRICS_NAMESPACE = 'Broadsheet';
export const LOG_RETENTION = RetentionDays.ONE_MONTH;

/** What the Lambda runtime's own libraries read (Powertools, Node.js), outside functions/config.ts. */
export function runtimeVariables(spec: FunctionSpec): Record<string, string> {
  return {
    POWERTOOLS_SERVICE_NAME: spec.serviceName,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    NODE_OPTIONS: nodeOptionsOf(spec),
  };
}

export interface BroadsheetFunctionProps {
  spec: FunctionSpec;
  /** The function's own variables; the construct adds the ones every function gets. */
  environment: Record<string, string>;
  logLevel: string;
}

/**
 * One handler as a Lambda function, set up the same way for all: nodejs24.x on arm64, an ESM bundle
 * (minified, source maps, AWS SDK external), X-Ray tracing, its own log group with retention, and a
 * role that may write only to that log group until grants add more.
 */
export class BroadsheetFunction extends Construct {
  public readonly function: NodejsFunction;
  public readonly logGroup: LogGroup;
  public readonly role: Role;

  public constructor(scope: Construct, id: string, props: BroadsheetFunctionProps) {
    super(scope, id);
    const { spec } = props;
    const entry = path.join(PROJECT_ROOT, spec.entry);
    if (!existsSync(entry)) {
      throw new ConfigError(
        `${spec.entry} does not exist: the ${spec.serviceName} function has no handler yet`,
      );
    }
    if (spec.copyTemplates && !existsSync(path.join(PROJECT_ROOT, TEMPLATES_SOURCE_DIR))) {
      throw new ConfigError(`${TEMPLATES_SOURCE_DIR}/ does not exist: ${spec.serviceName} renders templates`);
    }

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Broadsheet ${spec.serviceName} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry,
      handler: 'handler',
      description: spec.description,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_LATEST,
      architecture: Architecture.ARM_64,
      memorySize: spec.memorySize,
      timeout: Duration.seconds(spec.timeoutSeconds),
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      role: this.role,
      bundling: lambdaBundling(spec.copyTemplates),
      environment: {
        BROADSHEET_STAGE: 'aws',
        LOG_LEVEL: props.logLevel,
        ...runtimeVariables(spec),
        ...(spec.copyTemplates ? { TEMPLATES_DIR: TEMPLATES_DIR_ON_LAMBDA } : {}),
        ...props.environment,
      },
    });

    // NodejsFunction reports this on its scope, this construct.
    Annotations.of(this).acknowledgeWarning(
      '@aws-cdk/aws-lambda-nodejs:variableRuntimeExternals',
      'Only @aws-sdk/* is external, and every Node.js runtime Lambda offers ships AWS SDK v3',
    );
    NagSuppressions.addResourceSuppressions(
      this.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Only actions without resource-level permissions get "*": X-Ray PutTraceSegments/PutTelemetryRecords (tracing) and, for send-batch, ses:GetAccount (the account send rate)',
          appliesTo: ['Resource::*'],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason: 'Log streams are created at run time inside this function’s own log group',
          appliesTo: [{ regex: '/^Resource::<.*LogsA[0-9A-F]{7}\\.Arn>:\\*$/g' }],
        },
      ],
      true,
    );
  }
}
