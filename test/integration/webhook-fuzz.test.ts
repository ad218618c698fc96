import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSecretName } from '#shared/config/secret-names.ts';
import { CommunityStore } from '#shared/data/community-store.ts';
import { EventDetails } from '#shared/domain/events.ts';
import { Conversion } from '#shared/domain/metrics.ts';
import { MAX_WEBHOOK_BYTES, WebhookIntake, type WebhookResponse } from '#shared/use-cases/webhooks.ts';
import { conversionSignatureHeaders, signatureHeaders, type WebhookSource } from '#shared/webhooks/signatures.ts';
import { PublishingHarness } from '#test/support/publishing-harness.ts';

/**
 * Hostile bodies at the webhook: mutated real-format deliveries, unsigned,
 * wrongly signed and properly signed. Never a 5xx or a throw; nothing of an
 * unsigned body is kept. The conversion webhook's properties replay with
 * `FUZZ_SEED` (the seed is printed).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const h = new PublishingHarness();
let intake: WebhookIntake;
let community: CommunityStore;
const SECRET = 'fuzz-secret';
const NAMES: Record<WebhookSource, string> = { meta: 'meta', x: 'x', linkedin: 'linkedin', tiktok: 'tiktok', mastodon: 'mastodon', sandbox: 'sandbox' };
const dir = new URL('../fixtures/webhooks/', import.meta.url);
const fixtures: { source: WebhookSource; body: Buffer }[] = readdirSync(dir)
  .filter((f) => f.endsWith('.json') && !f.startsWith('bluesky'))
  .map((f) => ({ source: (f.startsWith('meta') ? 'meta' : f.split('-')[0]) as WebhookSource, body: readFileSync(new URL(f, dir)) }));
fixtures.push({ source: 'sandbox', body: Buffer.from('{"object":"sandbox","entry":[{"account":"a","comments":[{"id":"1","text":"hi","from":{"id":"u"},"created_time":"2026-11-26T10:00:00.000Z"}]}]}') });

beforeAll(async () => {
  await h.start();
  for (const name of ['META_APP_SECRET', 'X_CONSUMER_SECRET', 'LINKEDIN_CLIENT_SECRET', 'TIKTOK_CLIENT_SECRET', 'MASTODON_WEBHOOK_SECRET', 'SANDBOX_WEBHOOK_SECRET', 'META_VERIFY_TOKEN', 'PAYLAS_CONVERSION_SECRET']) {
    await h.secrets.put(appSecretName('fuzz/', name), SECRET);
  }
  community = new CommunityStore(h.local.db, h.local.tableName, h.clock);
  intake = new WebhookIntake({
    findAccount: (p, id) => h.repo.findAccountByPlatformId(p, id),
    community,
    events: h.eventPublisher(),
    secrets: h.secrets,
    secretsPrefix: 'fuzz/',
    clock: h.clock,
  });
}, 60_000);
afterAll(() => h.stop());

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const jsonValue: fc.Arbitrary<Json> = fc.letrec<{ v: Json }>((tie) => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.constant(null), fc.boolean(), fc.double(), fc.string({ unit: 'binary' }), fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.string(), tie('v'), { maxKeys: 3 })),
})).v;

/** Replaces the value at a random path of a parsed body. */
function mutate(value: Json, path: number[], replacement: Json): Json {
  if (path.length === 0 || value === null || typeof value !== 'object') return replacement;
  const [step, ...rest] = path;
  if (Array.isArray(value)) {
    if (value.length === 0) return replacement;
    const i = step! % value.length;
    return value.map((v, j) => (j === i ? mutate(v, rest, replacement) : v));
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const k = keys[step! % keys.length]!;
  return { ...value, [k]: mutate(value[k]!, rest, replacement) };
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), path: fc.array(fc.nat(), { maxLength: 8 }), value: jsonValue }),
  fc.record({ kind: fc.constant('delete' as const), path: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('bytes' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('deep' as const), depth: fc.integer({ min: 100, max: 5000 }) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;
function apply(body: Buffer, m: Mutation): Buffer {
  switch (m.kind) {
    case 'replace':
      return Buffer.from(JSON.stringify(mutate(JSON.parse(body.toString()), m.path, m.value)));
    case 'delete':
      return Buffer.from(JSON.stringify(mutate(JSON.parse(body.toString()), m.path, undefined as unknown as Json) ?? null));
    case 'bytes': {
      const copy = Buffer.from(body);
      copy.set(m.bytes.subarray(0, Math.max(0, copy.length - (m.at % copy.length))), m.at % copy.length);
      return copy;
    }
    case 'truncate':
      return body.subarray(0, m.at % body.length);
    default:
      return Buffer.from(`${'['.repeat(m.depth)}${']'.repeat(m.depth)}`);
  }
}

const deliver = (source: WebhookSource, body: Buffer, headers: Record<string, string>) => intake.handle({ method: 'POST', name: NAMES[source], query: {}, headers, body });

describe('webhook fuzz', () => {
  it('unsigned or wrongly signed mutated bodies: 401 and nothing kept (6,000 runs)', async () => {
    const eventsBefore = h.events.length;
    await fc.assert(
      fc.asyncProperty(fc.nat(fixtures.length - 1), mutation, fc.boolean(), async (i, m, wrongKey) => {
        const { source, body } = fixtures[i]!;
        const mutated = apply(body, m);
        const headers = wrongKey ? signatureHeaders(source, mutated, 'not-the-secret', Math.floor(h.clock.now().getTime() / 1000)) : {};
        const res = await deliver(source, mutated, headers);
        expect(res.status).toBe(401);
      }),
      { numRuns: 6000, seed: 20261126 },
    );
    expect(h.events.length).toBe(eventsBefore);
    expect((await intake.quarantined({ limit: 100 })).items).toEqual([]);
  }, 120_000);

  it('signed mutated bodies: never a 5xx, each kept or refused with a reason (4,000 runs)', async () => {
    const seen = { ok: 0, quarantined: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(fc.nat(fixtures.length - 1), mutation, async (i, m) => {
        const { source, body } = fixtures[i]!;
        const mutated = apply(body, m);
        const res = await deliver(source, mutated, signatureHeaders(source, mutated, SECRET, Math.floor(h.clock.now().getTime() / 1000)));
        expect(res.status).toBeLessThan(500);
        if (res.status === 202) {
          seen.quarantined++;
          expect(JSON.parse(res.body).reason).toEqual(expect.any(String));
        } else if (res.status === 200) seen.ok++;
        else seen.refused++;
      }),
      { numRuns: 4000, seed: 1126 },
    );
    console.info(`signed fuzz: ${JSON.stringify(seen)}`);
    expect(seen.quarantined).toBeGreaterThan(0);
  }, 180_000);
});

// ---- the conversion webhook ------------------------------------------------------------------

console.info(`webhook fuzz: conversion properties with seed ${SEED} (FUZZ_SEED replays a run)`);

const nowSeconds = () => Math.floor(h.clock.now().getTime() / 1000);
const show = (b: Buffer) => `${b.length} bytes ${JSON.stringify(b.subarray(0, 160).toString('latin1'))}`;
async function sendConversion(body: Buffer, headers: Record<string, string | undefined>, method = 'POST'): Promise<WebhookResponse> {
  try {
    return await intake.handle({ method, name: 'conversions', query: {}, headers, body });
  } catch (e) {
    throw new Error(`the intake threw for ${method} ${show(body)}: ${(e as Error).stack}`);
  }
}
const signed = (body: Buffer) => conversionSignatureHeaders(body, SECRET, nowSeconds());
/** HMAC-SHA256 over `t + "." + body`, as a shop computes it, for headers the helper would never write. */
const v1 = (body: Buffer, t: string | number, secret = SECRET) => createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');

/** What every error answer is: JSON `{error:{code,message,details}}` with a message. */
function errorOf(res: WebhookResponse): { code: string; message: string; details: unknown } {
  expect(res.contentType).toBe('application/json');
  const parsed = JSON.parse(res.body) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
  expect(Object.keys(parsed)).toEqual(['error']);
  const { code, message } = parsed.error ?? {};
  expect(typeof code === 'string' && code.length > 0, res.body.slice(0, 300)).toBe(true);
  expect(typeof message === 'string' && message.trim().length > 0, res.body.slice(0, 300)).toBe(true);
  expect(parsed.error).toHaveProperty('details');
  return parsed.error as { code: string; message: string; details: unknown };
}

const CONVERSION_KEYS = ['orderId', 'value', 'currency', 'occurredAt', 'utm_source', 'utm_campaign', 'utm_content', 'brandId'];
const instant = fc.date({ min: new Date('1970-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }).map((d) => d.toISOString());
const utm = fc.oneof(fc.stringMatching(/^[a-z0-9_-]{1,20}$/), fc.string({ maxLength: 200 }));
const validConversion: fc.Arbitrary<Record<string, Json>> = fc.record(
  {
    orderId: fc.oneof(fc.stringMatching(/^[A-Za-z0-9#_-]{1,40}$/), fc.string({ minLength: 1, maxLength: 60 }).filter((s) => s.trim().length > 0)),
    value: fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.double({ min: 0, max: 1e12, noNaN: true, noDefaultInfinity: true })),
    currency: fc.constantFrom('TRY', 'EUR', 'USD', 'GBP'),
    occurredAt: instant,
    utm_source: utm,
    utm_campaign: utm,
    utm_content: utm,
    brandId: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
  },
  { requiredKeys: ['orderId', 'value', 'currency', 'occurredAt'] },
);
const HOSTILE_VALUES: Json[] = [
  null, true, 0, -0.01, -1, 1e12, 1e12 + 1, 1.7976931348623157e308, '', ' ', '\u0000', 'a'.repeat(201), ' '.repeat(201), 'TRY ', 'try', 'TRYX', '€', '949',
  '2026-02-30T00:00:00Z', '2026-12-01', '2026-12-01T10:00:00+03:00', '2026-12-01T10:00', 'yesterday', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z',
  '__proto__', 'constructor', '../..', 'a/b', '\ud800', [], {}, ['TRY'], { $gt: '' }, { __proto__: { polluted: 'yes' } } as unknown as Json,
];
const hostileValue: fc.Arbitrary<Json> = fc.oneof(fc.constantFrom(...HOSTILE_VALUES), jsonValue);
/** Number literals JSON.stringify cannot write, and some that are not JSON at all. */
const RAW_NUMBERS = ['1e400', '-1e400', '-0', '1E+2', '0.0000000000000000000001', '123456789012345678901234567890', '9007199254740993', 'NaN', 'Infinity', '0x10', '01', '.5', '+1'];
const INVALID_UTF8 = [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xfe, 0xff]];
const deepArray = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
const DEEP_BODIES = [deepArray(10_000), deepObject(10_000), `{"orderId":${deepArray(10_000)},"value":1,"currency":"TRY","occurredAt":"2026-12-01T10:00:00.000Z"}`].map((b) => Buffer.from(b));

/** An own property even for `__proto__`, so it is serialised. */
function withKey(obj: Record<string, Json>, key: string, value: Json): Record<string, Json> {
  const o = { ...obj };
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  return o;
}
const bytesOf = (v: Json) => Buffer.from(JSON.stringify(v));
/** `{...conversion, [key]: <marker>}` serialised, with the marker's JSON replaced by raw bytes. */
function spliced(c: Record<string, Json>, key: string, raw: Buffer): Buffer {
  const [before, after] = JSON.stringify({ ...c, [key]: '@@splice@@' }).split('"@@splice@@"');
  return Buffer.concat([Buffer.from(before!), raw, Buffer.from(after ?? '')]);
}

/** Valid conversions, conversions with one thing wrong, and bodies that are not conversions at all. */
const conversionBody: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 3, arbitrary: validConversion.map(bytesOf) },
  { weight: 4, arbitrary: fc.tuple(validConversion, fc.array(fc.nat(), { maxLength: 3 }), hostileValue).map(([c, path, v]) => bytesOf(mutate(c, path, v))) },
  { weight: 2, arbitrary: fc.tuple(validConversion, fc.constantFrom(...CONVERSION_KEYS)).map(([c, k]) => bytesOf(Object.fromEntries(Object.entries(c).filter(([key]) => key !== k)))) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(validConversion, fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'orderID', 'value ', 'receivedAt', ''), fc.string({ maxLength: 10 })), hostileValue)
      .map(([c, k, v]) => bytesOf(withKey(c, k, v))),
  },
  { weight: 1, arbitrary: fc.tuple(validConversion, fc.constantFrom(...RAW_NUMBERS)).map(([c, raw]) => spliced(c, 'value', Buffer.from(raw))) },
  { weight: 1, arbitrary: fc.tuple(validConversion, fc.constantFrom(...INVALID_UTF8)).map(([c, bad]) => spliced(c, 'orderId', Buffer.concat([Buffer.from('"o-'), Buffer.from(bad), Buffer.from('"')]))) },
  { weight: 2, arbitrary: fc.tuple(validConversion, mutation).map(([c, m]) => apply(bytesOf(c), m)) },
  { weight: 1, arbitrary: jsonValue.map(bytesOf) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) },
  { weight: 1, arbitrary: fc.constantFrom(...DEEP_BODIES) },
);

/** The schema's verdict on a body, read as the webhook must read it: strict UTF-8, then JSON. */
function judge(body: Buffer): { ok: true; value: Conversion } | { ok: false; unreadable?: string } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return { ok: false, unreadable: 'is not valid UTF-8' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, unreadable: 'is not valid JSON' };
  }
  const parsed = Conversion.safeParse(value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false };
}

