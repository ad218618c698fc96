import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvocationRecord } from '#infra/twin/function-host.ts';
import { LOCAL_AWS } from '#infra/twin/local-services.ts';
import { Twin, type TwinOptions } from '#infra/twin/twin.ts';
import type { Wiring } from '#infra/wiring/types.ts';
import { twinWiring } from '#test/fixtures/twin-wiring.ts';
import { waitFor } from '#test/support/wait.ts';

const WARP = 60;
const homes: string[] = [];
const newHome = () => {
  const h = mkdtempSync(path.join(tmpdir(), 'paylas-twin-'));
  homes.push(h);
  return h;
};
const options = (home: string, extra: Partial<TwinOptions> = {}): TwinOptions => ({
  wiring: twinWiring as Wiring,
  home,
  port: 0,
  sesPort: 0,
  dynamoPort: 0,
  awsPort: 0,
  sandboxPort: 0,
  timeWarp: WARP,
  concurrency: 2,
  env: {},
  ...extra,
});

let twin: Twin;
const invocations: InvocationRecord[] = [];
beforeAll(async () => {
  twin = await Twin.start(options(newHome()));
  for (const host of Object.values(twin.hosts)) host.on('invocation', (r: InvocationRecord) => invocations.push(r));
});
afterAll(async () => {
  await twin?.stop();
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

const probe = async (body: unknown, method = 'POST', p = '/probe') => {
  const res = await fetch(`${twin.urls.api}${p}`, { method, ...(method === 'POST' && { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const sqs = () => new SQSClient({ ...LOCAL_AWS, endpoint: twin.urls.aws });
const queueUrl = (q: string) => `${twin.urls.aws}/000000000000/${q}`;
const consumed = (id: string) => invocations.filter((i) => i.functionName === 'consumer' && (i.event as { Records: { messageId: string }[] }).Records.some((r) => r.messageId === id));

describe('Lambda fidelity', () => {
  it('gives each function only its own env, initialises its module once and counts down remaining time', async () => {
    const first = await probe({ sleepMs: 300 });
    expect(first.status).toBe(200);
    const { envKeys, remainingAtStart, remainingAtEnd, functionName } = first.body;
    expect(envKeys).toContain('PAYLAS_TABLE_NAME');
    expect(envKeys).toContain('AWS_LAMBDA_FUNCTION_NAME');
    expect(envKeys).not.toContain('PAYLAS_EVENT_BUS_NAME'); // not bound
    expect(envKeys).not.toContain('PATH');
    expect(envKeys).not.toContain('VITEST');
    expect(functionName).toBe('probe');
    expect(remainingAtStart).toBeLessThanOrEqual(2000);
    expect(remainingAtEnd).toBeLessThan(remainingAtStart - 250);

    const second = await probe({});
    expect(second.body.inits).toBe(1);
    expect(second.body.initAt).toBe(first.body.initAt);
  });

  it('passes path parameters and maps a function error to 500', async () => {
    expect((await probe(undefined, 'GET', '/probe/abc')).status).toBe(200);
    expect(await probe({ fail: 'boom' })).toEqual({ status: 500, body: { message: 'Internal Server Error' } });
    expect((await probe(undefined, 'GET', '/nowhere')).status).toBe(404);
  });

  it('enforces the timeout and starts the next invocation in a fresh environment', async () => {
    const before = await probe({});
    const timedOut = await probe({ sleepMs: 3000 });
    expect(timedOut).toEqual({ status: 503, body: { message: 'Service Unavailable' } });
    expect(invocations.some((i) => i.functionName === 'probe' && i.outcome === 'timeout')).toBe(true);
    // Another environment may still be warm; keep calling until every warm one is used, then a cold one appears.
    const after = await probe({});
    expect(after.status).toBe(200);
    expect(twin.hosts.probe!.coldStarts).toBeGreaterThanOrEqual(2);
    expect(before.body.inits).toBe(1);
  });
});

describe('bus, queues and dead letters', () => {
  it('routes a PutEvents entry by the wiring rule into the queue and its consumer', async () => {
    const bus = new EventBridgeClient({ ...LOCAL_AWS, endpoint: twin.urls.aws });
    const out = await bus.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: 'paylas-local', Source: 'paylas', DetailType: 'ThingHappened', Detail: JSON.stringify({ n: 1 }) },
          { EventBusName: 'paylas-local', Source: 'paylas', DetailType: 'Unrouted', Detail: JSON.stringify({ n: 2 }) },
          { EventBusName: 'nope', Source: 'paylas', DetailType: 'ThingHappened', Detail: '{}' },
          { EventBusName: 'paylas-local', Source: 'paylas', DetailType: 'ThingHappened', Detail: 'not json' },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(2);
    expect(out.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual(['ok', 'ok', 'NotFoundException', 'MalformedDetail']);
    const id = out.Entries![0]!.EventId!;
    const inv = await waitFor(() => invocations.find((i) => i.functionName === 'consumer' && JSON.stringify(i.event).includes(id)), 'the consumer');
    const record = (inv.event as { Records: { body: string; eventSource: string }[] }).Records.find((r) => r.body.includes(id))!;
    expect(record.eventSource).toBe('aws:sqs');
    expect(JSON.parse(record.body)).toMatchObject({ id, 'detail-type': 'ThingHappened', source: 'paylas', detail: { n: 1 } });
    expect(twin.busEvents.find((e) => e.event['detail-type'] === 'Unrouted')?.deliveredTo).toEqual([]);
  });

  it('reports partial batch failures: good records are deleted, a failing one is retried and lands in the DLQ after max receives', async () => {
    const out = await sqs().send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl('work'),
        Entries: [
          { Id: 'a', MessageBody: JSON.stringify({ ok: 1 }) },
          { Id: 'b', MessageBody: JSON.stringify({ fail: true }), MessageAttributes: { kind: { DataType: 'String', StringValue: 'bad' } } },
          { Id: 'c', MessageBody: JSON.stringify({ ok: 3 }) },
        ],
      }),
    );
    expect(out.Successful).toHaveLength(3);
    const bad = out.Successful!.find((s) => s.Id === 'b')!.MessageId!;
    // The move stores in the DLQ first, then deletes from the queue: wait for both.
    await waitFor(
      () => twin.queues.messages('work-dlq').some((m) => m.id === bad) && !twin.queues.messages('work').some((m) => m.id === bad),
      'the failing message to move to work-dlq',
    );
    const tries = consumed(bad);
    expect(tries).toHaveLength(3); // maxReceiveCount
    // Alone in a batch, a failing record fails the whole invocation (Powertools throws); with others, it is reported.
    for (const t of tries) {
      if (t.outcome === 'ok') expect((t.result as { batchItemFailures: unknown[] }).batchItemFailures).toEqual([{ itemIdentifier: bad }]);
      else expect(t.error).toMatch(/All records failed processing/);
    }
    for (const s of out.Successful!.filter((x) => x.Id !== 'b')) expect(consumed(s.MessageId!)).toHaveLength(1);
    expect(twin.queues.messages('work').map((m) => m.id)).not.toContain(bad);
    expect(twin.queues.messages('work-dlq').find((m) => m.id === bad)?.attributes.kind?.StringValue).toBe('bad');
  });

  it('holds a delayed message until its DelaySeconds have passed on the twin clock', async () => {
    const sentAt = twin.clock.now().getTime();
    const out = await sqs().send(new SendMessageCommand({ QueueUrl: queueUrl('work'), MessageBody: JSON.stringify({ delayed: true }), DelaySeconds: 120 }));
    const inv = await waitFor(() => consumed(out.MessageId!)[0], 'the delayed message');
    const { attributes } = (inv.event as { Records: { attributes: { ApproximateFirstReceiveTimestamp: string; SentTimestamp: string } }[] }).Records[0]!;
    // Epoch milliseconds, as SQS sends them, on the twin's (warped) clock.
    expect(Number(attributes.SentTimestamp)).toBeGreaterThanOrEqual(sentAt);
    expect(Number(attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(Number(attributes.SentTimestamp) + 120_000);
  });

  it('refuses malformed SQS requests the way SQS does', async () => {
    await expect(sqs().send(new SendMessageCommand({ QueueUrl: queueUrl('work'), MessageBody: 'x', DelaySeconds: 901 }))).rejects.toThrow(/DelaySeconds/);
    await expect(sqs().send(new SendMessageCommand({ QueueUrl: queueUrl('missing'), MessageBody: 'x' }))).rejects.toThrow(/does not exist/);
  });
});

describe('schedules', () => {
  it('fires rate(1 minute) with the EventBridge Scheduled Event shape, every minute of the twin clock, never early', async () => {
    const ticks = await waitFor(() => {
      const t = invocations.filter((i) => i.functionName === 'tick');
      return t.length >= 3 ? t : undefined;
    }, 'three ticks');
    const times = ticks.map((t) => (t.result as { time: string }).time);
    for (const [i, t] of ticks.entries()) {
      expect(t.result).toMatchObject({ detailType: 'Scheduled Event', source: 'aws.events', resources: ['arn:aws:events:eu-central-1:000000000000:rule/paylas-local-every-minute'] });
      if (i > 0) expect(Date.parse(times[i]!) - Date.parse(times[i - 1]!)).toBe(60_000);
      expect(times[i]).toMatch(/:\d{2}Z$/);
    }
    // The firings the scheduler recorded match what the function saw.
    expect(twin.scheduler.firings.slice(0, 3).map((f) => f.time)).toEqual(times.slice(0, 3));
  });
});

describe('persistence and start-up checks', () => {
  it('keeps queued and delayed messages across a restart', async () => {
    const home = newHome();
    const first = await Twin.start(options(home, { timeWarp: 1 }));
    const client = new SQSClient({ ...LOCAL_AWS, endpoint: first.urls.aws });
    const sent = await client.send(new SendMessageCommand({ QueueUrl: `${first.urls.aws}/000000000000/work`, MessageBody: '{"later":true}', DelaySeconds: 900 }));
    await first.stop();
    const second = await Twin.start(options(home, { timeWarp: 1 }));
    try {
      expect(second.queues.messages('work').map((m) => m.id)).toContain(sent.MessageId);
      expect(second.queues.depth('work')).toMatchObject({ notVisible: 1 });
    } finally {
      await second.stop();
    }
  });

  it('refuses a rule pattern the local bus cannot evaluate', async () => {
    const wiring = { ...twinWiring, rules: [{ ...twinWiring.rules[0]!, pattern: { ...twinWiring.rules[0]!.pattern, detail: { status: ['x'] } } }] } as unknown as Wiring;
    const error = await Twin.start(options(newHome(), { wiring })).then(
      async (t) => {
        await t.stop();
        return undefined;
      },
      (e: Error) => e.message,
    );
    expect(error).toBe('rule thing-happened: the local bus does not support pattern key "detail" (only source, detail-type)');
  });
});
