import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The single table, described once. The CDK stateful stack and the local
 * twin's table creation are both derived from this object.
 *
 * Base table  pk / sk          — entities by id and their children.
 * gsi1        gsi1pk / gsi1sk  — lookups: all brands; account by platform id;
 *                                 a brand's posts by scheduled time.
 * gsi2        gsi2pk / gsi2sk  — a brand's posts by status, then scheduled time.
 * due         duePk / dueSk    — sparse: only posts in `scheduled` carry it
 *                                 (sharded), so the dispatcher reads exactly the
 *                                 posts it may claim; and only comments that
 *                                 still need an answer (negative or complaint,
 *                                 open, unanswered), per brand, so a report
 *                                 reads the few it lists however many came in.
 */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  indexes: {
    gsi1: { partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    gsi2: { partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    due: { partitionKey: 'duePk', sortKey: 'dueSk' },
  },
} as const;

/** Shards of the due index: spreads a burst of posts due in one minute over partitions. */
export const DUE_SHARDS = 8;

/** CreateTable input for the local twin and integration tests (on-demand, same keys and indexes). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const attributes = new Set<string>([TABLE.partitionKey, TABLE.sortKey]);
  for (const index of Object.values(TABLE.indexes)) {
    attributes.add(index.partitionKey);
    attributes.add(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: Object.entries(TABLE.indexes).map(([name, index]) => ({
      IndexName: name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}
