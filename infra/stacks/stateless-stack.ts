import { Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import { CfnOutput, RemovalPolicy } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { secretsPrefixFor } from '#shared/config/secret-names.ts';
import { bindBus, bindEmail, bindOperations, bindQueueConsumer, bindQueueSender, bindSecrets, bindTable } from '../constructs/bindings.ts';
import { OperationsAlarms } from '../constructs/operations-alarms.ts';
import { PaylasFunction } from '../constructs/paylas-function.ts';
import { functionEnvironment } from '../wiring/environment.ts';
import { visibilityTimeoutOf, type Wiring } from '../wiring/types.ts';

export interface StatelessStackProps extends StackProps {
  stage: string;
  wiring: Wiring;
  table: ITableV2;
  /** Verified SES sender for report and alert mail. */
  emailFrom: string;
  logRetention?: RetentionDays;
  /** Where alarm notifications are mailed (SNS email subscription). */
  alarmEmail?: string;
}

/** One JSON line per request (HTTP API `$context` variables). */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    requestTime: '$context.requestTimeEpoch',
    method: '$context.httpMethod',
    routeKey: '$context.routeKey',
    path: '$context.path',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationError: '$context.integrationErrorMessage',
  }),
);

const pascal = (name: string) => name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());

/**
 * Everything that can be redeployed at will, generated from the wiring:
 * functions with their bindings, the HTTP API, the event bus with an archive,
 * queues with dead-letter queues, rules and schedules.
 */
export class StatelessStack extends Stack {
  readonly functions: Record<string, PaylasFunction> = {};
  readonly queues: Record<string, Queue> = {};
  readonly deadLetterQueues: Record<string, Queue> = {};
  readonly bus: EventBus;
  readonly api: HttpApi;
  readonly alarms: OperationsAlarms;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { wiring, stage } = props;
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;

    this.bus = new EventBus(this, 'Bus', { eventBusName: `paylas-${stage}` });
    const archive = this.bus.archive('Archive', {
      archiveName: `paylas-${stage}-events`,
      description: 'Every Paylaş event, for replay after a fix',
      eventPattern: { source: [wiring.eventSource] },
      retention: Duration.days(90),
    });

    const newQueue = (name: string, props: ConstructorParameters<typeof Queue>[2] = {}) =>
      new Queue(this, pascal(name), { queueName: `paylas-${stage}-${name}`, enforceSSL: true, encryption: QueueEncryption.SQS_MANAGED, ...props });

    // Failed deliveries of rules and schedules (EventBridge → target), and failed
    // asynchronous invocations of scheduled functions, land here.
    const deliveryDlq = newQueue('delivery-dlq', { retentionPeriod: Duration.days(14) });
    this.deadLetterQueues['delivery'] = deliveryDlq;
    for (const id of ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy']) {
      Validations.of(deliveryDlq).acknowledge({ id, reason: 'This queue is itself a dead-letter queue: the EventBridge target and Lambda async-invoke DLQ.' });
    }
    const scheduled = new Set(wiring.schedules.map((s) => s.function));

    for (const [name, spec] of Object.entries(wiring.functions)) {
      const fn = new PaylasFunction(this, `${pascal(name)}Function`, {
        name,
        spec,
        stage,
        logRetention,
        ...(scheduled.has(name) && { deadLetterQueue: deliveryDlq }),
      });
      if (spec.table) bindTable(fn, props.table, spec.table);
      if (spec.bus) bindBus(fn, this.bus);
      if (spec.email) bindEmail(fn, props.emailFrom);
      if (spec.secrets) bindSecrets(fn, secretsPrefixFor(stage), spec.secrets);
      this.functions[name] = fn;
    }

