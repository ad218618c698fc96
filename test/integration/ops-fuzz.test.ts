import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalArchive } from '#infra/twin/archive.ts';
import { AwsEndpoint } from '#infra/twin/aws-endpoint.ts';
import { LOCAL_AWS } from '#infra/twin/local-services.ts';
import { createQueueTable, LocalQueues } from '#infra/twin/queues.ts';
import { FileSecretStore } from '#shared/adapters/file-secret-store.ts';
import { ENV } from '#shared/config/env.ts';
import { clockFromEnv, clockSpec } from '#shared/config/runtime.ts';
import { adminKeySecretName } from '#shared/config/secret-names.ts';
import { MAX_BODY_BYTES, type Route } from '#shared/http/http-api.ts';
import { startDynalite } from '#test/support/dynalite.ts';
import { CONTROL, fuzzHttp, hostileQuery, hostileText as hostileTextOf, type FuzzRequest, type FuzzResponse } from '#test/support/fuzz-http.ts';

/**
 * Hostile input at the operator routes (`/v1/ops`), every route of the ops
 * handler's own route table, called in-process with API Gateway v2 events. The
 * handler reaches the twin's own SQS and EventBridge endpoint (its queues and
 * bus archive, on dynalite) on loopback, through the real AWS SDK adapters:
 *
 * - no key, a wrong key or a brand-style key: 401 in the error shape, and no
 *   queue changes, no message move task and no replay starts;
 * - with the admin key, any path, query and body: never a 5xx and never a
 *   throw; every 4xx is `{error:{code,message,details}}` with a message;
 * - only a dead-letter queue with a source queue is redriven; anything else is
 *   refused and nothing moves;
 * - `Object.prototype` is never polluted.
 *
 * `FUZZ_SEED` replays a run; the seed is printed.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20260320);
const SIM_NOW = Date.parse('2026-03-20T10:00:00.000Z');
const ADMIN_KEY = 'pls_admin_ops-fuzz-key-0123456789abcdef';
const PREFIX = 'paylas/opsfuzz/';
const BUS = 'paylas-opsfuzz';
const REPLAY_PREFIX = `${BUS}-`;
const DAY_MS = 86_400_000;

// ---- the twin's queues and bus archive, and the handler wired to them ------------------------

const local = await startDynalite('paylas-ops-fuzz');
const clockEnv = clockSpec(1, new Date(SIM_NOW), new Date());
const clock = clockFromEnv({ [ENV.clock]: clockEnv });
await createQueueTable(local.db);
const queues = new LocalQueues(local.db, clock);
/** Each dead-letter queue and the queue its messages came from (none for failed bus deliveries). */
const DEAD_LETTER_QUEUES: Record<string, string | undefined> = { 'delivery-dlq': undefined, 'publish-dlq': 'publish', 'comments-dlq': 'comments' };
await queues.define({ name: 'delivery-dlq', visibilityTimeoutSeconds: 30 });
for (const source of ['publish', 'comments']) {
  await queues.define({ name: `${source}-dlq`, visibilityTimeoutSeconds: 30 });
  await queues.define({ name: source, visibilityTimeoutSeconds: 360, deadLetter: { queue: `${source}-dlq`, maxReceiveCount: 5 } });
}
const archive = new LocalArchive(local.db, BUS);
const aws = new AwsEndpoint({ queues, rules: [], busName: BUS, region: LOCAL_AWS.region, clock, archive });
await aws.start(0);

/** What was started, seen at the twin's queues and archive (their real behaviour is kept). */
const started = { moves: [] as string[], replays: [] as string[] };
const moveAll = queues.moveAll.bind(queues);
queues.moveAll = async (from, to) => {
  started.moves.push(`${from}→${to}`);
  return moveAll(from, to);
};
const replay = archive.replay.bind(archive);
archive.replay = async (name, ...rest) => {
  started.replays.push(name);
  return replay(name, ...rest);
};

