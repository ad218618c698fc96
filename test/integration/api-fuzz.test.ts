import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { SESClient } from '@aws-sdk/client-ses';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSes } from '#infra/twin/local-services.ts';
import { SesMailer } from '#shared/adapters/aws-ses-mailer.ts';
import { FileSecretStore } from '#shared/adapters/file-secret-store.ts';
import { ENV } from '#shared/config/env.ts';
import { clockSpec } from '#shared/config/runtime.ts';
import { adminKeySecretName, credentialsKeySecretName } from '#shared/config/secret-names.ts';
import { CommunityStore } from '#shared/data/community-store.ts';
import type { Comment } from '#shared/domain/comment.ts';
import { isNonPublicAddress, publicUrlProblem } from '#shared/domain/public-url.ts';
import { MAX_BODY_BYTES, type Route } from '#shared/http/http-api.ts';
import { operationsContracts } from '#shared/http/operations-routes.ts';
import { fetchMedia } from '#shared/platforms/media.ts';
import { PublishError } from '#shared/platforms/platform-client.ts';
import { startDynalite } from '#test/support/dynalite.ts';
import { startFakeAws } from '#test/support/fake-aws.ts';
import { fuzzHttp, hostileQuery, hostileText as hostileTextOf, type FuzzRequest, type FuzzResponse } from '#test/support/fuzz-http.ts';
import { functionFor, httpFunction, invokeHttp, V1_FUNCTIONS } from '#test/support/http-functions.ts';

/**
 * Hostile input at the management API (`/v1`): every route of the functions
 * that serve it (api, reports, connect; the operator routes have their own
 * file), each called in-process with API Gateway v2 events as the wiring routes
 * them, over dynalite, with SQS/EventBridge and SES stand-ins on loopback:
 *
 * - never a 5xx and never a throw out of the handler; every 4xx is the error
 *   shape with a message, and a validation error names each field and rule;
 * - no key or a wrong key: 401, and nothing in the table or on a queue changes;
 * - brand B's key on brand A's things: the same answer as for things that do
 *   not exist, and nothing changes;
 * - `Object.prototype` is never polluted;
 * - report recipients cannot carry mail headers, and the mail adapter sends
 *   none it was not given;
 * - media URLs go only to public http(s) hosts: refused by the API and again
 *   when fetched, redirects included;
 * - CSV calendars of any shape: no 5xx, every problem by spreadsheet row.
 *
 * `FUZZ_SEED` replays a run; the seed is printed.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20260320);
const SIM_NOW = Date.parse('2026-03-20T10:00:00.000Z');
const ADMIN_KEY = 'pls_admin_api-fuzz-key-0123456789abcdef';
const PREFIX = 'paylas/fuzz/';

// ---- the handler, wired to local stand-ins -----------------------------------------------

const local = await startDynalite('paylas-api-fuzz');
const aws = await startFakeAws();
const outbox = mkdtempSync(path.join(tmpdir(), 'paylas-fuzz-outbox-'));
const ses = await startSes(outbox, 0);
const sesStore = createRequire(import.meta.url)('aws-ses-v2-local/dist/store.js') as { getStoreReadonly(): { emails: { subject: string; destination: { to: string[]; cc: string[]; bcc: string[] } }[] } };
const secretsDir = mkdtempSync(path.join(tmpdir(), 'paylas-fuzz-secrets-'));
await new FileSecretStore(secretsDir).put(adminKeySecretName(PREFIX), ADMIN_KEY);
await new FileSecretStore(secretsDir).put(credentialsKeySecretName(PREFIX), 'api-fuzz-credentials-key-0123456789abcdef0123456789');
Object.assign(process.env, {
  [ENV.tableName]: local.tableName,
  [ENV.secretsPrefix]: PREFIX,
  [ENV.secretsDir]: secretsDir,
  [ENV.queueUrl('publish')]: aws.queueUrl('publish'),
  [ENV.queueUrl('replies')]: aws.queueUrl('replies'),
  [ENV.busName]: 'paylas-api-fuzz',
  [ENV.emailFrom]: 'reports@paylas.test',
  // A clock that runs at real speed from a fixed simulated instant, so the DST edges below are in the future.
  [ENV.clock]: clockSpec(1, new Date(SIM_NOW), new Date()),
  AWS_ENDPOINT_URL_DYNAMODB: local.endpoint,
  AWS_ENDPOINT_URL_SQS: aws.url,
  AWS_ENDPOINT_URL_EVENTBRIDGE: aws.url,
  AWS_ENDPOINT_URL_SES: ses.endpoint,
  AWS_REGION: 'eu-central-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  // Unexpected errors (a 500) are logged with their stack; nothing else is.
  POWERTOOLS_LOG_LEVEL: 'ERROR',
});
// Every function behind /v1 but the operator routes (ops-fuzz.test.ts), each reached as API Gateway routes to it.
const FUNCTIONS = V1_FUNCTIONS.filter((name) => name !== 'ops');
const ROUTES = (await Promise.all(FUNCTIONS.map(httpFunction))).flatMap((m) => m.routes ?? []);
const AUTH_ROUTES = ROUTES.filter((r) => r.auth);
const routeKey = (r: Route) => `${r.method} ${r.path}`;
const paramNames = (r: Route) => [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
const queryKeys = (r: Route) => Object.keys((r.query as { shape?: Record<string, unknown> } | undefined)?.shape ?? {});

afterAll(async () => {
  await local.stop();
  await aws.stop();
  await ses.stop();
  rmSync(outbox, { recursive: true, force: true });
  rmSync(secretsDir, { recursive: true, force: true });
});

// ---- requests -----------------------------------------------------------------------------

type Req = FuzzRequest;
type Res = FuzzResponse;
const { send, fail, checkErrorShape, stats } = fuzzHttp({ invoke: (e) => invokeHttp(e), apiId: 'fuzz', now: () => new Date(SIM_NOW) });

/** What every answer must be: no 5xx; a 4xx is `{error:{code,message,details}}` naming the problem; no header carries a line break. */
function checkAnswer(r: Req, res: Res): void {
  const code = res.json?.error?.code;
  // Deliberate answers about the server's own state, in the error shape: an app credential not configured (503), a platform down (502).
  const declared = (res.status === 503 && code === 'not_configured') || (res.status === 502 && code === 'platform_unavailable');
  const html = String(res.headers['content-type'] ?? '').startsWith('text/html');
  if (res.status >= 500 && !declared && !(html && [502, 503].includes(res.status))) fail(r, res, 'a 5xx');
  for (const [name, value] of Object.entries(res.headers)) if (/[\r\n]/.test(String(value))) fail(r, res, `header ${name} carries a line break`);
  if (({} as Record<string, unknown>).polluted !== undefined) fail(r, res, 'Object.prototype was polluted');
  if (res.status < 400) return;
  // No route at all: API Gateway's own 404, before any function.
  if (!functionFor(r.method, r.rawPath)) {
    if (res.status !== 404 || res.text !== '{"message":"Not Found"}') fail(r, res, "a request no route takes must get API Gateway's 404");
    return;
  }
  if (html) {
    // A page for a browser (the OAuth callback): it must still say what went wrong.
    if (!/<h1[^>]*>[^<]+<\/h1>\s*<p>[^<]+/.test(res.text)) fail(r, res, 'an error page without a heading and a reason');
    return;
  }
  checkErrorShape(r, res);
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const jsonHeaders = (key: string | null) => ({ ...(key !== null && bearer(key)), 'content-type': 'application/json' });
async function call(method: string, rawPath: string, body?: unknown, key: string | null = ADMIN_KEY, rawQuery = ''): Promise<Res> {
  const r: Req = { method, rawPath, rawQuery, headers: jsonHeaders(key), ...(body !== undefined && { body: JSON.stringify(body) }) };
  const res = await send(r);
  checkAnswer(r, res);
  return res;
}

// ---- fixtures: a playground brand for the fuzz, two brands for isolation ------------------

interface Ids {
  brandId: string;
  accountId: string;
  handle: string;
  postId: string;
  commentId: string;
  keyId: string;
  key: string;
}

const community = new CommunityStore(local.db, local.tableName, { now: () => new Date(SIM_NOW) });
const brandBody = (name: string, extra: Record<string, unknown> = {}) => ({ name, timezone: 'Europe/Berlin', locale: 'tr', reportRecipients: ['team@example.com'], ...extra });

async function makeBrand(name: string): Promise<Ids> {
  const brand = await call('POST', '/v1/brands', brandBody(name));
  const brandId = brand.json.id as string;
  const handle = `@${name}`;
  const account = await call('POST', `/v1/brands/${brandId}/accounts`, { platform: 'sandbox', handle, platformAccountId: `sb-${brandId}` });
  const accountId = account.json.id as string;
  const post = await call('POST', '/v1/posts', { brandId, scheduledAt: '2026-04-02T09:00', text: `${name} post`, targets: [{ accountId }] });
  const key = await call('POST', `/v1/brands/${brandId}/keys`, { label: name });
  await call('PUT', `/v1/brands/${brandId}/goals`, { goals: [{ metric: 'reach', targetValue: 1000, start: '2026-03-01', deadline: '2026-06-30' }] });
  const at = new Date(SIM_NOW - 3_600_000).toISOString();
  const commentId = randomUUID();
  const comment: Comment = {
    id: commentId, brandId, accountId, platform: 'sandbox', platformCommentId: `pc-${commentId}`, text: 'Fiyatı ne kadar?', author: { id: 'u1', handle: '@ayse' },
    sentiment: 'neutral', intent: 'question', language: 'tr', status: 'open', tags: [], receivedAt: at, ingestedAt: at, countToken: 'fuzz', version: 1, createdAt: at, updatedAt: at,
  };
  expect(await community.putNewComment(comment)).toBe(true);
  for (const r of [brand, account, post, key]) expect(r.status).toBe(201);
  return { brandId, accountId, handle, postId: post.json.id, commentId, keyId: key.json.id, key: key.json.key };
}

const play = await makeBrand('play');
const isoA = await makeBrand('isoa');
const isoB = await makeBrand('isob');
const quarantineId = (await community.quarantine({ id: 'fuzzq1', source: 'sandbox', reason: 'fuzz fixture', receivedAt: new Date(SIM_NOW).toISOString() }, Buffer.from('{"object":"sandbox"}'))).id;
const revoked = (await call('POST', `/v1/brands/${play.brandId}/keys`, { label: 'revoked' })).json;
expect((await call('DELETE', `/v1/brands/${play.brandId}/keys/${revoked.id}`)).status).toBe(200);

/** Path values, query and a valid body for a route, from one brand's ids (read only where the route uses them); unknown routes get ids by parameter name and no body. */
function requestFor(r: Route, ids: Ids, qid = quarantineId): { rawPath: string; query: Record<string, string>; body?: unknown } {
  const values: Record<string, () => string> = { brandId: () => ids.brandId, postId: () => ids.postId, commentId: () => ids.commentId, keyId: () => ids.keyId, id: () => qid, week: () => '2026-W10' };
  const rawPath = r.path.replace(/\{(\w+)\}/g, (_, n: string) => values[n]?.() ?? 'sandbox');
  const query: Record<string, string> = queryKeys(r).includes('brandId') ? { brandId: ids.brandId } : {};
  const bodies: Record<string, () => unknown> = {
    'POST /v1/brands': () => brandBody('fuzzed'),
    'PATCH /v1/brands/{brandId}': () => ({ reportHour: 9 }),
    'POST /v1/brands/{brandId}/keys': () => ({ label: 'fuzz' }),
    'POST /v1/brands/{brandId}/accounts': () => ({ platform: 'sandbox', handle: '@fuzz', platformAccountId: `sb-fuzz-${randomUUID()}`, credentials: { accessToken: 't' } }),
    'PUT /v1/brands/{brandId}/goals': () => ({ goals: [{ metric: 'reach', targetValue: 1000, start: '2026-04-01', deadline: '2026-06-30' }] }),
    'POST /v1/posts': () => ({ brandId: ids.brandId, scheduledAt: '2026-04-01T09:00', text: 'hello', targets: [{ accountId: ids.accountId, media: [{ url: 'https://cdn.example.com/a.jpg', kind: 'image' }] }], status: 'draft' }),
    'POST /v1/posts:import': () => ({ brandId: ids.brandId, csv: `date,time,accounts,text\n2026-04-03,10:00,${ids.handle},csv post` }),
    'PATCH /v1/posts/{postId}': () => ({ text: 'edited', targets: [{ accountId: ids.accountId }] }),
    'PATCH /v1/comments/{commentId}': () => ({ status: 'handled', tags: ['fuzz'] }),
    'POST /v1/comments/{commentId}/reply': () => ({ text: 'Teşekkürler!' }),
    'POST /v1/reports': () => ({ brandId: ids.brandId, week: '2026-W10' }),
  };
  const body = bodies[routeKey(r)]?.();
  return { rawPath, query, ...(body !== undefined && { body }) };
}

const qs = (q: Record<string, string>) => new URLSearchParams(q).toString();

async function snapshot(): Promise<string[]> {
  const items: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await local.db.send(new ScanCommand({ TableName: local.tableName, ExclusiveStartKey: start }));
    for (const i of out.Items ?? []) items.push(JSON.stringify(i, Object.keys(i).sort()));
    start = out.LastEvaluatedKey;
  } while (start);
  return items.sort();
}
const sideEffects = () => ({ aws: aws.calls.length, mail: ses.sentCount() });

