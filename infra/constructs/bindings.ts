import { Aws, Names, Stack, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { EventSourceMappingOptions } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { TABLE } from '#shared/data/table-definition.ts';
import type { TableAccess } from '../wiring/types.ts';
import type { PaylasFunction } from './paylas-function.ts';

/*
 * Each binding grants exactly what its wiring entry names. The env vars that
 * point the function at the same resources come from `functionEnvironment`,
 * applied from the same wiring entry in the same loop (see the stateless
 * stack), and the infra tests check that grants and env agree per function.
 */

// No ConditionCheckItem (transactions only) or DescribeTable: the handlers use neither.
const TABLE_READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
const TABLE_WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

/**
 * The table and its named indexes only (no `index/*`), and no Scan: the house
 * rule that every access is a Query or GetItem is enforced by IAM as well.
 * An index can only be queried, so Query is all an index ARN gets.
 */
export function bindTable(fn: PaylasFunction, table: ITableV2, access: TableAccess): void {
  fn.addToRolePolicy(new PolicyStatement({ actions: access === 'read' ? TABLE_READ : [...TABLE_READ, ...TABLE_WRITE], resources: [table.tableArn] }));
  fn.addToRolePolicy(
    new PolicyStatement({ actions: ['dynamodb:Query'], resources: Object.keys(TABLE.indexes).map((index) => `${table.tableArn}/index/${index}`) }),
  );
}

export function bindBus(fn: PaylasFunction, bus: IEventBus): void {
  bus.grantPutEventsTo(fn);
}

/** SendMessage only (it also authorises SendMessageBatch); the queue URL comes from the environment, so no GetQueueUrl. */
export function bindQueueSender(fn: PaylasFunction, queue: IQueue): void {
  fn.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
}

/**
 * The queue as the function's event source, with what the Lambda poller needs
 * (ReceiveMessage, DeleteMessage, GetQueueAttributes) rather than the wider
 * `grantConsumeMessages`. The mapping keeps the id SqsEventSource gives it.
 */
export function bindQueueConsumer(fn: PaylasFunction, queue: IQueue, options: Omit<EventSourceMappingOptions, 'eventSourceArn'>): void {
  fn.addEventSourceMapping(`SqsEventSource:${Names.nodeUniqueId(queue.node)}`, { ...options, eventSourceArn: queue.queueArn });
  fn.addToRolePolicy(new PolicyStatement({ actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], resources: [queue.queueArn] }));
}

/** SES sending from one verified identity (the domain or address of `from`). */
export function bindEmail(fn: PaylasFunction, from: string): void {
  const stack = Stack.of(fn);
  const domain = from.split('@')[1]!;
  const identity = (name: string) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: name });
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['ses:SendEmail', 'ses:SendRawEmail'],
      resources: [identity(domain), identity(from)],
    }),
  );
}

/** Brand credential secrets live under `paylas/<stage>/`; a function sees that prefix only. */
export function bindSecrets(fn: PaylasFunction, prefix: string, access: TableAccess): void {
  // Pseudo parameters rather than the stack's env, so the ARN (and the acknowledgement below that names it)
  // is the same whether the stack is bound to an account and region or not.
  const arn = `arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:${prefix}*`;
  const actions = ['secretsmanager:GetSecretValue'];
  // CreateSecret is called with tags, which needs TagResource too.
  if (access === 'readwrite') actions.push('secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:TagResource');
  fn.addToRolePolicy(new PolicyStatement({ actions, resources: [arn] }));
  Validations.of(fn.role!).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${prefix}*]`,
    reason: 'Credential secrets are created per connected account at run time; the grant stops at this stage\'s prefix.',
  });
}

/** What an operations function acts on: the dead-letter queues (with the queues they redrive to) and the bus archive. */
export interface OperationsTargets {
  deadLetterQueues: readonly { queue: IQueue; source?: IQueue }[];
  archiveArn: string;
  /** Replays this install starts are named with this prefix. */
  replayPrefix: string;
}

/**
 * Operator actions, each on the named resources only: read the dead-letter
 * queues and start message move tasks back to their sources (which needs
 * SendMessage on those sources), and start and describe replays of the archive.
 */
export function bindOperations(fn: PaylasFunction, targets: OperationsTargets): void {
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['sqs:GetQueueAttributes', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:StartMessageMoveTask', 'sqs:ListMessageMoveTasks'],
      resources: targets.deadLetterQueues.map((d) => d.queue.queueArn),
    }),
  );
  const sources = targets.deadLetterQueues.flatMap((d) => (d.source ? [d.source.queueArn] : []));
  if (sources.length > 0) fn.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: sources }));
  fn.addToRolePolicy(new PolicyStatement({ actions: ['events:StartReplay'], resources: [targets.archiveArn] }));
  // Pseudo parameters, as for secrets: the same ARN (and acknowledgement) with or without a bound account and region.
  const replays = `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:replay/${targets.replayPrefix}*`;
  fn.addToRolePolicy(new PolicyStatement({ actions: ['events:DescribeReplay'], resources: [replays] }));
  Validations.of(fn.role!).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:replay/${targets.replayPrefix}*]`,
    reason: 'Replays are named when an operator starts one; the grant stops at this install\'s replay prefix.',
  });
}
