/**
 * Webhook ingestion, three figures from one run of the local twin:
 *
 * 1. Throughput: signed comment deliveries POSTed to the twin's HTTP endpoint
 *    (bounded concurrency), then every comment waited for in the table
 *    (`lost` = sent − stored).
 * 2. Handler CPU per delivery as a ratio to the floor: the webhook use case in
 *    this process (real adapters, against the twin's DynamoDB and bus) versus
 *    HMAC + JSON.parse + schema parse of the same bodies, same run.
 * 3. DynamoDB write requests per new comment: the ingest use case with an SDK
 *    middleware counting write requests, on batches as the queue hands them over.
 *
 * Writes bench/results/webhooks.json.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { REPO_ROOT } from '#infra/repo-root.ts';
import { LOCAL_AWS } from '#infra/twin/local-services.ts';
import { Twin } from '#infra/twin/twin.ts';
import { wiring } from '#infra/wiring/wiring.ts';
import { SesMailer } from '#shared/adapters/aws-messaging.ts';
import { CommunityStore } from '#shared/data/community-store.ts';
import { createDocumentClient } from '#shared/data/dynamo-client.ts';
import { keys } from '#shared/data/keys.ts';
import { Repository } from '#shared/data/repository.ts';
import type { EventDetail } from '#shared/domain/events.ts';
import { CommentIngest } from '#shared/use-cases/community.ts';
import { signatureHeaders } from '#shared/webhooks/signatures.ts';

const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_HTTP_CONCURRENCY ?? 32);
const CPU_SAMPLES = Number(process.env.BENCH_CPU_SAMPLES ?? 1000);
const SECRET = 'bench-webhook-secret';
const home = mkdtempSync(path.join(tmpdir(), 'paylas-bench-webhooks-'));
const twin = await Twin.start({ wiring, home, port: 0, sesPort: 0, dynamoPort: 0, awsPort: 0, sandboxPort: 0, concurrency: Number(process.env.BENCH_CONCURRENCY ?? 4), prewarmAll: true, env: { SANDBOX_WEBHOOK_SECRET: SECRET } });
const api = async (method: string, p: string, body?: unknown) => {
  const res = await fetch(`${twin.urls.api}${p}`, { method, headers: { authorization: `Bearer ${twin.adminKey}`, 'content-type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) });
  const json = (await res.json()) as Record<string, any>;
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
  return json;
};
await twin.warmed;
const aws = { ...LOCAL_AWS, endpoint: twin.urls.dynamodb };
const db = createDocumentClient(aws);
const body = (run: string, i: number, account: string) =>
  Buffer.from(JSON.stringify({ object: 'sandbox', entry: [{ account, comments: [{ id: `${run}-${i}`, post_id: 'bench-post', text: `Yorum ${i}: kahveniz harika, teşekkürler!`, from: { id: `fan-${i % 97}`, handle: `fan${i % 97}` }, created_time: new Date().toISOString() }] }] }));

async function storedComments(brandId: string): Promise<number> {
  let n = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(new QueryCommand({ TableName: twin.tableName, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': keys.commentsOf(brandId) }, Select: 'COUNT', ExclusiveStartKey: start }));
    n += out.Count ?? 0;
    start = out.LastEvaluatedKey;
  } while (start);
  return n;
}

try {
  const brand = await api('POST', '/v1/brands', { name: 'Bench', timezone: 'UTC', locale: 'en', reportRecipients: ['bench@paylas.test'] });
  const account = await api('POST', `/v1/brands/${brand.id}/accounts`, { platform: 'sandbox', handle: '@bench', platformAccountId: 'bench-account', credentials: { accessToken: 'bench' } });

  // 1. Throughput through the twin's HTTP endpoint.
  const run = `b${Date.now()}`;
  console.log(`environments warm; sending ${DELIVERIES} signed deliveries…`);
  const bodies = Array.from({ length: DELIVERIES }, (_, i) => body(run, i, 'bench-account'));
  let next = 0;
  const statuses: Record<number, number> = {};
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const b = bodies[next++]!;
        const res = await fetch(`${twin.urls.api}/webhooks/sandbox`, { method: 'POST', headers: { 'content-type': 'application/json', ...signatureHeaders('sandbox', b, SECRET, Math.floor(Date.now() / 1000)) }, body: b });
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      }
    }),
  );
  const acceptSeconds = (performance.now() - started) / 1000;
  const deadline = Date.now() + 180_000;
  let stored = 0;
  while ((stored = await storedComments(brand.id)) < DELIVERIES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  const storedSeconds = (performance.now() - started) / 1000;

  // 2. Handler CPU vs the floor, same bodies, in a process of its own (the twin's work is not counted).
  // (asynchronously: the twin in this process must keep answering the child)
  const child = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'bench/webhook-cpu.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, DYNAMODB: twin.urls.dynamodb, AWS: twin.urls.aws, TABLE: twin.tableName, STAGE: twin.stage, HOME: home, SECRET, ACCOUNT: 'bench-account', SAMPLES: String(CPU_SAMPLES) },
  });
  const cpu = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { floorMs: number; verifyAndNormaliseMs: number; handlerMs: number };
  const floorPer = cpu.floorMs;
  const handlerPer = cpu.handlerMs;

  // 3. Write requests per new comment, counted on the wire by an SDK middleware.
  let writes = 0;
  const counted = createDocumentClient(aws);
  counted.middlewareStack.add(
    (nextHandler) => (args) => {
      const target = String((args.request as { headers?: Record<string, string> }).headers?.['x-amz-target'] ?? '');
      if (/\.(PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems)$/.test(target)) writes++;
      return nextHandler(args);
    },
    { step: 'finalizeRequest', name: 'countWrites' },
  );
  const ingest = new CommentIngest({ repo: new Repository(counted, twin.tableName, twin.clock), community: new CommunityStore(counted, twin.tableName, twin.clock), clock: twin.clock, mailer: new SesMailer('bench@paylas.test') });
  const NEW = 1000;
  const events: { id: string; detail: EventDetail<'CommentReceived'> }[] = Array.from({ length: NEW }, (_, i) => ({
    id: `m${i}`,
    detail: {
      brandId: String(brand.id),
      accountId: String(account.id),
      comment: { platform: 'sandbox', platformAccountId: 'bench-account', platformCommentId: `w${run}-${i}`, platformPostId: 'bench-post', text: `Thanks, lovely ${i}`, author: { id: `fan-${i}` }, createdAt: new Date().toISOString() },
      deliveredAt: new Date().toISOString(),
    },
  }));
  let storedNew = 0;
  for (let i = 0; i < events.length; i += 10) {
    const { results } = await ingest.ingest(events.slice(i, i + 10));
    storedNew += [...results.values()].filter((r) => r === 'stored').length;
  }
  const writesPerNewComment = writes / storedNew;

  const result = {
    deliveries: DELIVERIES,
    deliveriesPerSecond: Math.round(DELIVERIES / acceptSeconds),
    handlerCpuRatioToFloor: Number((handlerPer / floorPer).toFixed(2)),
    writesPerNewComment: Number(writesPerNewComment.toFixed(3)),
    lost: DELIVERIES - stored,
    storedPerSecond: Math.round(stored / storedSeconds),
    handlerCpuMsPerDelivery: Number(handlerPer.toFixed(3)),
    verifyAndNormaliseCpuMsPerDelivery: Number(cpu.verifyAndNormaliseMs.toFixed(4)),
    floorCpuMsPerDelivery: Number(floorPer.toFixed(4)),
    statuses,
  };
  mkdirSync(path.join(REPO_ROOT, 'bench/results'), { recursive: true });
  writeFileSync(path.join(REPO_ROOT, 'bench/results/webhooks.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`webhook deliveries through the twin's HTTP endpoint (${CONCURRENCY} in flight, ${twin.hosts.webhook!.concurrency} webhook environments):`);
  console.log(`  ${result.deliveriesPerSecond}/s accepted (${DELIVERIES} in ${acceptSeconds.toFixed(1)} s; statuses ${JSON.stringify(statuses)}), ${stored} stored, ${result.lost} lost; stored end to end at ${result.storedPerSecond}/s (target ≥ 2000/s)`);
  console.log(`  handler CPU ${result.handlerCpuMsPerDelivery} ms per delivery vs floor ${result.floorCpuMsPerDelivery} ms (HMAC + JSON.parse + schema parse): ratio ${result.handlerCpuRatioToFloor} (target ≤ 3)`);
  console.log(`    of which verify + normalise + validate ${result.verifyAndNormaliseCpuMsPerDelivery} ms; the rest is the AWS SDK PutEvents call (request signing, HTTP)`);
  console.log(`  DynamoDB write requests per new comment: ${result.writesPerNewComment} (${writes} writes for ${storedNew} comments in batches of 10; target ≤ 1.1)`);
  console.log('  wrote bench/results/webhooks.json');
} finally {
  await twin.stop();
  rmSync(home, { recursive: true, force: true });
}