// ---- hostile values -------------------------------------------------------------------------

const LONG = ['a'.repeat(65), 'a'.repeat(2049), 'ş'.repeat(10_000), 'x'.repeat(70_000)];
const NASTY = [
  '..', '../..', '../../etc/passwd', '..%2f..%2f', '%2e%2e', '%2e%2e%2f', 'a%2Fb', '%2F', '%', '%zz', '%25', '%252F', '%00', '%E0%A4%A', '%C0%AF', '%ED%A0%80',
  '\r\nX-Injected: 1', 'a\r\nBcc: evil@attacker.test', '\u202Eexe.jpg', '\u2066x\u2069', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__',
  ' ', '\t', 'İ', 'ß', 'ﬃ', '😀', '👩‍👩‍👧', 'null', 'undefined', 'NaN', 'Infinity', '-1', '0', '1e309', 'true', '[]', '{}', '$', '*', '#', '?', ';', ',', '"', "'", '<script>alert(1)</script>',
  '${7*7}', '{{7*7}}', 'BRAND#x', 'POST#1', 'pk', 'sk', '\\', '//', '.', 'last', '2026-W53', '2026-W00', '0000-W01', '9999-W99', 'a/b', '/v1/brands', 'a?b=c', 'a#b', '=1+1', '+cmd', '@SUM(A1)',
  ...LONG,
];
const hostileText = hostileTextOf(NASTY, ['Bcc: x@evil.test']);
const validId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const segment: fc.Arbitrary<string> = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...NASTY) }, { weight: 2, arbitrary: hostileText }, { weight: 1, arbitrary: validId }, { weight: 1, arbitrary: fc.constant(randomUUID()) });