/** Signature headers that must not pass, each with the refusal it must get when that one is certain. */
type Forgery = { name: string; headers: (body: Buffer, now: number) => Record<string, string>; code?: string };
const header = (value: string): Record<string, string> => ({ 'paylas-signature': value });
const forgery: fc.Arbitrary<Forgery> = fc.oneof(
  fc.constant<Forgery>({ name: 'absent', headers: () => ({}), code: 'missing_signature' }),
  fc.constantFrom('', ' ', '\t \t').map((v): Forgery => ({ name: 'blank', headers: () => header(v), code: 'missing_signature' })),
  fc.string({ unit: 'binary', maxLength: 120 }).map((v): Forgery => ({ name: 'arbitrary string', headers: () => header(v) })),
  fc.constantFrom('not-the-secret', SECRET.toUpperCase(), `${SECRET} `).map((secret): Forgery => ({ name: 'another secret', headers: (b, now) => header(`t=${now},v1=${v1(b, now, secret)}`), code: 'bad_signature' })),
  fc.tuple(fc.integer({ min: 301, max: 1_000_000_000 }), fc.boolean()).map(([d, past]): Forgery => ({
    name: past ? 'stale' : 'future',
    headers: (b, now) => conversionSignatureHeaders(b, SECRET, past ? Math.max(0, now - d) : now + d),
    code: 'stale_timestamp',
  })),
  fc.constantFrom<[string, (b: Buffer) => Buffer]>(['a trailing newline', (b) => Buffer.concat([b, Buffer.from('\n')])], ['no body', () => Buffer.alloc(0)], ['one byte less', (b) => b.subarray(0, Math.max(0, b.length - 1))], ['a flipped bit', (b) => (b.length === 0 ? Buffer.from('x') : Buffer.concat([Buffer.from([b[0]! ^ 1]), b.subarray(1)]))]).map(
    ([name, other]): Forgery => ({ name: `signed over ${name}`, headers: (b, now) => { const o = other(b); return o.equals(b) ? header(`t=${now},v1=${v1(Buffer.concat([b, Buffer.from('x')]), now)}`) : conversionSignatureHeaders(o, SECRET, now); }, code: 'bad_signature' }),
  ),
  fc.constant<Forgery>({ name: 't twice', headers: (b, now) => header(`t=${now},t=${now},v1=${v1(b, now)}`), code: 'bad_signature' }),
  fc.constant<Forgery>({ name: 'two different t', headers: (b, now) => header(`t=${now},v1=${v1(b, now)},t=${now - 1}`), code: 'bad_signature' }),
  fc.constant<Forgery>({ name: 'no v1', headers: (_b, now) => header(`t=${now}`), code: 'bad_signature' }),
  fc.constant<Forgery>({ name: 'no t', headers: (b, now) => header(`v1=${v1(b, now)}`), code: 'bad_signature' }),
  fc.tuple(fc.array(fc.stringMatching(/^[0-9a-f]{64}$/), { minLength: 1, maxLength: 20 }), fc.nat()).map(([wrong, at]): Forgery => ({
    name: 'many v1',
    headers: (b, now) => {
      const all = [...wrong];
      all.splice(at % (all.length + 1), 0, v1(b, now));
      return header(`t=${now},${all.map((s) => `v1=${s}`).join(',')}`);
    },
    code: 'bad_signature',
  })),
  fc.constantFrom<Forgery>(
    { name: 'huge junk', headers: () => header('a'.repeat(100_000)), code: 'bad_signature' },
    { name: 'huge v1', headers: (_b, now) => header(`t=${now},v1=${'0'.repeat(200_000)}`), code: 'bad_signature' },
    { name: 'huge t', headers: (b) => header(`t=${'9'.repeat(100_000)},v1=${v1(b, '9'.repeat(100_000))}`), code: 'bad_signature' },
    { name: 'a thousand t', headers: (b, now) => header(`${`t=${now},`.repeat(1000)}v1=${v1(b, now)}`), code: 'bad_signature' },
  ),
  fc.constantFrom((n: number) => `${n}.0`, (n: number) => `+${n}`, (n: number) => `${n}ms`, (n: number) => `0x${n.toString(16)}`, (n: number) => String(n * 1000), () => '-1', () => '', (n: number) => `${n} ${n}`).map(
    (t): Forgery => ({ name: 'a t that is not unix seconds', headers: (b, now) => header(`t=${t(now)},v1=${v1(b, t(now))}`), code: 'bad_signature' }),
  ),
  fc.constantFrom((s: string) => `sha256=${s}`, (s: string) => Buffer.from(s, 'hex').toString('base64'), (s: string) => s.slice(1), (s: string) => `${s}0`, (s: string) => `${s.slice(1)}g`).map(
    (shape): Forgery => ({ name: 'a v1 that is not 64 hex digits', headers: (b, now) => header(`t=${now},v1=${shape(v1(b, now))}`), code: 'bad_signature' }),
  ),
  fc.constantFrom('x-paylas-signature', 'paylas_signature', 'stripe-signature', 'paylas-signature-v1').map((name): Forgery => ({ name: `the signature under ${name}`, headers: (b, now) => ({ [name]: `t=${now},v1=${v1(b, now)}` }), code: 'missing_signature' })),
  fc.constant<Forgery>({ name: 'semicolons', headers: (b, now) => header(`t=${now};v1=${v1(b, now)}`), code: 'bad_signature' }),
  fc.constant<Forgery>({ name: 'a header line injected', headers: (b, now) => header(`t=${now},v1=${v1(b, now)}\r\nx-extra: 1`), code: 'bad_signature' }),
);

