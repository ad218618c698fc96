import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '#infra/twin/local-services.ts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { createDocumentClient } from '#shared/data/dynamo-client.ts';
import { createTableInput } from '#shared/data/table-definition.ts';

export interface LocalDynamo {
  endpoint: string;
  tableName: string;
  db: DynamoDBDocumentClient;
  /** DynamoDB operations sent through `db` as they went on the wire (e.g. `Query`), in order. */
  commands: string[];
  stop(): Promise<void>;
}

/**
 * A real dynalite on a free 127.0.0.1 port (in memory) with the shared table
 * created from its one definition. The document client records every operation
 * it sends, so tests can prove an access pattern is a Query or GetItem.
 */
export async function startDynalite(tableName = 'paylas-test'): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const clientConfig = { endpoint, region: 'eu-central-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const raw = new DynamoDBClient(clientConfig);
  await ensureTable(raw, createTableInput(tableName));
  raw.destroy();

  const db = createDocumentClient(clientConfig);
  const commands: string[] = [];
  db.middlewareStack.add(
    (next) => (args) => {
      const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
      commands.push(String(headers['x-amz-target']).replace(/^DynamoDB_\d+\./, ''));
      return next(args);
    },
    { step: 'finalizeRequest', name: 'recordOperations' },
  );
  return {
    endpoint,
    tableName,
    db,
    commands,
    stop: async () => {
      db.destroy();
      await new Promise<void>((resolve, reject) => server.close((e?: Error) => (e ? reject(e) : resolve())));
    },
  };
}

export interface MeteredRequest {
  operation: string;
  read: boolean;
  /** Capacity units DynamoDB returned (ReturnConsumedCapacity=TOTAL). */
  capacity: number;
}

const READ_OPERATIONS = new Set(['GetItem', 'Query', 'BatchGetItem']);

/**
 * Counts every request `db` sends while `on` is true, with the capacity it
 * consumed: the benchmarks' and tests' measure of DynamoDB cost.
 */
export function meterRequests(db: DynamoDBDocumentClient): { on: boolean; requests: MeteredRequest[] } {
  const meter = { on: true, requests: [] as MeteredRequest[] };
  db.middlewareStack.add(
    (next, context) => async (args) => {
      if (!meter.on) return next(args);
      (args.input as Record<string, unknown>).ReturnConsumedCapacity ??= 'TOTAL';
      const out = await next(args);
      const consumed = (out.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }).ConsumedCapacity;
      const capacity = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      const operation = String(context.commandName).replace(/Command$/, '');
      meter.requests.push({ operation, read: READ_OPERATIONS.has(operation), capacity });
      return out;
    },
    { step: 'initialize', name: 'meterRequests' },
  );
  return meter;
}
