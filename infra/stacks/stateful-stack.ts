import { RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { TABLE } from '#shared/data/table-definition.ts';
import { adminKeySecretName, credentialsKeySecretName, secretsPrefixFor } from '#shared/config/secret-names.ts';

export interface StatefulStackProps extends StackProps {
  stage: string;
}

/**
 * What holds data and must outlive any deployment: the single table, from the
 * shared table definition, with on-demand billing, encryption, point-in-time
 * recovery, deletion protection and RETAIN.
 */
export class StatefulStack extends Stack {
  readonly table: TableV2;
  readonly adminApiKey: Secret;
  readonly credentialsKey: Secret;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const key = (name: string) => ({ name, type: AttributeType.STRING });
    this.table = new TableV2(this, 'Table', {
      tableName: `paylas-${props.stage}`,
      partitionKey: key(TABLE.partitionKey),
      sortKey: key(TABLE.sortKey),
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      timeToLiveAttribute: TABLE.ttlAttribute,
      globalSecondaryIndexes: Object.entries(TABLE.indexes).map(([indexName, index]) => ({
        indexName,
        partitionKey: key(index.partitionKey),
        sortKey: key(index.sortKey),
        projectionType: ProjectionType.ALL,
      })),
    });

    // The admin key of the management API; read it with
    // `aws secretsmanager get-secret-value --secret-id paylas/<stage>/admin-api-key`.
    this.adminApiKey = new Secret(this, 'AdminApiKey', {
      secretName: adminKeySecretName(secretsPrefixFor(props.stage)),
      description: 'Paylaş management API admin key',
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.adminApiKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'An API key held by people and scripts: rotated on purpose by its owner, since automatic rotation would lock them out.',
    });

    // Seals the credentials Paylaş stores itself (account tokens) into the
    // table. Losing it loses every connection, so it outlives the stack.
    this.credentialsKey = new Secret(this, 'CredentialsKey', {
      secretName: credentialsKeySecretName(secretsPrefixFor(props.stage)),
      description: 'Paylaş credentials key: seals account tokens stored in the table (AES-256-GCM)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.credentialsKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotating it means resealing every stored credential; it is never sent anywhere, only read by the functions that hold account tokens.',
    });
  }
}
