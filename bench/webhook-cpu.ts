/**
 * Child process of bench/webhooks.ts: the webhook use case's CPU per delivery,
 * measured alone in this process (the twin runs elsewhere), against the floor
 * (HMAC + JSON.parse + schema parse of the same bodies), in one run.
 * Prints one JSON line.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { createHmac } from 'node:crypto';
import path from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LOCAL_AWS } from '#infra/twin/local-services.ts';
import { EventBridgePublisher } from '#shared/adapters/aws-messaging.ts';
import { FileSecretStore } from '#shared/adapters/file-secret-store.ts';
import { CommunityStore } from '#shared/data/community-store.ts';
import { createDocumentClient } from '#shared/data/dynamo-client.ts';
import { Repository } from '#shared/data/repository.ts';
import { systemClock } from '#shared/domain/clock.ts';
import { IncomingComment } from '#shared/domain/comment.ts';
import { WebhookIntake } from '#shared/use-cases/webhooks.ts';
import { normaliseWebhook } from '#shared/webhooks/normalise.ts';
import { signatureHeaders, verifySignature } from '#shared/webhooks/signatures.ts';

const { DYNAMODB, AWS, TABLE, STAGE, HOME, SECRET, ACCOUNT, SAMPLES } = process.env as Record<string, string>;
const n = Number(SAMPLES);
const db = createDocumentClient({ ...LOCAL_AWS, endpoint: DYNAMODB });
const repo = new Repository(db, TABLE!, systemClock);
const intake = new WebhookIntake({
  findAccount: (p, id) => repo.findAccountByPlatformId(p, id),
  community: new CommunityStore(db, TABLE!, systemClock),
  events: new EventBridgePublisher(`paylas-${STAGE}`, new EventBridgeClient({ ...LOCAL_AWS, endpoint: AWS })),
  secrets: new FileSecretStore(path.join(HOME!, 'secrets')),
  secretsPrefix: `paylas/${STAGE}/`,
  clock: systemClock,
});
const body = (i: number) => Buffer.from(JSON.stringify({ object: 'sandbox', entry: [{ account: ACCOUNT, comments: [{ id: `cpu-${process.pid}-${i}`, post_id: 'bench-post', text: `Yorum ${i}: kahveniz harika, teşekkürler!`, from: { id: `fan-${i % 97}`, handle: `fan${i % 97}` }, created_time: new Date().toISOString() }] }] }));
const bodies = Array.from({ length: n + 1 }, (_, i) => body(i));
const now = Math.floor(Date.now() / 1000);
const headers = bodies.map((b) => signatureHeaders('sandbox', b, SECRET!, now));
const cpu = async (f: () => unknown) => {
  const start = process.cpuUsage();
  await f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / n;
};
await intake.handle({ method: 'POST', name: 'sandbox', query: {}, headers: headers[0]!, body: bodies[0]! }); // caches, connections
// Warm the pure paths too, so JIT state is comparable.
for (let r = 0; r < 3; r++) for (let i = 1; i <= n; i++) normaliseWebhook('sandbox', JSON.parse(bodies[i]!.toString('utf8')));
const floor = await cpu(() => {
  for (let i = 1; i <= n; i++) {
    createHmac('sha256', SECRET!).update(bodies[i]!).digest('hex');
    IncomingComment.array().parse(normaliseWebhook('sandbox', JSON.parse(bodies[i]!.toString('utf8'))).comments);
  }
});
const pure = await cpu(() => {
  for (let i = 1; i <= n; i++) {
    verifySignature('sandbox', bodies[i]!, headers[i]!, SECRET!, now);
    IncomingComment.array().parse(normaliseWebhook('sandbox', JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bodies[i]!))).comments);
  }
});
const handler = await cpu(async () => {
  for (let i = 1; i <= n; i++) {
    const res = await intake.handle({ method: 'POST', name: 'sandbox', query: {}, headers: headers[i]!, body: bodies[i]! });
    if (res.status !== 200) throw new Error(`handler answered ${res.status}: ${res.body}`);
  }
});
console.log(JSON.stringify({ floorMs: floor, verifyAndNormaliseMs: pure, handlerMs: handler }));