const secretsDir = mkdtempSync(path.join(tmpdir(), 'paylas-ops-fuzz-secrets-'));
await new FileSecretStore(secretsDir).put(adminKeySecretName(PREFIX), ADMIN_KEY);
const sqsArn = (queue: string) => `arn:aws:sqs:${LOCAL_AWS.region}:000000000000:${queue}`;
Object.assign(process.env, {
  [ENV.secretsPrefix]: PREFIX,
  [ENV.secretsDir]: secretsDir,
  [ENV.operations]: JSON.stringify({
    deadLetterQueues: Object.entries(DEAD_LETTER_QUEUES).map(([name, source]) => ({ name, url: aws.queueUrl(name), arn: sqsArn(name), ...(source && { source }) })),
    archiveArn: `arn:aws:events:${LOCAL_AWS.region}:000000000000:archive/${BUS}-events`,
    busArn: `arn:aws:events:${LOCAL_AWS.region}:000000000000:event-bus/${BUS}`,
    replayPrefix: REPLAY_PREFIX,
  }),
  // A clock that runs at real speed from a fixed simulated instant; the twin's queues use the same one.
  [ENV.clock]: clockEnv,
  AWS_ENDPOINT_URL_SQS: aws.url,
  AWS_ENDPOINT_URL_EVENTBRIDGE: aws.url,
  AWS_REGION: LOCAL_AWS.region,
  AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
  // Unexpected errors (a 500) are logged with their stack; nothing else is.
  POWERTOOLS_LOG_LEVEL: 'ERROR',
});
const ops = (await import('#functions/ops/handler.ts')) as {
  handler: (e: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
  routes: readonly Route[];
};
const ROUTES = ops.routes;
const routeKey = (r: Route) => `${r.method} ${r.path}`;
const paramNames = (r: Route) => [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

afterAll(async () => {
  await aws.stop();
  await local.stop();
  rmSync(secretsDir, { recursive: true, force: true });
});

// ---- queue state ------------------------------------------------------------------------------

/** Every message of every queue, with what a receive or a move would change. */
const queueState = () =>
  queues
    .names()
    .sort()
    .map((q) => `${q}: ${queues.messages(q).map((m) => `${m.id}/${m.receiveCount}/${m.visibleAt}`).sort().join(' ')}`);
let stocked = 0;
/** At least one message in every dead-letter queue, so a peek or a redrive has something to act on. */
async function restock(): Promise<void> {
  for (const name of Object.keys(DEAD_LETTER_QUEUES)) {
    if (queues.depth(name).total === 0) await queues.send(name, JSON.stringify({ fixture: ++stocked, queue: name, note: 'failed every retry' }));
  }
}
await restock();
await queues.send('publish-dlq', JSON.stringify({ fixture: 'second', note: 'ş ü 😀' }));

// ---- requests ---------------------------------------------------------------------------------

type Req = FuzzRequest;
type Res = FuzzResponse;
const { send, fail, checkErrorShape, stats } = fuzzHttp({ invoke: (e) => ops.handler(e), apiId: 'ops-fuzz', now: () => clock.now() });

/** What every answer must be: no 5xx; a 4xx is `{error:{code,message,details}}` naming the problem; no header carries a line break. */
function checkAnswer(r: Req, res: Res): void {
  if (res.status >= 500) fail(r, res, 'a 5xx');
  for (const [name, value] of Object.entries(res.headers)) if (/[\r\n]/.test(String(value))) fail(r, res, `header ${name} carries a line break`);
  if (({} as Record<string, unknown>).polluted !== undefined) fail(r, res, 'Object.prototype was polluted');
  if (res.json === undefined) fail(r, res, 'an answer that is not JSON');
  if (res.status < 400) return;
  checkErrorShape(r, res);
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
async function call(method: string, rawPath: string, body?: unknown, rawQuery = '', key: string | null = ADMIN_KEY): Promise<Res> {
  const r: Req = { method, rawPath, rawQuery, headers: { ...(key !== null && bearer(key)), 'content-type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) };
  const res = await send(r);
  checkAnswer(r, res);
  return res;
}

const iso = (ms: number) => new Date(ms).toISOString();
/** A range the archive holds: within its 90 days, ending before now. */
const recentRange = () => ({ from: iso(clock.now().getTime() - 2 * 3_600_000), to: iso(clock.now().getTime() - 60_000) });

/** A valid request for each route (unknown routes get `publish-dlq` for every parameter and no body). */
function validRequest(r: Route, replayName = `${REPLAY_PREFIX}none`): { rawPath: string; rawQuery: string; body?: unknown } {
  const values: Record<string, string> = { queue: 'publish-dlq', name: replayName };
  const rawPath = r.path.replace(/\{(\w+)\}/g, (_, n: string) => values[n] ?? 'publish-dlq');
  const rawQuery = routeKey(r) === 'GET /v1/ops/dead-letters/{queue}' ? 'max=10' : '';
  return { rawPath, rawQuery, ...(routeKey(r) === 'POST /v1/ops/events/replay' && { body: recentRange() }) };
}

// ---- hostile values -----------------------------------------------------------------------------

const LONG = ['a'.repeat(64), 'a'.repeat(65), 'a'.repeat(128), 'a'.repeat(129), 'a'.repeat(2049), 'ş'.repeat(1000), 'x'.repeat(70_000)];
const NASTY = [
  '..', '../..', '../../etc/passwd', '.', '%2e%2e', '..%2f..%2f', '%2F', 'a%2Fb', '%', '%zz', '%25', '%252F', '%00', '%E0%A4%A', '%C0%AF', '%ED%A0%80', '%70ublish-dlq', 'publish%2Ddlq',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__', 'valueOf',
  'publish', 'comments', 'replies', 'delivery', 'publish-dlq ', ' publish-dlq', 'PUBLISH-DLQ', 'publish-dlq-dlq', 'publish-dlq\u0000', 'delivery-dlq', 'comments-dlq', 'publish-dlq', 'dlq', '-dlq',
  `arn:aws:sqs:${LOCAL_AWS.region}:000000000000:publish-dlq`, `${'http'}://127.0.0.1/000000000000/publish-dlq`, '000000000000/publish-dlq',
  REPLAY_PREFIX, `${REPLAY_PREFIX}x`, `${REPLAY_PREFIX}ş`, `${REPLAY_PREFIX}a:b`, `${REPLAY_PREFIX}a@b`, `${REPLAY_PREFIX}a+b~c`, `${REPLAY_PREFIX}${'9'.repeat(64)}`, `${REPLAY_PREFIX}20260320100000-abcdef`, `${REPLAY_PREFIX}..`,
  ' ', 'İ', 'ß', '😀', 'null', 'undefined', 'NaN', '-1', '0', '1e309', 'true', '[]', '{}', '$', '*', '?', ';', ',', '"', "'", '<script>', '${7*7}', '\\', '//', 'a/b', '/v1/ops/dead-letters', 'a?b=c', 'a#b',
  ...LONG,
];
const hostileText = hostileTextOf(NASTY, ['-dlq']);
/** A path parameter: hostile, a real queue name (dead-letter or not), or a replay name with this install's prefix. */
const segment: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: hostileText },
  { weight: 2, arbitrary: fc.constantFrom(...Object.keys(DEAD_LETTER_QUEUES), ...queues.names()) },
  { weight: 1, arbitrary: fc.stringMatching(/^[.\-_A-Za-z0-9]{1,80}$/).map((s) => `${REPLAY_PREFIX}${s}`) },
  { weight: 1, arbitrary: hostileText.map((s) => `${REPLAY_PREFIX}${s}`) },
  { weight: 1, arbitrary: fc.nat().map((i) => started.replays[i % Math.max(1, started.replays.length)] ?? `${REPLAY_PREFIX}none`) },
);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'isAdmin'];
/** An object with `key` as an own property, even `__proto__`. */
function withKey(obj: Record<string, Json>, key: string, value: Json): Record<string, Json> {
  const o = { ...obj };
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  return o;
}
const pollution: fc.Arbitrary<Json> = fc.constantFrom<Json>({ polluted: 'yes' }, { prototype: { polluted: 'yes' } }).map((v) => withKey({}, '__proto__', v));
const jsonValue: fc.Arbitrary<Json> = fc.letrec<{ v: Json }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    hostileText,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PROTO_KEYS, 'from', 'to'), fc.string({ maxLength: 8 })), tie('v')), { maxLength: 3 }).map((kvs) => kvs.reduce<Record<string, Json>>((o, [k, v]) => withKey(o, k, v), {})),
    pollution,
  ),
})).v;