describe('the conversion webhook', () => {
  it('unsigned, wrongly signed, stale or malformed signatures over any body: 401 in the error shape, nothing published or kept (400 runs)', async () => {
    const quarantinedBefore = await community.countQuarantined(new Date(0));
    const eventsBefore = h.events.length;
    const codes: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(conversionBody, forgery, fc.boolean(), async (body, f, capitalised) => {
        const headers = f.headers(body, nowSeconds());
        const sent = capitalised ? Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase()), v])) : headers;
        const res = await sendConversion(body, sent);
        expect(res.status, `${f.name}: ${show(body)} → ${res.body.slice(0, 200)}`).toBe(401);
        const error = errorOf(res);
        expect(['missing_signature', 'bad_signature', 'stale_timestamp']).toContain(error.code);
        if (f.code) expect(error.code, f.name).toBe(f.code);
        expect(error.details).toBeNull();
        expect(h.events.length).toBe(eventsBefore);
        codes[error.code] = (codes[error.code] ?? 0) + 1;
      }),
      { numRuns: 400, seed: SEED },
    );
    console.info(`conversion forgeries: ${JSON.stringify(codes)}`);
    expect(await community.countQuarantined(new Date(0))).toBe(quarantinedBefore);
  }, 60_000);

  it('signed hostile bodies: 202 with exactly one ConversionReceived, or 400 naming the field and kept once in quarantine (250 runs)', async () => {
    const quarantinedBefore = await community.countQuarantined(new Date(0));
    const kept = new Set<string>();
    const seen = { accepted: 0, refused: 0, unreadable: 0 };
    await fc.assert(
      fc.asyncProperty(conversionBody, async (body) => {
        const from = h.events.length;
        const res = await sendConversion(body, signed(body));
        const expected = judge(body);
        const published = h.events.slice(from);
        const context = `${show(body)} → ${res.status} ${res.body.slice(0, 300)}`;
        if (expected.ok) {
          expect(res.status, context).toBe(202);
          expect(JSON.parse(res.body)).toEqual({ accepted: expected.value.orderId });
          expect(published.map((e) => e['detail-type'])).toEqual(['ConversionReceived']);
          const detail = EventDetails.ConversionReceived.parse(published[0]!.detail);
          expect(detail).toEqual(JSON.parse(JSON.stringify({ ...expected.value, receivedAt: h.clock.now().toISOString() })));
          seen.accepted++;
          return;
        }
        expect(res.status, context).toBe(400);
        expect(published).toEqual([]);
        const error = errorOf(res);
        expect(error.code).toBe('validation_failed');
        const details = error.details as { path: unknown; message: unknown }[];
        expect(Array.isArray(details) && details.length > 0, context).toBe(true);
        for (const d of details) {
          expect(typeof d.path === 'string' && typeof d.message === 'string' && d.message.trim() !== '', context).toBe(true);
          // Each issue names a field of the conversion, or the body as a whole.
          expect(['body', ...CONVERSION_KEYS], context).toContain(String(d.path).split('.')[0]);
          expect(error.message).toContain(`${String(d.path)}: ${String(d.message)}`);
        }
        if (expected.unreadable) {
          seen.unreadable++;
          expect(details, context).toEqual([{ path: 'body', message: expected.unreadable }]);
        }
        const id = /kept as (q[\w-]+)/.exec(error.message)?.[1];
        expect(id, context).toBeDefined();
        const entry = await community.getQuarantine(id!);
        expect(entry, context).toMatchObject({ id, source: 'conversions', status: 'quarantined', bytes: body.length });
        expect(entry!.reason).toMatch(/\S/);
        expect((await community.quarantinedBody(entry!)).equals(body)).toBe(true);
        // The shop delivers the same bytes again: the same answer, still one entry, nothing published.
        const again = await sendConversion(body, signed(body));
        expect([again.status, again.body]).toEqual([400, res.body]);
        expect(await community.getQuarantine(id!)).toEqual(entry);
        expect(h.events.length).toBe(from);
        kept.add(id!);
        seen.refused++;
      }),
      { numRuns: 250, seed: SEED },
    );
    console.info(`signed conversions: ${JSON.stringify(seen)}, ${kept.size} kept`);
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
    expect(await community.countQuarantined(new Date(0))).toBe(quarantinedBefore + kept.size);
  }, 90_000);

  it('bodies over 1 MB: 413 before the signature is even read, nothing published or kept (24 runs)', async () => {
    const quarantinedBefore = await community.countQuarantined(new Date(0));
    const eventsBefore = h.events.length;
    const conversion = bytesOf({ orderId: 'o-big', value: 10, currency: 'TRY', occurredAt: '2026-12-01T10:00:00.000Z' });
    const fill = (kind: string, size: number): Buffer => {
      switch (kind) {
        case 'a valid conversion padded with spaces':
          return Buffer.concat([conversion, Buffer.alloc(size - conversion.length, 0x20)]);
        case 'deep arrays':
          return Buffer.from(deepArray(Math.ceil(size / 2)));
        case 'multi-byte text':
          return Buffer.from(`"${'ş'.repeat(Math.ceil(size / 2))}"`);
        default:
          return Buffer.alloc(size, 0xff);
      }
    };
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 64 * 1024 }), fc.constantFrom('a valid conversion padded with spaces', 'deep arrays', 'multi-byte text', 'invalid UTF-8'), fc.constantFrom('signed', 'unsigned', 'wrongly signed'), async (over, kind, how) => {
        const body = fill(kind, MAX_WEBHOOK_BYTES + over);
        const headers = how === 'signed' ? signed(body) : how === 'unsigned' ? {} : conversionSignatureHeaders(body, 'not-the-secret', nowSeconds());
        const res = await sendConversion(body, headers);
        expect(res.status, `${kind}, ${how}, ${body.length} bytes`).toBe(413);
        const error = errorOf(res);
        expect(error.code).toBe('payload_too_large');
        expect(error.message).toContain(String(MAX_WEBHOOK_BYTES));
      }),
      { numRuns: 24, seed: SEED },
    );
    expect(h.events.length).toBe(eventsBefore);
    expect(await community.countQuarantined(new Date(0))).toBe(quarantinedBefore);
    // Exactly at the limit the body is read.
    const atLimit = Buffer.concat([conversion, Buffer.alloc(MAX_WEBHOOK_BYTES - conversion.length, 0x20)]);
    expect((await sendConversion(atLimit, signed(atLimit))).status).toBe(202);
  }, 60_000);

  it('deeply nested JSON, signed: 400 naming the body or field, kept in quarantine; unsigned: 401; never a stack overflow', async () => {
    const eventsBefore = h.events.length;
    const cases: [string, Buffer, string][] = [
      ['10,000-deep arrays', Buffer.from(deepArray(10_000)), 'body'],
      ['10,000-deep objects', Buffer.from(deepObject(10_000)), 'body'],
      ['500,000-deep arrays (1,000,000 bytes)', Buffer.from(deepArray(500_000)), 'body'],
      ['10,000-deep arrays in a field', DEEP_BODIES[2]!, 'orderId'],
    ];
    for (const [name, body, path] of cases) {
      expect((await sendConversion(body, {})).status, name).toBe(401);
      const res = await sendConversion(body, signed(body));
      expect(res.status, name).toBe(400);
      const error = errorOf(res);
      expect((error.details as { path: string }[]).map((d) => d.path), name).toContain(path);
      const id = /kept as (q[\w-]+)/.exec(error.message)?.[1];
      expect(await community.getQuarantine(id!), name).toMatchObject({ source: 'conversions', bytes: body.length });
    }
    expect(h.events.length).toBe(eventsBefore);
  }, 60_000);

  it('regression: a signed body that is empty, not JSON or not UTF-8 is refused saying so, not as "expected object, received undefined"', async () => {
    const cases: [Buffer, string][] = [
      [Buffer.alloc(0), 'is not valid JSON'],
      [Buffer.from('orderId=o-1&value=10'), 'is not valid JSON'],
      [Buffer.from('{"orderId":"o-1","value":10,'), 'is not valid JSON'],
      [Buffer.from([0x7b, 0x22, 0x6f, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), 'is not valid UTF-8'],
      [Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]), 'is not valid UTF-8'],
    ];
    for (const [body, message] of cases) {
      const res = await sendConversion(body, signed(body));
      expect(res.status).toBe(400);
      const error = errorOf(res);
      expect(error.details, show(body)).toEqual([{ path: 'body', message }]);
      expect(error.message).toMatch(new RegExp(`^the conversion was kept as q[\\w-]+ but not counted: body: ${message}$`));
    }
  });

  it('methods other than POST: 405 whatever the body and signature, nothing published or kept (120 runs)', async () => {
    const quarantinedBefore = await community.countQuarantined(new Date(0));
    const eventsBefore = h.events.length;
    const method = fc
      .oneof(fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT', '', ' POST', 'POST ', 'P0ST', 'POSTS', 'PO ST', 'FOO'), fc.string({ maxLength: 10 }))
      .filter((m) => m.toUpperCase() !== 'POST');
    await fc.assert(
      fc.asyncProperty(method, fc.oneof(validConversion.map(bytesOf), conversionBody), fc.boolean(), async (m, body, sign) => {
        const res = await sendConversion(body, sign ? signed(body) : {}, m);
        expect(res.status, JSON.stringify(m)).toBe(405);
        expect(errorOf(res).code).toBe('method_not_allowed');
      }),
      { numRuns: 120, seed: SEED },
    );
    expect(h.events.length).toBe(eventsBefore);
    expect(await community.countQuarantined(new Date(0))).toBe(quarantinedBefore);
  }, 60_000);
});
