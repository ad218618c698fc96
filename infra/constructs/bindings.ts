import { Aws, Stack, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
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
}

export function bindBus(fn: PaylasFunction, bus: IEventBus): void {
  bus.grantPutEventsTo(fn);
}

export function bindQueueSender(fn: PaylasFunction, queue: IQueue): void {
  queue.grantSendMessages(fn);
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
  const actions = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'];
  if (access === 'readwrite') actions.push('secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:TagResource');
  fn.addToRolePolicy(new PolicyStatement({ actions, resources: [arn] }));
  Validations.of(fn.role!).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${prefix}*]`,
    reason: 'Credential secrets are created per connected account at run time; the grant stops at this stage\'s prefix.',
  });
}