/** Instants and near-instants: the archive's 90 days, before and after them, the ends of the calendar, and what is not an instant. */
const instant: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: -200 * 24, max: 30 * 24 }).map((hours) => iso(clock.now().getTime() + hours * 3_600_000)),
  fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    '0000-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z', '1970-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '+275760-09-13T00:00:00.000Z', '-000001-01-01T00:00:00.000Z',
    '2026-02-29T00:00:00Z', '2026-02-30T00:00:00Z', '2026-03-20T24:00:00Z', '2026-03-20T09:00:60Z', '2026-03-20T09:00Z', '2026-03-20T09:00:00+01:00', '2026-03-20',
    '2026-03-20T09:00:00.123456789Z', '2026-03-20T09:00:00.0001Z', 'yesterday', 'now', '', '1774000000', '0',
  ),
  hostileText,
);
const instantValue: fc.Arbitrary<Json> = fc.oneof({ weight: 6, arbitrary: instant }, { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constant(null), fc.constant<Json>([]), fc.constant<Json>({})) });

const deepArray = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const deepObject = (n: number) => `${'{"from":'.repeat(n)}1${'}'.repeat(n)}`;
/** Large bodies, printed by name in a counterexample. */
const BIG_BODIES: { body: string; base64?: boolean }[] = (
  [
    ['an oversized replay', { body: `{"from":"${'x'.repeat(MAX_BODY_BYTES)}","to":"2026-03-20T09:00:00Z"}` }],
    ['oversized multi-byte text', { body: `"${'ş'.repeat(MAX_BODY_BYTES / 2)}"` }],
    ['oversized base64', { body: Buffer.alloc(MAX_BODY_BYTES + 1, 0x20).toString('base64'), base64: true }],
    ['10,000-deep arrays', { body: deepArray(10_000) }],
    ['10,000-deep objects', { body: deepObject(10_000) }],
    ['5,000-deep arrays in from', { body: `{"from":${deepArray(5000)},"to":"2026-03-20T09:00:00Z"}` }],
    ['invalid UTF-8', { body: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]).toString('base64'), base64: true }],
    ['a UTF-8-encoded lone surrogate', { body: Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]).toString('base64'), base64: true }],
  ] as const
).map(([name, b]) => Object.assign({ ...b }, { [fc.toStringMethod]: () => `<${name}>` }));
type Body = { body?: string; base64?: boolean };
/** Replay bodies: ranges of any kind (valid, reversed, empty, far past, future, year 9999), other shapes, and what is not JSON. */
const replayBody: fc.Arbitrary<Body> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ from: instantValue, to: instantValue }).map((v): Body => ({ body: JSON.stringify(v) })) },
  {
    weight: 3,
    arbitrary: fc.tuple(fc.integer({ min: 1, max: 95 * 24 * 60 }), fc.integer({ min: -60, max: 95 * 24 * 60 })).map(([a, b]): Body => {
      const now = clock.now().getTime();
      return { body: JSON.stringify({ from: iso(now - a * 60_000), to: iso(now - b * 60_000) }) };
    }),
  },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...PROTO_KEYS, 'extra'), jsonValue).map(([k, v]): Body => ({ body: JSON.stringify(withKey(recentRange(), k, v)) })) },
  { weight: 2, arbitrary: jsonValue.map((v): Body => ({ body: JSON.stringify(v) })) },
  { weight: 1, arbitrary: fc.constant<Body>({}) },
  { weight: 1, arbitrary: fc.constantFrom(...BIG_BODIES) },
  { weight: 1, arbitrary: hostileText.map((b): Body => ({ body: b })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((b): Body => ({ body: Buffer.from(b).toString('base64'), base64: true })) },
);
/** Bodies for routes that take none. */
const anyBody: fc.Arbitrary<Body> = fc.oneof({ weight: 3, arbitrary: fc.constant<Body>({}) }, { weight: 1, arbitrary: replayBody });

