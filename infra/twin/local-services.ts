import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer } from './loopback.ts';
import path from 'node:path';
import { createTableInput } from '#shared/data/table-definition.ts';

/** Local credentials and region: the stand-ins accept any, the SDK needs some. */
export const LOCAL_AWS = { region: 'eu-central-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };


/**
 * Creates a table unless it exists, and waits until it is ACTIVE: dynalite,
 * like DynamoDB, creates tables asynchronously, and a Query on a table still
 * CREATING fails with ResourceNotFoundException.
 */
export async function ensureTable(client: DynamoDBClient, input: CreateTableCommandInput): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: input.TableName }));
  } catch (e) {
    if (!(e instanceof ResourceNotFoundException)) throw e;
    try {
      await client.send(new CreateTableCommand(input));
    } catch (err) {
      if ((err as Error).name !== 'ResourceInUseException') throw err;
    }
  }
  for (let i = 0; i < 500; i++) {
    const out = await client.send(new DescribeTableCommand({ TableName: input.TableName })).catch(() => undefined);
    if (out?.Table?.TableStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`table ${input.TableName} did not become ACTIVE`);
}

/** dynalite on LevelDB under `dir` (persistent), with the product table created from its one definition. */
export async function startDynamo(dir: string, port: number, tableName: string) {
  await mkdir(dir, { recursive: true });
  const child = fork(fileURLToPath(new URL('./dynalite-process.mjs', import.meta.url)), [dir, String(port)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const actualPort = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('error', reject);
    void exited.then((code) => reject(new Error(`dynalite exited during start (code ${code}); is port ${port} free?`)));
  });
  const endpoint = `http://127.0.0.1:${actualPort}`;
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint });
  await ensureTable(client, createTableInput(tableName));
  client.destroy();
  return {
    endpoint,
    port: actualPort,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

interface SesEmail {
  messageId: string;
  at: number;
  [key: string]: unknown;
}
interface SesStore {
  getStoreReadonly(): { emails: SesEmail[] };
  saveEmail(email: SesEmail): void;
}

/**
 * aws-ses-v2-local (SES v1 + v2 API, inbox page at `/`). Its store is memory
 * only, so every sent mail is also written to `outbox/` as `.eml` (to open in
 * a mail client) and `.json` (to restore the inbox page after a restart).
 */
export async function startSes(outbox: string, port: number) {
  await mkdir(outbox, { recursive: true });
  const require = createRequire(import.meta.url);
  const store = require('aws-ses-v2-local/dist/store.js') as SesStore;
  const { createEmlContent } = require('aws-ses-v2-local/dist/emlFile.js') as { createEmlContent(e: SesEmail): Promise<{ body: Buffer }> };
  const sesServer = (require('aws-ses-v2-local') as { default: (c: { host: string; port: number }) => Promise<Server> }).default;

  const written = new Set<string>();
  for (const file of (await readdir(outbox)).filter((f) => f.endsWith('.json')).sort()) {
    const email = JSON.parse(await readFile(path.join(outbox, file), 'utf8')) as SesEmail;
    store.saveEmail(email);
    written.add(email.messageId);
  }
  let flushing = Promise.resolve();
  const flush = () =>
    (flushing = flushing.then(async () => {
      for (const email of store.getStoreReadonly().emails) {
        if (written.has(email.messageId)) continue;
        written.add(email.messageId);
        const base = path.join(outbox, `${new Date(email.at * 1000).toISOString().replace(/[:.]/g, '-')}-${email.messageId}`);
        await writeFile(`${base}.json`, JSON.stringify(email));
        await writeFile(`${base}.eml`, (await createEmlContent(email)).body);
      }
    }));

  const server = await sesServer({ host: '127.0.0.1', port });
  server.on('request', (req, res) => {
    if (req.method === 'POST') res.on('finish', () => void flush());
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    sentCount: () => store.getStoreReadonly().emails.length,
    flush: () => flush(),
    stop: async () => {
      await flush();
      await closeServer(server);
    },
  };
}