/** Local wall times around 2026 daylight-saving changes (gaps and overlaps, 15/30/60/120-minute shifts). */
const DST_EDGES: [zone: string, wall: string][] = [
  ['Europe/Berlin', '2026-03-29T02:00'],
  ['Europe/Berlin', '2026-10-25T02:00'],
  ['America/New_York', '2026-11-01T01:00'],
  ['America/New_York', '2026-03-08T02:00'],
  ['Australia/Lord_Howe', '2026-10-04T02:00'],
  ['Australia/Lord_Howe', '2026-04-05T01:30'],
  ['Pacific/Chatham', '2026-04-05T02:45'],
  ['Pacific/Chatham', '2026-09-27T02:45'],
  ['America/Santiago', '2026-04-04T23:00'],
  ['America/Santiago', '2026-09-06T00:00'],
  ['Antarctica/Troll', '2026-03-29T01:00'],
  ['Europe/Istanbul', '2026-03-29T03:00'],
];
const pad = (n: number) => String(n).padStart(2, '0');
function shiftWall(wall: string, minutes: number): string {
  const d = new Date(Date.parse(`${wall}:00.000Z`) + minutes * 60_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}
const dstWall = fc.record({ edge: fc.constantFrom(...DST_EDGES), minutes: fc.integer({ min: -150, max: 150 }) }).map(({ edge: [zone, wall], minutes }) => ({ zone, wall: shiftWall(wall, minutes) }));
const hostileDate = fc.oneof(
  dstWall.map((x) => x.wall),
  dstWall.map((x) => `${x.wall}:00+02:00`),
  fc.constantFrom('2026-02-30T10:00', '2026-13-01T00:00', '2026-03-29T24:00', '2026-03-29T02:30:60', '0000-01-01T00:00Z', '0001-01-01T00:00:00Z', '9999-12-31T23:59-23:59', '2026-03-29T02:30+99:99', '2026-03-29', '2026-W13', '1970-01-01T00:00:00Z', '2038-01-19T03:14:08Z', '+275760-09-13T00:00:00Z', '2026-03-29T02:30:00.123456789+01:00', ''),
);
const CALENDAR_EDGES = ['0000-01-01', '0001-01-01', '1970-01-01', '2024-02-29', '2026-02-29', '2026-03-29', '2026-10-25', '2026-12-31', '9999-12-31', '2026-03-20', '2025-03-20', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2026-03-29T01:00:00+14:00', '2026-03-29T01:00:00-12:00'];
const RAW_NUMBERS = ['1e400', '-1e400', '123456789012345678901234567890', '-0', '0.0000000000000000000000001', '1E+2', '9007199254740993', '-9007199254740993'];
const hostileNumber = fc.oneof(fc.constantFrom(0, -1, 1.5, 2 ** 31, 2 ** 53 + 2, -(2 ** 53), 1e21, 1e308, -1e308, 5e-324, 24, 25, 7, 8, 0.5), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer());
/** A raw JSON number literal put in place of this marker after serialising (numbers JSON.stringify cannot write). */
const rawNumber = fc.constantFrom(...RAW_NUMBERS.map((n) => `@@raw:${n}@@`));

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineSetter__', 'isAdmin'];
/** An object with `key` as an own property, even `__proto__`. */
function withKey(obj: Record<string, Json>, key: string, value: Json): Record<string, Json> {
  const o = { ...obj };
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  return o;
}
const pollution: fc.Arbitrary<Json> = fc.constantFrom<Json>({ polluted: 'yes' }, { prototype: { polluted: 'yes' } }, { __proto__: null } as unknown as Json).map((v) => (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0 ? withKey({}, '__proto__', { polluted: 'yes' }) : v));
const leaf: fc.Arbitrary<Json> = fc.oneof(fc.constant(null), fc.boolean(), hostileNumber, rawNumber, hostileText, hostileDate);
const jsonValue: fc.Arbitrary<Json> = fc.letrec<{ v: Json }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PROTO_KEYS), fc.string({ maxLength: 8 })), tie('v')), { maxLength: 3 }).map((kvs) => kvs.reduce<Record<string, Json>>((o, [k, v]) => withKey(o, k, v), {})),
    pollution,
  ),
})).v;

/** Replaces (or with `add`, adds a key next to) the value at a path of a template body. */
function mutate(value: Json, steps: number[], replacement: Json, addKey?: string): Json {
  if (steps.length === 0 || value === null || typeof value !== 'object') return addKey !== undefined && value && typeof value === 'object' && !Array.isArray(value) ? withKey(value, addKey, replacement) : replacement;
  const [step, ...rest] = steps;
  if (Array.isArray(value)) return value.length === 0 ? replacement : value.map((v, j) => (j === step! % value.length ? mutate(v, rest, replacement, addKey) : v));
  const keys = Object.keys(value);
  if (keys.length === 0) return addKey !== undefined ? withKey(value, addKey, replacement) : replacement;
  const k = keys[step! % keys.length]!;
  return withKey(value, k, mutate(value[k]!, rest, replacement, addKey));
}
const serialise = (v: Json | undefined) => JSON.stringify(v ?? null).replace(/"@@raw:([^@]+)@@"/g, '$1');

const oversizedAscii = `"${'x'.repeat(MAX_BODY_BYTES - 1)}"`;
const oversizedMultibyte = `"${'ş'.repeat(MAX_BODY_BYTES / 2)}"`;
const deepArray = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
const BIG_BODIES: { body: string; base64?: boolean; name: string }[] = [
  { name: 'oversized ascii', body: oversizedAscii },
  { name: 'oversized multibyte', body: oversizedMultibyte },
  { name: 'oversized base64', body: Buffer.alloc(MAX_BODY_BYTES + 1, 0x20).toString('base64'), base64: true },
  { name: '10,000-deep arrays', body: deepArray(10_000) },
  { name: '10,000-deep objects', body: deepObject(10_000) },
  { name: '500,000-deep arrays', body: deepArray(500_000) },
  { name: 'deep in a field', body: `{"name":${deepArray(5000)}}` },
  { name: 'invalid UTF-8', body: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]).toString('base64'), base64: true },
  { name: 'a UTF-8-encoded lone surrogate', body: Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]).toString('base64'), base64: true },
];

type Body = { body?: string; base64?: boolean; contentType?: string };
const invalidUtf8 = fc
  .tuple(fc.uint8Array({ maxLength: 40 }), fc.constantFrom([0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xfe, 0xff]), fc.nat())
  .map(([bytes, bad, at]) => {
    const b = Buffer.from(bytes);
    const i = bytes.length === 0 ? 0 : at % bytes.length;
    return Buffer.concat([b.subarray(0, i), Buffer.from(bad), b.subarray(i)]).toString('base64');
  });
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-16', 'text/plain', 'text/csv', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', '', 'application/json\r\nX-Injected: 1'];

function bodyFor(template: unknown): fc.Arbitrary<Body> {
  const t = (template ?? {}) as Json;
  const mutated = fc.oneof(
    fc.record({ steps: fc.array(fc.nat(), { maxLength: 5 }), value: jsonValue }).map(({ steps, value }) => mutate(t, steps, value)),
    fc.record({ steps: fc.array(fc.nat(), { maxLength: 4 }), key: fc.constantFrom(...PROTO_KEYS), value: pollution }).map(({ steps, key, value }) => mutate(t, steps, value, key)),
    fc.record({ steps: fc.array(fc.nat(), { maxLength: 5 }), value: fc.oneof(hostileDate, hostileNumber, rawNumber, hostileText) }).map(({ steps, value }) => mutate(t, steps, value)),
  );
  return fc.record({
    payload: fc.oneof(
      { weight: 1, arbitrary: fc.constant<Body>({}) },
      { weight: 2, arbitrary: fc.constant<Body>({ body: serialise(t) }) },
      { weight: 8, arbitrary: mutated.map((v): Body => ({ body: serialise(v) })) },
      { weight: 3, arbitrary: jsonValue.map((v): Body => ({ body: serialise(v) })) },
      { weight: 1, arbitrary: fc.constantFrom(...BIG_BODIES).map(({ body, base64 }): Body => ({ body, ...(base64 && { base64 }) })) },
      { weight: 2, arbitrary: invalidUtf8.map((b): Body => ({ body: b, base64: true })) },
      { weight: 1, arbitrary: hostileText.map((b): Body => ({ body: b })) },
      { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((b): Body => ({ body: b, base64: true })) },
    ),
    contentType: fc.oneof({ weight: 4, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) }),
  }).map(({ payload, contentType }) => ({ ...payload, contentType }));
}

const HEADER_NAMES = ['content-type', 'content-length', 'content-encoding', 'transfer-encoding', 'x-forwarded-for', 'host', 'cookie', 'accept', 'x-amz-date', 'x-http-method-override', 'origin', 'x-api-key'];
const hugeHeader = 'h'.repeat(100_000);
const extraHeaders = fc.dictionary(fc.oneof(fc.constantFrom(...HEADER_NAMES), fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/)), fc.oneof(hostileText, fc.constant(hugeHeader), fc.constant('a, b, a'), fc.constant('x\r\nauthorization: Bearer injected')), { maxKeys: 4 });