/** The Authorization header: none, or a wrong, malformed, brand-style or odd one; never the admin key. */
const WRONG_AUTH: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(
    '',
    ' ',
    'Bearer',
    'Bearer ',
    `Bearer ${ADMIN_KEY}x`,
    `Bearer ${ADMIN_KEY.slice(0, -1)}`,
    `Bearer ${ADMIN_KEY.toUpperCase()}`,
    `bearer ${ADMIN_KEY}`,
    `Bearer  ${ADMIN_KEY}`,
    `Basic ${Buffer.from(`admin:${ADMIN_KEY}`).toString('base64')}`,
    `Bearer ${ADMIN_KEY}\r\nX-Injected: 1`,
    `Bearer ${ADMIN_KEY}\u0000`,
    `Bearer ${ADMIN_KEY.replace('a', 'а')}`,
    `Bearer ${ADMIN_KEY}, Bearer ${ADMIN_KEY}`,
    `Bearer pls_${'A'.repeat(32)}`,
    ADMIN_KEY,
    `Bearer ${'a'.repeat(100_000)}`,
  ),
  fc.stringMatching(/^pls_[A-Za-z0-9_-]{16,60}$/).map((k) => `Bearer ${k}`),
  fc.stringMatching(/^[A-Za-z0-9_\-.~+/]{16,200}$/).map((k) => `Bearer ${k}`),
  fc.array(fc.constantFrom(...CONTROL, 'pls_', 'a', 'ş', '😀', '='), { minLength: 1, maxLength: 40 }).map((k) => `Bearer ${k.join('')}`),
  hostileText.map((k) => `Bearer ${k}`),
  hostileText,
);

