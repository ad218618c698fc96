import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import path from 'node:path';
import { REPO_ROOT } from '../repo-root.ts';
import type { FunctionSpec } from '../wiring/types.ts';
import { cdkBundlingOptions, RUNTIME_NODE_OPTIONS } from './bundling.ts';


export interface PaylasFunctionProps {
  name: string;
  spec: FunctionSpec;
  stage: string;
  logRetention: RetentionDays;
  /**
   * Where failed asynchronous invocations go (functions invoked by schedules).
   * Functions invoked synchronously or by a queue have none: the caller sees the
   * error, or the queue's own DLQ keeps the message.
   */
  deadLetterQueue?: IQueue;
}

/**
 * The house Lambda: safe defaults fixed once. nodejs24.x on ARM64, X-Ray
 * tracing, JSON logs into an explicit log group with retention, an ESM bundle
 * minified with source maps, and a role of its own that starts with nothing but
 * its log group — every other permission comes from a binding.
 */
export class PaylasFunction extends NodejsFunction {
  readonly logGroupResource: LogGroup;

  constructor(scope: Construct, id: string, props: PaylasFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      logGroupName: `/aws/lambda/paylas-${props.stage}-${props.name}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `paylas ${props.name}: ${props.spec.description}`,
    });
    super(scope, id, {
      functionName: `paylas-${props.stage}-${props.name}`,
      description: props.spec.description,
      entry: path.join(REPO_ROOT, props.spec.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.spec.memoryMb,
      timeout: Duration.seconds(props.spec.timeoutSeconds),
      tracing: Tracing.ACTIVE,
      loggingFormat: LoggingFormat.JSON,
      logGroup,
      role,
      ...(props.deadLetterQueue && { deadLetterQueue: props.deadLetterQueue }),
      environment: {
        NODE_OPTIONS: RUNTIME_NODE_OPTIONS,
        POWERTOOLS_SERVICE_NAME: `paylas-${props.name}`,
      },
      // One source for the esbuild options: bench/bundles.ts and the bundle-size test build with the same.
      bundling: cdkBundlingOptions(),
    });
    logGroup.grantWrite(role);
    this.logGroupResource = logGroup;
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments and PutTelemetryRecords accept no resource narrower than *.',
    });
    if (!props.deadLetterQueue) {
      Validations.of(this).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason: 'Invoked synchronously (HTTP API) or by an SQS event source whose queue has its own DLQ; a function DLQ only serves async invokes.',
      });
    }
  }
}