/** The Authorization header: the admin key, a brand key, none, or a wrong or malformed one. */
const WRONG_KEYS = (): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    fc.constant(undefined),
    fc.constant(''),
    fc.constant(`Bearer ${revoked.key}`),
    fc.constant(`Bearer ${ADMIN_KEY}x`),
    fc.constant(`Bearer ${ADMIN_KEY.toUpperCase()}`),
    fc.constant(`bearer ${ADMIN_KEY}`),
    fc.constant(`Basic ${Buffer.from(`admin:${ADMIN_KEY}`).toString('base64')}`),
    fc.constant(`Bearer ${ADMIN_KEY}\r\nX-Injected: 1`),
    fc.constant(`Bearer ${ADMIN_KEY}, Bearer ${play.key}`),
    fc.constant(`Bearer pls_${'A'.repeat(32)}`),
    fc.stringMatching(/^pls_[A-Za-z0-9_-]{16,60}$/).map((k) => `Bearer ${k}`),
    hostileText.map((k) => `Bearer ${k}`),
    hostileText,
  );

const queryArb = (r: Route) =>
  hostileQuery(
    fc.oneof(fc.constantFrom(...queryKeys(r), 'brandId', 'limit', 'cursor', '__proto__', 'constructor'), hostileText),
    fc.oneof(hostileText, hostileDate, fc.constantFrom('0', '101', '-1', '1e2', '25', 'eyJwayI6IngifQ', 'eyJhIjoiYiJ9', Buffer.from(JSON.stringify({ pk: 'BRAND#x', sk: 'A' })).toString('base64url'), ...CALENDAR_EDGES)),
    4,
  );

/** The route's method mostly; sometimes another, a lowercase one or one HTTP does not have. */
const methodFor = (r: Route) => fc.oneof({ weight: 6, arbitrary: fc.constant(r.method) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', r.method.toLowerCase(), 'FOO') });

/** The path with hostile values for some parameters, sometimes with a trailing or doubled slash. */
function pathFor(r: Route, ids: Ids): fc.Arbitrary<string> {
  const names = paramNames(r);
  return fc
    .record({ values: fc.array(fc.option(segment, { freq: 2 }), { minLength: names.length, maxLength: names.length }), decoration: fc.constantFrom('', '', '', '/', '//', '/.', '/..') })
    .map(({ values, decoration }) => {
      const base = requestFor(r, ids).rawPath.split('/');
      const template = r.path.split('/');
      const parts = template.map((t, i) => {
        const n = /^\{(\w+)\}$/.exec(t)?.[1];
        const v = n === undefined ? undefined : values[names.indexOf(n)];
        return v === undefined || v === null ? base[i]! : v;
      });
      return parts.join('/') + decoration;
    });
}

const runs = { hostile: 0, unauth: 0, isolation: 0, email: 0, media: 0, dst: 0, csv: 0, url: 0, fetch: 0, mailer: 0 };
const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();
const arrayProtoBefore = Object.getOwnPropertyNames(Array.prototype).sort();

// ---- the properties ---------------------------------------------------------------------------

console.info(`api fuzz: seed ${SEED}, ${ROUTES.length} routes of ${FUNCTIONS.join(', ')} (${AUTH_ROUTES.length} need a key)`);

describe('the route table', () => {
  it('is the one the functions serve, and every route answers', async () => {
    expect(ROUTES.length).toBeGreaterThanOrEqual(20);
    // The OpenAPI document lists exactly the routes the functions serve, the operator routes included.
    const doc = (await call('GET', '/v1/openapi.json', undefined, null)).json as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`));
    expect(documented.sort()).toEqual([...ROUTES, ...operationsContracts].map((r) => `${r.method} ${r.path}`).sort());
    for (const r of ROUTES) {
      const { rawPath, query, body } = requestFor(r, play);
      const res = await call(r.method, rawPath, body, ADMIN_KEY, qs(query));
      expect(res.json?.error?.code, routeKey(r)).not.toBe('route_not_found');
    }
  });
});

/**
 * The properties that must change nothing run first, on the fixtures alone; the
 * table (a Scan, in this test only) and every queue and mailbox are compared
 * once before and once after all of them.
 */
describe('requests that must change nothing', () => {
  let before: string[];
  let effects: ReturnType<typeof sideEffects>;
  it('takes a snapshot of the table', async () => {
    before = await snapshot();
    effects = sideEffects();
    expect(before.length).toBeGreaterThan(20);
  });

  describe.each(AUTH_ROUTES.map((r) => [routeKey(r), r] as const))('%s', (_name, r) => {
    it('no key or a wrong key: 401, and nothing stored or sent', async () => {
      await fc.assert(
        fc.asyncProperty(WRONG_KEYS(), fc.constantFrom(play, isoA), bodyFor(requestFor(r, play).body), fc.option(queryArb(r), { freq: 3 }), async (auth, ids, body, query) => {
          runs.unauth++;
          const { rawPath, query: q, body: valid } = requestFor(r, ids);
          const req: Req = {
            method: r.method,
            rawPath,
            rawQuery: query ?? qs(q),
            headers: { ...(auth !== undefined && { authorization: auth }), 'content-type': body.contentType ?? 'application/json' },
            ...(body.body !== undefined ? { body: body.body } : valid !== undefined && { body: JSON.stringify(valid) }),
            ...(body.base64 && { base64: true }),
          };
          const res = await send(req);
          checkAnswer(req, res);
          if (res.status !== 401) fail(req, res, 'expected 401');
        }),
        { numRuns: 15, seed: SEED },
      );
    });

    it("brand B's key on brand A's things: the answer for things that do not exist, and nothing changes", async () => {
      const fields = ['brandId', 'accountId', 'handle', 'postId', 'commentId', 'keyId'] as const;
      // Which of A's ids the route uses.
      const used = new Set<string>();
      requestFor(r, new Proxy(isoA, { get: (t, k: string) => (used.add(k), t[k as keyof Ids]) }));
      await fc.assert(
        fc.asyncProperty(fc.array(fc.boolean(), { minLength: fields.length, maxLength: fields.length }), fc.uuid(), async (fromA, ghostSeed) => {
          runs.isolation++;
          const slots = fields.filter((f) => used.has(f));
          if (slots.length > 0 && !slots.some((f) => fromA[fields.indexOf(f)])) fromA[fields.indexOf(slots[0]!)] = true;
          const ghost: Ids = { ...isoA, brandId: `gb-${ghostSeed}`, accountId: `ga-${ghostSeed}`, handle: `@ghost-${ghostSeed}`, postId: `gp-${ghostSeed}`, commentId: `gc-${ghostSeed}`, keyId: `gk-${ghostSeed}` };
          const mix = (other: Ids): Ids => ({ ...isoB, ...Object.fromEntries(fields.filter((_f, i) => fromA[i]).map((f) => [f, other[f]])) });
          const ask = async (ids: Ids) => {
            const { rawPath, query, body } = requestFor(r, ids);
            const req: Req = { method: r.method, rawPath, rawQuery: qs(query), headers: jsonHeaders(isoB.key), ...(body !== undefined && { body: JSON.stringify(body) }) };
            const res = await send(req);
            checkAnswer(req, res);
            return { req, res };
          };
          const a = await ask(mix(isoA));
          const g = await ask(mix(ghost));
          const norm = (text: string, ids: Ids) => fields.reduce((t, f) => t.split(ids[f]).join(`<${f}>`), text);
          if (slots.length > 0) {
            if (a.res.status < 400 || ![400, 403, 404].includes(a.res.status)) fail(a.req, a.res, "brand B's key reached brand A");
            if (norm(a.res.text, isoA) !== norm(g.res.text, ghost)) fail(a.req, a.res, `differs from the answer for ids that do not exist: ${g.res.text.slice(0, 300)}`);
          }
          for (const f of fields) if (f !== 'handle' && !fromA[fields.indexOf(f)] && a.res.text.includes(isoA[f])) fail(a.req, a.res, `brand A's ${f} appears in the answer`);
        }),
        { numRuns: slotsOf(r) > 0 ? 12 : 3, seed: SEED },
      );
    });
  });

  it('left the table, the queues, the bus and the mailbox as they were', async () => {
    expect(await snapshot()).toEqual(before);
    expect(sideEffects()).toEqual(effects);
  });
});