const query: fc.Arbitrary<string> = hostileQuery(
  fc.oneof(fc.constantFrom('max', 'max', 'cursor', 'limit', '__proto__', 'constructor'), hostileText),
  fc.oneof(hostileText, fc.constantFrom('0', '1', '10', '11', '-1', '1.5', '1e1', '0x5', ' 5', '5 ', '', 'Infinity', 'NaN', '9'.repeat(400))),
  3,
);

/** The route's path with the given values in place of its parameters. */
const pathWith = (r: Route, values: readonly string[]) => {
  let i = 0;
  return r.path.replace(/\{(\w+)\}/g, () => values[i++]!);
};
/** API Gateway decodes once; the handler tolerates a second decoding. */
function decodedOnce(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const runs = { unauth: 0, hostile: 0, peeks: 0, redriven: 0, replays: 0 };
const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();

// ---- the properties -----------------------------------------------------------------------------

console.info(`ops fuzz: seed ${SEED}, ${ROUTES.length} routes`);

describe('the route table', () => {
  it('is the one the handler serves: every route needs the admin key and answers it', async () => {
    expect(ROUTES.map(routeKey).sort()).toEqual(
      ['GET /v1/ops/dead-letters', 'GET /v1/ops/dead-letters/{queue}', 'POST /v1/ops/dead-letters/{queue}/redrive', 'POST /v1/ops/events/replay', 'GET /v1/ops/events/replays/{name}'].sort(),
    );
    let replayName = `${REPLAY_PREFIX}none`;
    // The replay first, so its state can be asked for; the redrive last, so the peek has something to show.
    const first = ['POST /v1/ops/events/replay', 'GET /v1/ops/events/replays/{name}', 'GET /v1/ops/dead-letters', 'GET /v1/ops/dead-letters/{queue}'];
    const order = (r: Route) => (first.includes(routeKey(r)) ? first.indexOf(routeKey(r)) : first.length);
    for (const r of [...ROUTES].sort((a, b) => order(a) - order(b))) {
      expect(r.auth, routeKey(r)).toBe(true);
      const { rawPath, rawQuery, body } = validRequest(r, replayName);
      const res = await call(r.method, rawPath, body, rawQuery);
      expect(res.status, `${routeKey(r)}: ${res.text.slice(0, 300)}`).toBe(r.status ?? 200);
      if (routeKey(r) === 'POST /v1/ops/events/replay') replayName = res.json.name;
    }
    await restock();
  });

  it('peeks leave the messages where they are, and a redrive moves every message of a dead-letter queue back to its source', async () => {
    await queues.send('publish-dlq', JSON.stringify({ fixture: 'to move' }));
    const list = await call('GET', '/v1/ops/dead-letters');
    const byName = Object.fromEntries((list.json.items as { name: string; messages: number; source?: string }[]).map((q) => [q.name, q]));
    expect(Object.keys(byName).sort()).toEqual(Object.keys(DEAD_LETTER_QUEUES).sort());
    expect(byName['publish-dlq']).toMatchObject({ source: 'publish', messages: queues.depth('publish-dlq').visible });
    expect(byName['delivery-dlq']!.source).toBeUndefined();
    const bodies = queues.messages('publish-dlq').map((m) => m.body).sort();
    const before = queueState();
    const peek = await call('GET', '/v1/ops/dead-letters/publish-dlq', undefined, 'max=1');
    expect(peek.json.items).toHaveLength(1);
    expect(bodies).toContain(peek.json.items[0].body);
    expect(queueState()).toEqual(before);
    const sourceBefore = queues.depth('publish').total;
    const moved = await call('POST', '/v1/ops/dead-letters/publish-dlq/redrive');
    expect(moved.status).toBe(202);
    expect(moved.json).toMatchObject({ queue: 'publish-dlq', movingTo: 'publish', messages: bodies.length });
    expect(queues.depth('publish-dlq').total).toBe(0);
    expect(queues.depth('publish').total).toBe(sourceBefore + bodies.length);
    expect(queues.messages('publish').slice(-bodies.length).map((m) => m.body).sort()).toEqual(bodies);
    expect(started.moves.at(-1)).toBe('publish-dlq→publish');
    await restock();
  });
});

describe('no key, a wrong key or a brand-style key', () => {
  describe.each(ROUTES.map((r) => [routeKey(r), r] as const))('%s', (_name, r) => {
    it('401 in the error shape; no queue changes, no move task, no replay (60 runs)', async () => {
      const before = { state: queueState(), moves: started.moves.length, replays: started.replays.length };
      const param = segment.filter((s) => s !== '' && !s.includes('/') && decodedOnce(s) !== '' && !decodedOnce(s).includes('/'));
      await fc.assert(
        fc.asyncProperty(
          WRONG_AUTH,
          fc.array(param, { minLength: paramNames(r).length, maxLength: paramNames(r).length }),
          fc.option(query, { freq: 2 }),
          r.body ? replayBody : anyBody,
          async (auth, values, query, body) => {
            runs.unauth++;
            const valid = validRequest(r);
            const req: Req = {
              method: r.method,
              rawPath: values.length > 0 ? pathWith(r, values) : valid.rawPath,
              rawQuery: query ?? valid.rawQuery,
              headers: { ...(auth !== undefined && { authorization: auth }), 'content-type': 'application/json' },
              ...(body.body !== undefined ? { body: body.body } : valid.body !== undefined && { body: JSON.stringify(valid.body) }),
              ...(body.base64 && { base64: true }),
            };
            const res = await send(req);
            checkAnswer(req, res);
            if (res.status !== 401) fail(req, res, 'expected 401');
            if (JSON.stringify(queueState()) !== JSON.stringify(before.state)) fail(req, res, 'a queue changed');
            if (started.moves.length !== before.moves || started.replays.length !== before.replays) fail(req, res, 'a move task or a replay started');
          },
        ),
        { numRuns: 60, seed: SEED },
      );
    });
  });
});

describe('the admin key with hostile paths, queries and bodies', () => {
  describe.each(ROUTES.map((r) => [routeKey(r), r] as const))('%s', (_name, r) => {
    it('never a 5xx or a throw; errors in shape; only a real redrive moves anything (120 runs)', async () => {
      const isRedrive = routeKey(r) === 'POST /v1/ops/dead-letters/{queue}/redrive';
      const isReplay = routeKey(r) === 'POST /v1/ops/events/replay';
      const isPeek = routeKey(r) === 'GET /v1/ops/dead-letters/{queue}';
      await fc.assert(
        fc.asyncProperty(
          fc.oneof({ weight: 8, arbitrary: fc.constant(r.method) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', r.method.toLowerCase(), 'FOO') }),
          fc.array(segment, { minLength: paramNames(r).length, maxLength: paramNames(r).length }),
          fc.constantFrom('', '', '', '/', '//', '/.', '/..'),
          fc.option(query, { freq: 3 }),
          isReplay ? replayBody : anyBody,
          async (method, values, decoration, query, body) => {
            runs.hostile++;
            const valid = validRequest(r);
            const req: Req = {
              method,
              rawPath: (values.length > 0 ? pathWith(r, values) : valid.rawPath) + decoration,
              rawQuery: query ?? valid.rawQuery,
              headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/json' },
              ...(body.body !== undefined && { body: body.body }),
              ...(body.base64 && { base64: true }),
            };
            const before = { state: queueState(), moves: started.moves.length, replays: started.replays.length };
            const res = await send(req);
            checkAnswer(req, res);
            const moved = started.moves.slice(before.moves);
            const replayed = started.replays.slice(before.replays);
            // Only a 202 redrive of a dead-letter queue with a source queue moves anything, and then all of it.
            if (moved.length > 0) {
              const name = String(res.json?.queue);
              const source = Object.hasOwn(DEAD_LETTER_QUEUES, name) ? DEAD_LETTER_QUEUES[name] : undefined;
              if (res.status !== 202 || moved.length !== 1) fail(req, res, `a move task started without a 202: ${moved.join(', ')}`);
              if (!source || res.json.movingTo !== source || moved[0] !== `${name}→${source}`) fail(req, res, `the answer does not match the move ${moved[0]}`);
              if (queues.depth(name).total !== 0) fail(req, res, 'messages were left in the dead-letter queue');
              runs.redriven++;
              await restock();
            } else if (JSON.stringify(queueState()) !== JSON.stringify(before.state)) fail(req, res, 'a queue changed');
            // Only a 202 replay starts one, and only over a range the archive holds.
            if (replayed.length > 0) {
              if (res.status !== 202 || replayed.length !== 1 || res.json.name !== replayed[0] || !replayed[0]!.startsWith(REPLAY_PREFIX)) fail(req, res, `a replay started without its 202: ${replayed.join(', ')}`);
              const { from, to } = JSON.parse(body.body!) as { from: string; to: string };
              const now = clock.now().getTime();
              if (!(Date.parse(from) < Date.parse(to)) || Date.parse(from) < now - 91 * DAY_MS || Date.parse(to) > now) fail(req, res, 'a replay outside the archive was started');
              runs.replays++;
            }
            // This route answered: the router ignores trailing slashes and the method's case; a parameter is one non-empty segment.
            const routed = method.toUpperCase() === r.method && /^\/*$/.test(decoration) && values.every((v) => v !== '' && !v.includes('/'));
            // A peek shows what the queue holds (every dead-letter queue holds at least one message), at most `max`.
            if (isPeek && routed && res.status === 200) {
              const name = decodedOnce(values[0]!);
              const max = Number(Object.fromEntries(new URLSearchParams(req.rawQuery)).max ?? 10);
              const items = res.json.items as { id: string; body: string }[];
              const held = new Set(queues.messages(name).map((m) => m.body));
              if (items.length < 1 || items.length > max || items.some((m) => !held.has(m.body))) fail(req, res, `a peek of ${name} with max ${max} does not show what it holds`);
              runs.peeks++;
            }
            if (isRedrive && routed) {
              const name = decodedOnce(values[0]!);
              const known = Object.hasOwn(DEAD_LETTER_QUEUES, name);
              if (res.status < 400 && !(known && DEAD_LETTER_QUEUES[name])) fail(req, res, `a redrive of ${JSON.stringify(name)} was not refused`);
              if (res.status === 202 && moved[0] !== `${name}→${DEAD_LETTER_QUEUES[name]}`) fail(req, res, 'another queue than the one named was redriven');
              // (A body is read, and may be refused, before the route runs.)
              if (known && !DEAD_LETTER_QUEUES[name] && body.body === undefined && res.json?.error?.code !== 'state_conflict') fail(req, res, 'a redrive of a queue without a source is not refused as a conflict');
            }
          },
        ),
        { numRuns: 120, seed: SEED },
      );
    }, 60_000);
  });
});

describe('refusals an operator relies on', () => {
  it('a redrive of a queue that is not a dead-letter queue, or of delivery-dlq, is refused and nothing moves', async () => {
    const before = { state: queueState(), moves: started.moves.length };
    for (const name of ['publish', 'comments', 'replies', '__proto__', 'constructor', 'toString', 'publish-dlq-dlq', 'PUBLISH-DLQ', 'delivery-dlq', 'a'.repeat(2049), '..']) {
      const res = await call('POST', `/v1/ops/dead-letters/${name}/redrive`);
      expect([400, 404, 409], `${name.slice(0, 40)}: ${res.text.slice(0, 200)}`).toContain(res.status);
      if (name === 'delivery-dlq') expect(res.json.error.message).toMatch(/no source queue/);
    }
    expect(queueState()).toEqual(before.state);
    expect(started.moves.length).toBe(before.moves);
  });

  it('replays that the archive cannot serve are refused, naming the reason', async () => {
    const now = clock.now().getTime();
    const cases: [unknown, number, RegExp][] = [
      [{ from: iso(now - 3_600_000), to: iso(now - 7_200_000) }, 400, /from must be before to/],
      [{ from: iso(now - 3_600_000), to: iso(now - 3_600_000) }, 400, /from must be before to/],
      [{ from: iso(now - 100 * DAY_MS), to: iso(now - DAY_MS) }, 409, /90 days/],
      [{ from: '0000-01-01T00:00:00Z', to: '9999-12-31T23:59:59.999Z' }, 409, /90 days/],
      [{ from: iso(now - 3_600_000), to: '9999-12-31T23:59:59.999Z' }, 409, /in the future/],
      [{ from: 'yesterday', to: 'now' }, 400, /from: .*to: /],
      [undefined, 400, /body: is missing/],
    ];
    const replaysBefore = started.replays.length;
    for (const [body, status, message] of cases) {
      const res = await call('POST', '/v1/ops/events/replay', body);
      expect([res.status, res.json.error.message], JSON.stringify(body)).toEqual([status, expect.stringMatching(message)]);
    }
    expect(started.replays.length).toBe(replaysBefore);
  });

  it('regression: a replay name with this install\'s prefix that EventBridge could never hold is not found, not a 500', async () => {
    const describes = [`${REPLAY_PREFIX}a@b`, `${REPLAY_PREFIX}ş`, `${REPLAY_PREFIX}a:b`, `${REPLAY_PREFIX}a+b~c`, `${REPLAY_PREFIX}${'9'.repeat(64 - REPLAY_PREFIX.length + 1)}`];
    for (const name of describes) {
      const res = await call('GET', `/v1/ops/events/replays/${name}`);
      expect([res.status, res.json.error.code], name).toEqual([404, 'not_found']);
      expect(res.json.error.message).toBe(`replay ${JSON.stringify(name)} does not exist`);
    }
  });

  it('left Object.prototype as it was', () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    console.info(`ops fuzz: ${stats.calls} handler calls ${JSON.stringify(runs)}`);
  });
});
