import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAwsCall {
  /** `x-amz-target`, e.g. `AmazonSQS.SendMessageBatch` or `AWSEvents.PutEvents`. */
  target: string;
  body: Record<string, unknown>;
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/**
 * A loopback stand-in for the SQS (JSON 1.0) and EventBridge (JSON 1.1) calls a
 * handler makes: every message and event is accepted and recorded, so a test
 * can prove what was (or was not) sent.
 */
export async function startFakeAws() {
  const calls: FakeAwsCall[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        // answered below as an unknown operation
      }
      calls.push({ target, body });
      const entries = (body.Entries ?? []) as { Id?: string; MessageBody?: string }[];
      let out: unknown;
      if (target === 'AmazonSQS.SendMessageBatch') out = { Successful: entries.map((e) => ({ Id: e.Id, MessageId: randomUUID(), MD5OfMessageBody: md5(e.MessageBody ?? '') })), Failed: [] };
      else if (target === 'AmazonSQS.SendMessage') out = { MessageId: randomUUID(), MD5OfMessageBody: md5(String(body.MessageBody ?? '')) };
      else if (target === 'AWSEvents.PutEvents') out = { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: randomUUID() })) };
      const type = target.startsWith('AWSEvents') ? 'application/x-amz-json-1.1' : 'application/x-amz-json-1.0';
      res.writeHead(out === undefined ? 400 : 200, { 'content-type': type });
      res.end(JSON.stringify(out ?? { __type: 'UnknownOperationException', message: `unknown operation ${target}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    calls,
    queueUrl: (name: string) => `${url}/000000000000/${name}`,
    stop: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
