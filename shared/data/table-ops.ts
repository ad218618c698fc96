import { randomBytes } from 'node:crypto';
import { GetCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { z } from 'zod';
import { encodeCursor, pageSize, startingAt, type Page, type PageRequest } from './pagination.ts';

/** The read plumbing every store shares: GetItem and Query only, each item parsed with its schema. */
export type Item = Record<string, unknown>;
export type QueryInput = Omit<QueryCommandInput, 'TableName'>;

export const isConditionFailure = (e: unknown) => e instanceof Error && e.name === 'ConditionalCheckFailedException';

/**
 * A mark of this one write, stored with the item. The SDK sends a write again
 * when its answer was lost (a dropped connection, a timeout); if the first one
 * had landed, the second fails its own condition. The mark tells that apart
 * from someone else's write (see `holdsItem`). Schemas drop it when reading.
 */
export const withWriteId = <T extends Item>(item: T): T & { writeId: string } => ({ ...item, writeId: randomBytes(9).toString('base64url') });

/** After a conditional Put of `item` failed its condition: whether the item stored is this very write. */
export async function holdsItem(db: DynamoDBDocumentClient, tableName: string, item: Item & { writeId: string }): Promise<boolean> {
  const out = await db.send(
    new GetCommand({ TableName: tableName, Key: { pk: item.pk, sk: item.sk }, ConsistentRead: true, ProjectionExpression: '#w', ExpressionAttributeNames: { '#w': 'writeId' } }),
  );
  return out.Item?.writeId === item.writeId;
}

/** Every page of a Query, one request at a time; stop early by leaving the loop. */
export async function* queryPages(db: DynamoDBDocumentClient, tableName: string, input: QueryInput): AsyncGenerator<QueryCommandOutput> {
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(new QueryCommand({ ...input, TableName: tableName, ExclusiveStartKey: start }));
    yield out;
    start = out.LastEvaluatedKey;
  } while (start);
}

export class TableReader {
  constructor(
    protected readonly db: DynamoDBDocumentClient,
    protected readonly tableName: string,
  ) {}

  protected async getItem<S extends z.ZodType>(key: { pk: string; sk: string }, schema: S): Promise<z.output<S> | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return out.Item ? schema.parse(out.Item) : undefined;
  }

  protected async queryPage<S extends z.ZodType>(input: QueryInput, page: PageRequest, schema: S): Promise<Page<z.output<S>>> {
    const limit = pageSize(page.limit);
    const out = await startingAt(page.cursor, (start) => this.db.send(new QueryCommand({ ...input, TableName: this.tableName, Limit: limit, ExclusiveStartKey: start })));
    return { items: (out.Items ?? []).map((i) => schema.parse(i)), nextCursor: encodeCursor(out.LastEvaluatedKey) };
  }

  protected async queryAll<S extends z.ZodType>(input: QueryInput, schema: S): Promise<z.output<S>[]> {
    const items: z.output<S>[] = [];
    for await (const out of queryPages(this.db, this.tableName, input)) {
      for (const i of out.Items ?? []) items.push(schema.parse(i));
      if (input.Limit !== undefined && items.length >= input.Limit) break;
    }
    return items;
  }
}