describe.each(ROUTES.map((r) => [routeKey(r), r] as const))('%s', (_name, r) => {
  it('hostile methods, paths, queries, headers and bodies: no 5xx, no throw, errors in shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        methodFor(r),
        pathFor(r, play),
        fc.option(queryArb(r), { freq: 2 }),
        extraHeaders,
        fc.oneof({ weight: 7, arbitrary: fc.constant(ADMIN_KEY) }, { weight: 2, arbitrary: fc.constant(play.key) }, { weight: 1, arbitrary: fc.constant('') }),
        bodyFor(requestFor(r, play).body),
        async (method, rawPath, query, headers, key, body) => {
          runs.hostile++;
          const req: Req = {
            method,
            rawPath,
            rawQuery: query ?? qs(requestFor(r, play).query),
            headers: { ...headers, ...(key && bearer(key)), ...(body.contentType !== undefined && { 'content-type': body.contentType }) },
            ...(body.body !== undefined && { body: body.body }),
            ...(body.base64 && { base64: true }),
          };
          checkAnswer(req, await send(req));
        },
      ),
      { numRuns: 36, seed: SEED },
    );
  });
});

function slotsOf(r: Route): number {
  const used = new Set<string>();
  requestFor(r, new Proxy(isoA, { get: (t, k: string) => (used.add(k), t[k as keyof Ids]) }));
  return ['brandId', 'accountId', 'handle', 'postId', 'commentId', 'keyId'].filter((f) => used.has(f)).length;
}

describe('regressions found by these properties', () => {
  const get = async (rawPath: string, rawQuery = '', headers: Record<string, string> = bearer(ADMIN_KEY)) => {
    const req: Req = { method: 'GET', rawPath, rawQuery, headers };
    const res = await send(req);
    checkAnswer(req, res);
    return res;
  };

  it('a path parameter that is not valid percent-encoding (API Gateway hands the path over decoded)', async () => {
    for (const p of ['/v1/brands/%zz', '/v1/posts/%', '/v1/brands/100%/goals', '/v1/comments/%E0%A4%A']) {
      const res = await get(p);
      expect(res.status, p).toBeLessThan(500);
    }
  });

  it('path parameters longer than a key can be, or with characters no id has', async () => {
    for (const id of ['a'.repeat(2049), 'ş'.repeat(1500), 'x'.repeat(70_000), '..', '\u0000', '\ud800', 'a b']) {
      for (const [method, p] of [['GET', `/v1/brands/${id}`], ['GET', `/v1/posts/${id}`], ['PATCH', `/v1/comments/${id}`], ['DELETE', `/v1/brands/${play.brandId}/keys/${id}`], ['GET', `/v1/reports/${id}/last`], ['GET', `/v1/reports/${play.brandId}/${id}`]]) {
        const res = method === 'GET' ? await get(p!) : await call(method!, p!, method === 'PATCH' ? { status: 'handled' } : undefined);
        expect([400, 404], `${p!.slice(0, 60)}: ${res.text.slice(0, 200)}`).toContain(res.status);
      }
    }
  });

  it('a cursor that decodes to a key of another shape, or of another brand', async () => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const other = (await get('/v1/posts', qs({ brandId: isoA.brandId, limit: '1' }))).json.nextCursor as string | null;
    const cursors = [b64({ a: 'b' }), b64({ pk: 'BRAND#x' }), b64({ pk: 'x', sk: 'y', gsi1pk: 'z', gsi1sk: 'w' }), b64({ pk: 'x'.repeat(1024), sk: 'y' }), ...(other ? [other] : [])];
    for (const cursor of cursors) {
      for (const [p, q] of [['/v1/brands', {}], ['/v1/posts', { brandId: isoB.brandId }], ['/v1/comments', { brandId: isoB.brandId }], ['/v1/quarantine', {}]] as const) {
        const res = await get(p, qs({ ...q, cursor }));
        expect(res.status, `${p} ${cursor}: ${res.text.slice(0, 300)}`).toBe(400);
        expect(res.json.error.details).toEqual([{ path: 'cursor', message: 'is not a cursor returned by this API' }]);
      }
    }
  });

  it('an Authorization header that is not "Bearer <key>" is named as such', async () => {
    for (const h of [`bearer ${ADMIN_KEY}`, `Bearer  ${ADMIN_KEY}`, `Token ${ADMIN_KEY}`, 'Bearer short', `Bearer ${ADMIN_KEY}, Bearer ${play.key}`]) {
      const res = await get('/v1/brands', '', { authorization: h });
      expect(res.status).toBe(401);
      expect(res.json.error.message, h).toMatch(/Authorization header/);
    }
    expect((await get('/v1/brands', '', {})).json.error.message).toBe('missing API key: send Authorization: Bearer <key>');
  });

  it('a second report request while the first is being sent answers 409, not 500', async () => {
    const brand = (await call('POST', '/v1/brands', brandBody('twice'))).json;
    const [a, b] = await Promise.all([call('POST', '/v1/reports', { brandId: brand.id, week: '2026-W11' }), call('POST', '/v1/reports', { brandId: brand.id, week: '2026-W11' })]);
    expect([a.status, b.status].sort()).toEqual([202, 409].sort());
  });

  it('a body is read only after the key is checked', async () => {
    for (const body of [deepArray(10_000), oversizedAscii, 'not json']) {
      const req: Req = { method: 'POST', rawPath: '/v1/brands', headers: { 'content-type': 'application/json' }, body };
      const res = await send(req);
      checkAnswer(req, res);
      expect(res.status).toBe(401);
    }
  });

  it('a goal target too large or too small for a stored number is refused, naming it', async () => {
    for (const raw of ['9007199254740992', '1e21', '1e308', '5e-324', '1e-200']) {
      const req: Req = { method: 'PUT', rawPath: `/v1/brands/${play.brandId}/goals`, headers: jsonHeaders(ADMIN_KEY), body: `{"goals":[{"metric":"reach","targetValue":${raw},"start":"2026-04-01","deadline":"2026-06-30"}]}` };
      const res = await send(req);
      checkAnswer(req, res);
      expect(res.status, raw).toBe(400);
      expect(res.json.error.details, raw).toEqual([{ path: 'goals.0.targetValue', message: expect.any(String) }]);
    }
  });

  it('a platform name that is an Object.prototype key, on the OAuth callback page', async () => {
    for (const platform of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      const res = await get(`/v1/connect/${platform}/callback`, 'code=x&state=y', {});
      expect(res.status, platform).toBeLessThan(500);
    }
  });

  it('periods at the ends of the calendar, reversed or over a year, on every route that takes one', async () => {
    const dates = ['0000-01-01', '0001-01-01', '2024-02-29', '2026-02-29', '2026-03-29', '9999-12-31'];
    const instants = ['0000-01-01T00:00:00Z', '2026-03-29T01:00:00+14:00', '9999-12-31T23:59:59Z', '2026-03-29T02:30'];
    for (const from of dates) {
      for (const to of dates) {
        const res = await get(`/v1/brands/${play.brandId}/kpis`, qs({ from, to }));
        expect([200, 400], `${from}..${to}: ${res.text.slice(0, 200)}`).toContain(res.status);
      }
    }
    for (const from of instants) {
      for (const to of instants) {
        for (const p of ['/v1/posts', '/v1/comments']) {
          const res = await get(p, qs({ brandId: play.brandId, from, to }));
          expect([200, 400], `${p} ${from}..${to}: ${res.text.slice(0, 200)}`).toContain(res.status);
        }
      }
    }
    for (const scheduledAt of ['9999-12-31T23:59:00-12:00', '0000-01-01T00:00:00+14:00', '0001-01-01T00:00Z', '0050-06-01T12:00', '9999-12-31T23:59']) {
      const res = await call('POST', '/v1/posts', { brandId: play.brandId, scheduledAt, text: 'edge', status: 'draft', targets: [{ accountId: play.accountId }] });
      expect([201, 400], `${scheduledAt}: ${res.text.slice(0, 200)}`).toContain(res.status);
    }
  });

  it('a missing body is named', async () => {
    const res = await send({ method: 'POST', rawPath: '/v1/brands', headers: bearer(ADMIN_KEY) });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/body/);
  });
});

