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
