import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSecretName } from '#shared/config/secret-names.ts';
import { CommunityStore } from '#shared/data/community-store.ts';
import { WebhookIntake } from '#shared/use-cases/webhooks.ts';
import { signatureHeaders, type WebhookSource } from '#shared/webhooks/signatures.ts';
import { PublishingHarness } from '#test/support/publishing-harness.ts';

/**
 * Hostile bodies at the webhook: mutated real-format deliveries, unsigned,
 * wrongly signed and properly signed. Never a 5xx or a throw; nothing of an
 * unsigned body is kept.
 */
const h = new PublishingHarness();
let intake: WebhookIntake;
const SECRET = 'fuzz-secret';
const NAMES: Record<WebhookSource, string> = { meta: 'meta', x: 'x', linkedin: 'linkedin', tiktok: 'tiktok', mastodon: 'mastodon', sandbox: 'sandbox' };
const dir = new URL('../fixtures/webhooks/', import.meta.url);
const fixtures: { source: WebhookSource; body: Buffer }[] = readdirSync(dir)
  .filter((f) => f.endsWith('.json') && !f.startsWith('bluesky'))
  .map((f) => ({ source: (f.startsWith('meta') ? 'meta' : f.split('-')[0]) as WebhookSource, body: readFileSync(new URL(f, dir)) }));
fixtures.push({ source: 'sandbox', body: Buffer.from('{"object":"sandbox","entry":[{"account":"a","comments":[{"id":"1","text":"hi","from":{"id":"u"},"created_time":"2026-11-26T10:00:00.000Z"}]}]}') });

beforeAll(async () => {
  await h.start();
  for (const name of ['META_APP_SECRET', 'X_CONSUMER_SECRET', 'LINKEDIN_CLIENT_SECRET', 'TIKTOK_CLIENT_SECRET', 'MASTODON_WEBHOOK_SECRET', 'SANDBOX_WEBHOOK_SECRET', 'META_VERIFY_TOKEN']) {
    await h.secrets.put(appSecretName('fuzz/', name), SECRET);
  }
  intake = new WebhookIntake({
    findAccount: (p, id) => h.repo.findAccountByPlatformId(p, id),
    community: new CommunityStore(h.local.db, h.local.tableName, h.clock),
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