describe('big and deep bodies on every route that takes one', () => {
  it.each(BIG_BODIES.map((b) => [b.name, b] as const))('%s', async (_name, big) => {
    for (const r of ROUTES.filter((x) => x.body !== undefined)) {
      const { rawPath, query } = requestFor(r, play);
      for (const key of [ADMIN_KEY, null]) {
        const req: Req = { method: r.method, rawPath, rawQuery: qs(query), headers: jsonHeaders(key), body: big.body, ...(big.base64 && { base64: true }) };
        const res = await send(req);
        checkAnswer(req, res);
        if (key === null) expect(res.status, `${big.name} without a key`).toBe(401);
        else if (big.name.startsWith('oversized')) expect(res.status).toBe(413);
        else {
          expect(res.status).toBe(400);
          expect(res.json.error.details, big.name).toEqual([{ path: 'body', message: expect.stringMatching(/deeper than 64|not valid UTF-8/) }]);
        }
      }
    }
  });
});

describe('report recipients', () => {
  const injections = fc.tuple(
    fc.constantFrom('team@example.com', 'a.b+c@sub.example.org'),
    fc.constantFrom('\r\nBcc: spy@attacker.test', '\nCc: spy@attacker.test', '\rBcc:spy@attacker.test', '%0d%0aBcc: spy@attacker.test', '\u2028Bcc: spy@attacker.test', '\u0000', ', spy@attacker.test', '>\r\nBcc: x@y.z', '\r\n\r\n<html>'),
    fc.constantFrom('prefix', 'suffix', 'middle'),
  ).map(([addr, inj, where]) => (where === 'prefix' ? `${inj}${addr}` : where === 'suffix' ? `${addr}${inj}` : addr.replace('@', `${inj}@`)));

  it('refuses a recipient carrying header syntax with 400 naming the recipient, on create and on change', async () => {
    await fc.assert(
      fc.asyncProperty(injections, fc.nat(3), fc.boolean(), async (bad, at, patch) => {
        runs.email++;
        const list = ['ok@example.com', 'ok2@example.com', 'ok3@example.com'];
        const i = Math.min(at, list.length);
        list.splice(i, 0, bad);
        const res = patch ? await call('PATCH', `/v1/brands/${play.brandId}`, { reportRecipients: list }) : await call('POST', '/v1/brands', brandBody('mail', { reportRecipients: list }));
        expect(res.status).toBe(400);
        expect(res.json.error.details).toEqual([{ path: `reportRecipients.${i}`, message: `${JSON.stringify(bad)} is not a valid email address` }]);
      }),
      { numRuns: 60, seed: SEED },
    );
    expect((await call('GET', `/v1/brands/${play.brandId}`)).json.reportRecipients).not.toContainEqual(expect.stringContaining('attacker'));
  });

  it('the mail adapter never sends a header line it was not given: subjects on one line, addresses checked', async () => {
    const sent: Record<string, any>[] = [];
    const client = { send: async (command: { input: Record<string, any> }) => (sent.push(command.input), { MessageId: 'm-1' }) } as unknown as SESClient;
    const mailer = new SesMailer('reports@paylas.test', client);
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileText, injections), fc.oneof(fc.constant('team@example.com'), injections), async (subject, to) => {
        runs.mailer++;
        sent.length = 0;
        const outcome = await mailer.send({ to: [to], subject, text: `body ${subject}` }).then(
          () => 'sent',
          (e: Error) => e.message,
        );
        if (to !== 'team@example.com') {
          expect(outcome).toMatch(/not a valid email address/);
          expect(sent).toEqual([]);
          return;
        }
        expect(outcome).toBe('sent');
        const input = sent[0]!;
        expect(input.Message.Subject.Data).not.toMatch(/[\r\n\u0000-\u001f\u007f\u2028\u2029]/);
        for (const a of input.Destination.ToAddresses) expect(a).not.toMatch(/[\r\n]/);
      }),
      { numRuns: 300, seed: SEED },
    );
  });

  it('a brand name with line breaks reaches SES as a one-line subject', async () => {
    const brand = (await call('POST', '/v1/brands', brandBody('Kahve\r\nBcc: spy@attacker.test'))).json;
    const before = ses.sentCount();
    const res = await call('POST', '/v1/reports', { brandId: brand.id, week: '2026-W11' });
    expect(res.status).toBe(202);
    expect(ses.sentCount()).toBe(before + 1);
    const mail = sesStore.getStoreReadonly().emails.at(-1)!;
    expect(mail.subject).toMatch(/^Kahve/);
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.destination.to).toEqual(['team@example.com']);
    expect(mail.destination.bcc).toEqual([]);
  });
});

