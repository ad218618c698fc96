import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { ENV } from '#shared/config/env.ts';
import { TABLE } from '#shared/data/table-definition.ts';
import type { TableAccess } from '../wiring/types.ts';
import type { PaylasFunction } from './paylas-function.ts';

/*
 * Each binding grants IAM *and* sets the env var the function's config reads,
 * in one call, so a function can never be configured for a resource it may
 * not touch, or allowed one it is not configured for.
 */

const TABLE_READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
const TABLE_WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

/**
 * The table and its named indexes only (no `index/*`), and no Scan: the house
 * rule that every access is a Query or GetItem is enforced by IAM as well.
 */
export function bindTable(fn: PaylasFunction, table: ITableV2, access: TableAccess): void {
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: access === 'read' ? TABLE_READ : [...TABLE_READ, ...TABLE_WRITE],
      resources: [table.tableArn, ...Object.keys(TABLE.indexes).map((index) => `${table.tableArn}/index/${index}`)],
    }),
  );
  fn.addEnvironment(ENV.tableName, table.tableName);
}

export function bindBus(fn: PaylasFunction, bus: IEventBus): void {
  bus.grantPutEventsTo(fn);
  fn.addEnvironment(ENV.busName, bus.eventBusName);
}

export function bindQueueSender(fn: PaylasFunction, queueName: string, queue: IQueue): void {
  queue.grantSendMessages(fn);
  fn.addEnvironment(ENV.queueUrl(queueName), queue.queueUrl);
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
  fn.addEnvironment(ENV.emailFrom, from);
}

/** Brand credential secrets live under `paylas/<stage>/`; a function sees that prefix only. */
export function bindSecrets(fn: PaylasFunction, prefix: string, access: TableAccess): void {
  const stack = Stack.of(fn);
  const arn = stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${prefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  const actions = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'];
  if (access === 'readwrite') actions.push('secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:TagResource');
  fn.addToRolePolicy(new PolicyStatement({ actions, resources: [arn] }));
  fn.addEnvironment(ENV.secretsPrefix, prefix);
  Validations.of(fn.role!).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${prefix}*]`,
    reason: 'Credential secrets are created per connected account at run time; the grant stops at this stage\'s prefix.',
  });
}
