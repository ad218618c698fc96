import { GetCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { z } from 'zod';
import { decodeCursor, encodeCursor, pageSize, type Page, type PageRequest } from './pagination.ts';

/** The read plumbing every store shares: GetItem and Query only, each item parsed with its schema. */
export type Item = Record<string, unknown>;
export type QueryInput = Omit<QueryCommandInput, 'TableName'>;

export const isConditionFailure = (e: unknown) => e instanceof Error && e.name === 'ConditionalCheckFailedException';

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
    const out = await this.db.send(
      new QueryCommand({ ...input, TableName: this.tableName, Limit: pageSize(page.limit), ExclusiveStartKey: decodeCursor(page.cursor) }),
    );
    return { items: (out.Items ?? []).map((i) => schema.parse(i)), nextCursor: encodeCursor(out.LastEvaluatedKey) };
  }

  protected async queryAll<S extends z.ZodType>(input: QueryInput, schema: S): Promise<z.output<S>[]> {
    const items: z.output<S>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: start }));
      for (const i of out.Items ?? []) items.push(schema.parse(i));
      start = input.Limit !== undefined && items.length >= input.Limit ? undefined : out.LastEvaluatedKey;
    } while (start);
    return items;
  }
}