    for (const [name, spec] of Object.entries(wiring.queues)) {
      const dlq = newQueue(`${name}-dlq`, { retentionPeriod: Duration.days(14) });
      const queue = newQueue(name, {
        visibilityTimeout: Duration.seconds(visibilityTimeoutOf(wiring, name)),
        retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: dlq, maxReceiveCount: spec.maxReceiveCount },
      });
      this.queues[name] = queue;
      this.deadLetterQueues[name] = dlq;
      Validations.of(dlq).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: `This queue is the dead-letter queue of ${name}.` });
      bindQueueConsumer(this.functions[spec.consumer]!, queue, {
        batchSize: spec.batchSize,
        reportBatchItemFailures: true,
        ...(spec.maxBatchingWindowSeconds !== undefined && { maxBatchingWindow: Duration.seconds(spec.maxBatchingWindowSeconds) }),
      });
      Validations.of(this.functions[spec.consumer]!).acknowledge({
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason: `Failed ${name} messages move to its redrive DLQ after ${spec.maxReceiveCount} receives; on-failure destinations exist only for stream sources.`,
      });
    }
    const replayPrefix = `paylas-${stage}-`;
    const deadLetters = Object.entries(this.deadLetterQueues).map(([source, queue]) => ({
      name: source === 'delivery' ? 'delivery-dlq' : `${source}-dlq`,
      queue,
      ...(this.queues[source] && { source: this.queues[source], sourceName: source }),
    }));
    const operations = () =>
      this.toJsonString({
        deadLetterQueues: deadLetters.map((d) => ({ name: d.name, url: d.queue.queueUrl, arn: d.queue.queueArn, ...(d.sourceName && { source: d.sourceName }) })),
        archiveArn: archive.archiveArn,
        busArn: this.bus.eventBusArn,
        replayPrefix,
      });
    for (const [name, spec] of Object.entries(wiring.functions)) {
      const fn = this.functions[name]!;
      for (const q of spec.sendsTo ?? []) bindQueueSender(fn, this.queues[q] as IQueue);
      if (spec.operations) bindOperations(fn, { deadLetterQueues: deadLetters, archiveArn: archive.archiveArn, replayPrefix });
      const env = functionEnvironment(spec, {
        stage,
        tableName: props.table.tableName,
        busName: this.bus.eventBusName,
        emailFrom: props.emailFrom,
        secretsPrefix: secretsPrefixFor(stage),
        queueUrl: (q) => this.queues[q]!.queueUrl,
        operations,
      });
      for (const [key, value] of Object.entries(env)) fn.addEnvironment(key, value);
    }

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.api = new HttpApi(this, 'HttpApi', { apiName: `paylas-${stage}`, createDefaultStage: false });
    new HttpStage(this, 'HttpApiStage', {
      httpApi: this.api,
      autoDeploy: true,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
      throttle: { rateLimit: 200, burstLimit: 400 },
    });
    const integrations = new Map<string, HttpLambdaIntegration>();
    for (const route of wiring.routes) {
      let integration = integrations.get(route.function);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${pascal(route.function)}Integration`, this.functions[route.function]!);
        integrations.set(route.function, integration);
      }
      this.api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration });
    }
    // Authentication is the function's: API keys on /v1, platform signatures on webhooks.
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'Each route authenticates in its function: hashed API keys on /v1, HMAC signatures on webhooks, none on /health.',
    });

    for (const rule of wiring.rules) {
      new Rule(this, `${pascal(rule.name)}Rule`, {
        ruleName: `paylas-${stage}-${rule.name}`,
        description: rule.description,
        eventBus: this.bus,
        eventPattern: { source: [...rule.pattern.source], detailType: [...rule.pattern['detail-type']] },
        targets: [new SqsQueue(this.queues[rule.queue]!, { deadLetterQueue: deliveryDlq, retryAttempts: 8, maxEventAge: Duration.hours(24) })],
      });
    }
    for (const schedule of wiring.schedules) {
      new Rule(this, `${pascal(schedule.name)}Schedule`, {
        ruleName: `paylas-${stage}-${schedule.name}`,
        description: schedule.description,
        schedule: Schedule.expression(schedule.expression),
        targets: [
          new LambdaFunction(this.functions[schedule.function]!, { deadLetterQueue: deliveryDlq, retryAttempts: 2, maxEventAge: Duration.minutes(10) }),
        ],
      });
    }

    this.alarms = new OperationsAlarms(this, 'Alarms', {
      stage,
      deadLetterQueues: Object.fromEntries(deadLetters.map((d) => [d.name, d.queue])),
      ...(props.alarmEmail && { alarmEmail: props.alarmEmail }),
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName });
  }
}