describe('media URLs', () => {
  const loopbackV4 = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 254 })).map(([b, c, d]) => [127, b, c, d]);
  const privateV4 = fc.oneof(
    loopbackV4,
    fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map(([b, c, d]) => [10, b, c, d]),
    fc.tuple(fc.integer({ min: 16, max: 31 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map(([b, c, d]) => [172, b, c, d]),
    fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map(([c, d]) => [192, 168, c, d]),
    fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map(([c, d]) => [169, 254, c, d]),
    fc.tuple(fc.integer({ min: 64, max: 127 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map(([b, c, d]) => [100, b, c, d]),
    fc.constant([169, 254, 169, 254]),
    fc.constant([0, 0, 0, 0]),
    fc.constant([255, 255, 255, 255]),
  );
  const hex = (n: number) => n.toString(16);
  /** One private IPv4 address written in the forms URL parsers accept. */
  const privateHost = fc.tuple(privateV4, fc.nat(9)).map(([[a, b, c, d], form]) => {
    const n = ((a! << 24) >>> 0) + (b! << 16) + (c! << 8) + d!;
    switch (form) {
      case 0: return `${a}.${b}.${c}.${d}`;
      case 1: return String(n); // decimal
      case 2: return `0x${hex(n)}`; // hex
      case 3: return `0${a!.toString(8)}.0${b!.toString(8)}.0${c!.toString(8)}.0${d!.toString(8)}`; // octal
      case 4: return `${a}.${(b! << 16) + (c! << 8) + d!}`; // a.bcd
      case 5: return `[::ffff:${a}.${b}.${c}.${d}]`; // IPv4-mapped
      case 6: return `[::ffff:${hex((a! << 8) | b!)}:${hex((c! << 8) | d!)}]`;
      case 7: return `[64:ff9b::${a}.${b}.${c}.${d}]`; // NAT64
      case 8: return `0x${hex(a!)}.0x${hex(b!)}.${c}.${d}`;
      default: return `[0:0:0:0:0:ffff:${a}.${b}.${c}.${d}]`;
    }
  });
  const privateV6 = fc.oneof(
    fc.constantFrom('[::1]', '[::]', '[0:0:0:0:0:0:0:1]', '[fe80::1]', '[fe80::a:b:c:d]', '[febf::1]', '[fc00::1]', '[fd12:3456::1]', '[fec0::1]', '[ff02::1]', '[2001:db8::1]', '[::127.0.0.1]', '[2002:7f00:1::]', '[2002:a9fe:a9fe::1]'),
    fc.tuple(fc.integer({ min: 0x80, max: 0xbf }), fc.integer({ min: 0, max: 0xffff })).map(([x, y]) => `[fe${hex(x)}::${hex(y)}]`),
  );
  const LOCAL_HOSTS = ['localhost', 'LOCALHOST', 'localhost.', 'a.localhost', 'printer.local', 'metadata.google.internal', 'intranet', 'nas', 'router.home.arpa'];
  const badUrl = fc.oneof(
    fc.tuple(fc.constantFrom('http', 'https', 'HTTP', 'hTtPs'), fc.oneof(privateHost, privateV6, fc.constantFrom(...LOCAL_HOSTS)), fc.option(fc.integer({ min: 1, max: 65535 })), fc.constantFrom('', 'public.example.com@', 'user:pass@', 'cdn.example.com:x@')).map(
      ([scheme, host, port, userinfo]) => `${scheme}://${userinfo}${host}${port ? `:${port}` : ''}/a.jpg`,
    ),
    fc.constantFrom('file:///etc/passwd', 'data:image/png;base64,iVBORw0KGgo=', 'ftp://cdn.example.com/a.jpg', 'gopher://127.0.0.1:70/_x', 'javascript:alert(1)', 'http://user@cdn.example.com/a.jpg', 'https://cdn.example.com:pass@evil.example.com/a.jpg', 'http://[::ffff:169.254.169.254]/latest/meta-data/', 'http://169.254.169.254/latest/meta-data/', 'http://2852039166/', 'http://0251.0376.0251.0376/', 'http://0xa9fea9fe/', 'http://127.1/', 'http://0/', 'http:\\\\127.0.0.1\\a.jpg', 'http://127.0.0.1%2f@cdn.example.com/', 'https://localhost:443/a.jpg'),
  );
  const publicV4 = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 254 })).filter(
    ([a, b, c]) => ![0, 10, 127].includes(a) && !(a === 100 && b >= 64 && b <= 127) && !(a === 169 && b === 254) && !(a === 172 && b >= 16 && b <= 31) && !(a === 192 && b === 168) && !(a === 192 && b === 0 && (c === 0 || c === 2)) && !(a === 192 && b === 88 && c === 99) && !(a === 198 && (b === 18 || b === 19)) && !(a === 198 && b === 51 && c === 100) && !(a === 203 && b === 0 && c === 113),
  );
  const goodUrl = fc.oneof(
    fc.tuple(fc.constantFrom('http', 'https'), fc.domain(), fc.webPath()).filter(([, d]) => d.includes('.') && !/(^|\.)(localhost|local|internal|intranet|lan|home\.arpa|localdomain)$/.test(d)).map(([s, d, p]) => `${s}://${d}${p}`),
    publicV4.map((o) => `https://${o.join('.')}/a.jpg`),
    fc.constantFrom('https://cdn.example.com/a.jpg', 'https://[2606:4700::1111]/a.jpg', 'http://8.8.8.8:8080/x.png', 'https://kahveç.example/a.jpg'),
  );

  it('the pure check refuses every non-public form and passes public ones', () => {
    fc.assert(
      fc.property(badUrl, (url) => {
        runs.url++;
        let parsed: URL | undefined;
        try {
          parsed = new URL(url);
        } catch {
          // refused as "not a URL"
        }
        const problem = publicUrlProblem(url);
        expect(problem, url).toEqual(expect.any(String));
        if (parsed && /^\[|^\d+\.\d+\.\d+\.\d+$/.test(parsed.hostname) && !parsed.username) expect(isNonPublicAddress(parsed.hostname), url).toBe(true);
      }),
      { numRuns: 1500, seed: SEED },
    );
    fc.assert(
      fc.property(goodUrl, (url) => {
        runs.url++;
        expect(publicUrlProblem(url), url).toBeUndefined();
      }),
      { numRuns: 500, seed: SEED },
    );
  });

  it('the API refuses them with 400 naming the media field, and takes public ones', async () => {
    const draftId = (await call('POST', '/v1/posts', { brandId: play.brandId, scheduledAt: '2026-04-01T09:00', text: 'm', status: 'draft', targets: [{ accountId: play.accountId }] })).json.id as string;
    await fc.assert(
      fc.asyncProperty(fc.oneof(badUrl.map((u) => [u, false] as const), goodUrl.map((u) => [u, true] as const)), fc.constantFrom('post', 'patch', 'csv'), async ([url, ok], how) => {
        runs.media++;
        let res: Res;
        if (how === 'csv') {
          const cell = `"${url.replace(/"/g, '""')}"`;
          res = await call('POST', '/v1/posts:import', { brandId: play.brandId, csv: `date,time,accounts,text,media\n2026-04-03,10:00,${play.handle},with media,${cell}` });
        } else if (how === 'post') {
          res = await call('POST', '/v1/posts', { brandId: play.brandId, scheduledAt: '2026-04-01T09:00', text: 'm', status: 'draft', targets: [{ accountId: play.accountId, media: [{ url, kind: 'image' }] }] });
        } else {
          res = await call('PATCH', `/v1/posts/${draftId}`, { targets: [{ accountId: play.accountId, media: [{ url, kind: 'image' }] }] });
        }
        if (ok) {
          expect([200, 201], `${how} ${url}: ${res.text}`).toContain(res.status);
          return;
        }
        expect(res.status, `${how} ${url}: ${res.text}`).toBe(400);
        const paths = (res.json.error.details as { path: string }[]).map((d) => d.path);
        expect(paths, url).toContainEqual(how === 'csv' ? expect.stringMatching(/^row 2\.targets\.0\.media\.0\.url$/) : 'targets.0.media.0.url');
      }),
      { numRuns: 150, seed: SEED },
    );
  });

  it('the fetch guard refuses them before connecting, and refuses redirects to them', async () => {
    let hits = 0;
    const target: Server = createServer((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end('jpeg');
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const port = (target.address() as AddressInfo).port;
    let redirectTo = '';
    let redirects = 0;
    const trusted: Server = createServer((_req, res) => {
      redirects++;
      res.writeHead(302, { location: redirectTo }).end();
    });
    await new Promise<void>((resolve) => trusted.listen(0, '127.0.0.1', resolve));
    const trustedOrigin = `http://127.0.0.1:${(trusted.address() as AddressInfo).port}`;
    const opts = { maxBytes: 1000, timeoutMs: 2000 };
    const loopbackForms = fc.constantFrom(`127.0.0.1:${port}`, `2130706433:${port}`, `0x7f000001:${port}`, `0177.0.0.1:${port}`, `127.1:${port}`, `[::ffff:127.0.0.1]:${port}`, `[::ffff:7f00:1]:${port}`, `localhost:${port}`, `public.example.com@127.0.0.1:${port}`, `[::1]:${port}`, `0:${port}`);
    try {
      await fc.assert(
        fc.asyncProperty(fc.oneof(badUrl, loopbackForms.map((h) => `http://${h}/a.jpg`)), fc.boolean(), async (url, viaRedirect) => {
          runs.fetch++;
          redirectTo = url;
          const error = await fetchMedia(viaRedirect ? `${trustedOrigin}/start.jpg` : url, { ...opts, trustedOrigin }).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error, url).toBeInstanceOf(PublishError);
          expect((error as PublishError).kind, `${url}: ${(error as Error).message}`).toBe('definite');
          expect((error as Error).message).toMatch(/not a public address|only http\(s\)|local name|fully qualified|user name|not a URL/);
        }),
        { numRuns: 120, seed: SEED },
      );
      expect(hits).toBe(0);
      expect(redirects).toBeGreaterThan(0);
      // A redirect within the trusted origin is followed; one to elsewhere is checked like the first URL.
      redirectTo = `${trustedOrigin.replace('127.0.0.1', 'localhost')}/x.jpg`;
      await expect(fetchMedia(`${trustedOrigin}/start.jpg`, { ...opts, trustedOrigin })).rejects.toThrow(/local name/);
      // What the platform clients rely on, unchanged: the messages, the trusted origin (the twin's sandbox) and the size cap.
      const direct = `http://127.0.0.1:${port}/a.jpg`;
      await expect(fetchMedia(direct, opts)).rejects.toThrow('the host is not a public address');
      await expect(fetchMedia('http://169.254.169.254/latest/meta-data/', opts)).rejects.toThrow('the host is not a public address');
      await expect(fetchMedia('http://[::1]:80/x.jpg', opts)).rejects.toThrow('the host is not a public address');
      await expect(fetchMedia('file:///etc/passwd', opts)).rejects.toThrow('only http(s) URLs can be published');
      expect(hits).toBe(0);
      expect(await fetchMedia(direct, { ...opts, trustedOrigin: `http://127.0.0.1:${port}` })).toMatchObject({ contentType: 'image/jpeg' });
      await expect(fetchMedia(direct, { ...opts, maxBytes: 2, trustedOrigin: `http://127.0.0.1:${port}` })).rejects.toThrow('the platform takes at most 2');
      redirectTo = direct;
      await expect(fetchMedia(`${trustedOrigin}/start.jpg`, { ...opts, trustedOrigin })).rejects.toThrow('the host is not a public address');
    } finally {
      await new Promise((resolve) => target.close(resolve));
      await new Promise((resolve) => trusted.close(resolve));
    }
  });
});

describe('dates at daylight-saving edges', () => {
  /** Every instant whose wall clock in `zone` reads `wall`, by scanning quarter hours (all current offsets are multiples of 15 minutes). */
  function instants(wall: string, zone: string): number[] {
    const target = Date.parse(`${wall}:00.000Z`);
    const f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    const found: number[] = [];
    for (let k = -15 * 4; k <= 15 * 4; k++) {
      const t = target - k * 15 * 60_000;
      const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
      if (Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!) === target) found.push(t);
    }
    return found;
  }

  it('a local time in a gap or an overlap is refused saying so; any other is kept as written', async () => {
    await fc.assert(
      fc.asyncProperty(dstWall, async ({ zone, wall }) => {
        runs.dst++;
        const res = await call('POST', '/v1/posts', { brandId: play.brandId, scheduledAt: wall, timezone: zone, text: 'dst', status: 'draft', targets: [{ accountId: play.accountId }] });
        const expected = instants(wall, zone);
        if (expected.length === 1) {
          expect(res.status, `${wall} ${zone}: ${res.text}`).toBe(201);
          expect(Date.parse(res.json.scheduledAt)).toBe(expected[0]);
          expect(res.json.scheduledAtLocal.slice(0, 16)).toBe(wall);
        } else {
          expect(res.status, `${wall} ${zone}`).toBe(400);
          expect(res.json.error.details[0]).toMatchObject({ path: 'scheduledAt', message: expected.length === 0 ? expect.stringMatching(/does not exist in/) : expect.stringMatching(/happens twice in/) });
        }
      }),
      { numRuns: 80, seed: SEED },
    );
  });
});

describe('CSV calendar import', () => {
  const FORMULAS = ['=1+1', '=HYPERLINK("http://evil.test","x")', '+1', '-1', '@SUM(A1)', '=cmd|\' /C calc\'!A0', '\t=1', '\r=1'];
  const cellText = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('Kahve saati', 'Merhaba, dünya', 'say "hi"', 'line1\nline2', 'a\r\nb', ...FORMULAS, '\u202Eevil', ' padded ', 'x'.repeat(3000)) },
    { weight: 2, arbitrary: hostileText },
  );
  interface Row {
    /** A row meant to fail only on its account, with this unknown handle. */
    unknownAccount?: string;
    cells: string[];
  }
  const COLUMNS = ['date', 'time', 'timezone', 'accounts', 'text', 'media', 'campaign'];
  const goodRow = fc.record({ day: fc.integer({ min: 1, max: 28 }), hour: fc.integer({ min: 0, max: 23 }), text: cellText, campaign: fc.constantFrom('', 'bahar', '=camp'), badAccount: fc.option(fc.constantFrom('@nobody', 'nobody, really', 'x\ny'), { freq: 3 }) }).map(
    ({ day, hour, text, campaign, badAccount }): Row => ({
      ...(badAccount !== null && { unknownAccount: badAccount }),
      // A time in April: after the simulated now, clear of Berlin's DST change.
      cells: [`2026-04-${pad(day)}`, `${pad(hour)}:15`, '', badAccount ?? '@csv', text.trim() === '' ? 'x' : text, '', campaign],
    }),
  );
  const randomRow = fc.array(cellText, { minLength: 0, maxLength: 9 }).map((cells): Row => ({ cells }));
  const quote = (cell: string, always: boolean) => (always || /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
  const csvArb = fc.record({
    header: fc.oneof({ weight: 4, arbitrary: fc.constant(COLUMNS) }, { weight: 1, arbitrary: fc.shuffledSubarray([...COLUMNS, 'extra', 'DATE', ' time '], { minLength: 0 }) }),
    rows: fc.array(fc.oneof({ weight: 3, arbitrary: goodRow }, { weight: 1, arbitrary: randomRow }), { minLength: 0, maxLength: 6 }),
    eol: fc.constantFrom('\n', '\r\n'),
    bom: fc.boolean(),
    quoteAll: fc.boolean(),
    trailing: fc.boolean(),
    blankLineAfter: fc.option(fc.nat(6), { freq: 4 }),
    broken: fc.option(fc.constantFrom('unclosed', 'stray-quote', 'huge-row', 'nul'), { freq: 6 }),
    partial: fc.boolean(),
  });

  it('any CSV: no 5xx; every problem is reported by its spreadsheet row; nothing imported unless all rows are valid or partial', async () => {
    const brand = await makeBrand('csv');
    let expected = 0;
    await fc.assert(
      fc.asyncProperty(csvArb, async (c) => {
        runs.csv++;
        const lines = [c.header.map((h) => quote(h, c.quoteAll)).join(',')];
        /** Spreadsheet row of each data row: the header is row 1; a blank line is a row of its own. */
        const rowNumbers: number[] = [];
        c.rows.forEach((row, i) => {
          if (c.blankLineAfter === i) lines.push('');
          rowNumbers.push(lines.length + 1);
          lines.push(row.cells.map((cell) => quote(cell, c.quoteAll)).join(','));
        });
        let csv = (c.bom ? '\uFEFF' : '') + lines.join(c.eol) + (c.trailing ? c.eol : '');
        if (c.broken === 'unclosed') csv += `${c.eol}2026-04-01,"10:00`;
        if (c.broken === 'stray-quote') csv = csv.replace(',', ',x"y"');
        if (c.broken === 'huge-row') csv += `${c.eol}${'a,'.repeat(20_000)}`;
        if (c.broken === 'nul') csv = csv.replace(',', ',\u0000');
        const res = await call('POST', '/v1/posts:import', { brandId: brand.brandId, csv, partial: c.partial });
        if (res.status === 201) {
          expected += res.json.imported.length;
          if (!c.partial) expect(res.json.errors).toEqual([]);
        } else {
          expect(res.status, res.text).toBe(400);
          for (const d of res.json.error.details as { path: string }[]) expect(d.path, res.text).toMatch(/^(csv|brandId|partial|row \d+(\..+)?|line \d+)$/);
        }
        const errors: { path: string; message: string }[] = res.status === 201 ? res.json.errors : res.json.error.details;
        const standard = c.header === COLUMNS && c.broken === null;
        if (standard) {
          c.rows.forEach((row, i) => {
            if (row.unknownAccount === undefined) return;
            const ref = row.unknownAccount.split('|')[0]!.trim();
            expect(errors, `row ${rowNumbers[i]} of\n${csv.slice(0, 2000)}`).toContainEqual({ path: `row ${rowNumbers[i]}.accounts`, message: `no account "${ref}" in this brand (use an account id or handle)` });
          });
        }
      }),
      { numRuns: 100, seed: SEED },
    );
    // Refused imports kept nothing: the brand has exactly the posts the accepted ones reported (and its fixture post).
    let stored = 0;
    let cursor: string | null = null;
    do {
      const page: Res = await call('GET', '/v1/posts', undefined, ADMIN_KEY, qs({ brandId: brand.brandId, limit: '100', ...(cursor && { cursor }) }));
      stored += page.json.items.length;
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(stored).toBe(expected + 1);
  });

  it('formula-leading cells are kept as text (the project exports no CSV, so nothing reads them as formulas)', async () => {
    const csv = ['date,time,accounts,text,campaign', ...FORMULAS.slice(0, 5).map((f, i) => `2026-04-1${i},09:00,${play.handle},"${f.replace(/"/g, '""')}",c${i}`)].join('\n');
    const res = await call('POST', '/v1/posts:import', { brandId: play.brandId, csv });
    expect(res.status).toBe(201);
    expect(res.json.imported.map((p: { targets: { text: string }[] }) => p.targets[0]!.text)).toEqual(FORMULAS.slice(0, 5));
  });
});

describe('after the run', () => {
  it('left Object.prototype and Array.prototype as they were', () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoBefore);
    expect(Object.getOwnPropertyNames(Array.prototype).sort()).toEqual(arrayProtoBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    const total = Object.values(runs).reduce((a, b) => a + b, 0);
    console.info(`api fuzz: ${ROUTES.length} routes, ${JSON.stringify(runs)}, ${total} generated cases, ${stats.calls} handler calls`);
  });
});
