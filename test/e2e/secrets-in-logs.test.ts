import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { wiring } from '#infra/wiring/wiring.ts';
import { FileSecretStore } from '#shared/adapters/file-secret-store.ts';
import { SealedSecretStore } from '#shared/adapters/sealed-secret-store.ts';
import { secretsPrefixFor } from '#shared/config/secret-names.ts';
import { createDocumentClient } from '#shared/data/dynamo-client.ts';
import { conversionSignatureHeaders, signatureHeaders } from '#shared/webhooks/signatures.ts';
import { startTwinProcess, type TwinProcess } from '#test/support/twin-process.ts';
import { waitFor } from '#test/support/wait.ts';

/*
 * Secrets never in logs: the local twin runs as a process with its function
 * logs on (they go to its stdout), real flows touch every kind of secret —
 * the admin key, brand API keys, account tokens (some refreshed by the
 * sandbox platform into new short-lived ones), authorization codes and app
 * secrets of consent, a Bluesky app password, webhook signing secrets, the
 * conversion secret — and then every secret value is looked for in
 * everything the twin logged, in every API response but the one that
 * creates it, and in the SES outbox.
 */

const home = mkdtempSync(path.join(tmpdir(), 'paylas-secrets-'));
let twin: TwinProcess;

beforeAll(async () => {
  // Logs on (not `quiet`), and no demo brand: only what this test does.
  twin = await startTwinProcess(home, { PAYLAS_LOG: 'all', PAYLAS_DEMO: '0' });
}, 120_000);
afterAll(async () => {
  await twin?.stop();
  rmSync(home, { recursive: true, force: true });
});

/** Every HTTP answer the test saw, with the one that hands out a secret marked. */
interface Seen {
  what: string;
  status: number;
  body: string;
  /** The secret this response exists to show once (a new API key). */
  shows?: string;
}
const responses: Seen[] = [];
/** Secrets this test made or learned that are not in the twin's secret files. */
const given = new Map<string, string>();
const run = randomBytes(4).toString('hex');
const token = (label: string) => {
  const value = `${label}-${randomBytes(16).toString('hex')}`;
  given.set(value, `credential given at connect (${label})`);
  return value;
};

async function call(method: string, url: string, options: { key?: string | null; body?: unknown; raw?: Buffer; headers?: Record<string, string> } = {}) {
  const key = options.key === undefined ? twin.adminKey : options.key;
  const raw = options.raw ?? (options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body)));
  const res = await fetch(`${twin.urls.api}${url}`, {
    method,
    headers: { ...(key && { authorization: `Bearer ${key}` }), ...(raw && { 'content-type': 'application/json' }), ...options.headers },
    ...(raw && { body: raw }),
  });
  const text = await res.text();
  const seen: Seen = { what: `${method} ${url.split('?')[0]}`, status: res.status, body: text };
  responses.push(seen);
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, body: json, text, seen };
}

const appSecrets = () => JSON.parse(readFileSync(path.join(home, 'secrets.json'), 'utf8')) as Record<string, string>;
const TERMINAL = new Set(['published', 'failed', 'needs_review', 'missed', 'cancelled']);

let brandId = '';
let brandKey = '';
const accounts: Record<string, { id: string; platformAccountId: string }> = {};

describe('flows that touch secrets', () => {
  it('creates a brand and a brand API key, shown once, used, then revoked', async () => {
    const brand = await call('POST', '/v1/brands', {
      body: { name: `Gizli ${run}`, timezone: 'Europe/Istanbul', locale: 'tr', reportRecipients: [`owner-${run}@brand.example`], postingPlan: { sandbox: 3, x: 3 } },
    });
    expect(brand.status).toBe(201);
    brandId = brand.body.id;

    const created = await call('POST', `/v1/brands/${brandId}/keys`, { body: { label: 'ci' } });
    expect(created.status).toBe(201);
    brandKey = created.body.key;
    expect(brandKey).toMatch(/^pls_/);
    created.seen.shows = brandKey;
    given.set(brandKey, 'brand API key');

    expect((await call('GET', `/v1/brands/${brandId}`, { key: brandKey })).status).toBe(200);
    const listed = await call('GET', `/v1/brands/${brandId}/keys`);
    expect(listed.status).toBe(200);
    expect((await call('GET', '/v1/brands', { key: `pls_${randomBytes(24).toString('base64url')}` })).status).toBe(401);
    const keyId = created.body.id as string;
    // A second key, revoked, and refused afterwards.
    const spare = await call('POST', `/v1/brands/${brandId}/keys`, { body: { label: 'spare' } });
    spare.seen.shows = spare.body.key;
    given.set(spare.body.key, 'revoked brand API key');
    expect((await call('DELETE', `/v1/brands/${brandId}/keys/${spare.body.id}`)).status).toBe(200);
    expect((await call('GET', `/v1/brands/${brandId}`, { key: spare.body.key })).status).toBe(401);
    expect(keyId).toBeTruthy();
  });

  it('connects accounts with tokens and publishes to them, refreshing tokens that are about to expire', async () => {
    const soon = new Date(Date.now() + 60_000).toISOString();
    const sharedRefresh = token('xinit-refresh');
    const connect: [string, string, string, Record<string, string>][] = [
      ['sandbox', `sbx-${run}`, '@gizli', { accessToken: token('sbxinit-access') }],
      // Expires within five minutes: refreshed before use; X rotates the refresh token.
      ['x', `17${Date.now()}`.slice(0, 15), '@gizli_x', { accessToken: token('xinit-access'), refreshToken: sharedRefresh, expiresAt: soon }],
      // The same refresh token on a second account: the sandbox refuses its second use, so one refresh fails and mails the brand.
      ['x', `18${Date.now()}`.slice(0, 15), '@gizli_x2', { accessToken: token('xinit-access2'), refreshToken: sharedRefresh, expiresAt: soon }],
      ['bluesky', `did:plc:gizli${run}`, 'gizli.bsky.social', { accessJwt: token('bskyinit-access'), refreshJwt: token('bskyinit-refresh'), expiresAt: soon }],
      // Instagram refreshes with the token in the query string.
      ['instagram', `1784${Date.now()}`.slice(0, 17), '@gizli_ig', { accessToken: token('iginit-access'), expiresAt: soon }],
      ['facebook', `10${Date.now()}`.slice(0, 15), 'Gizli', { accessToken: token('fbinit-access') }],
      ['linkedin', `urn:li:organization:${Date.now() % 1e8}`, 'gizli', { accessToken: token('liinit-access') }],
      ['mastodon', `1099${Date.now()}`.slice(0, 15), '@gizli@mastodon.example', { accessToken: token('mastoinit-access'), instanceUrl: 'https://mastodon.example' }],
    ];
    for (const [platform, platformAccountId, handle, credentials] of connect) {
      const res = await call('POST', `/v1/brands/${brandId}/accounts`, { body: { platform, platformAccountId, handle, credentials } });
      expect(res.status, res.text).toBe(201);
      accounts[`${platform}:${handle}`] = { id: res.body.id, platformAccountId };
    }
    expect((await call('GET', `/v1/brands/${brandId}/accounts`, { key: brandKey })).body.items).toHaveLength(connect.length);

    const created = await call('POST', '/v1/posts', {
      key: brandKey,
      body: {
        brandId,
        scheduledAt: new Date(Date.now() + 2_000).toISOString(),
        text: `Gizli kalsın ${run} https://brand.example/kampanya`,
        targets: Object.entries(accounts).map(([k, a]) => ({
          accountId: a.id,
          // Instagram fetches the image itself, so the URL is only passed on.
          ...(k.startsWith('instagram') && { media: [{ url: `https://cdn.brand.example/gizli-${run}.jpg`, kind: 'image' }] }),
        })),
      },
    });
    expect(created.status, created.text).toBe(201);
    const post = await waitFor(
      async () => {
        const p = (await call('GET', `/v1/posts/${created.body.id}`, { key: brandKey })).body;
        return p.targets.every((t: { status: string }) => TERMINAL.has(t.status)) ? p : undefined;
      },
      'every target of the post to finish',
      90_000,
    );
    const byPlatform = Object.fromEntries(post.targets.map((t: { platform: string; status: string }) => [t.platform, t.status]));
    expect(byPlatform.sandbox).toBe('published');
    expect(byPlatform.bluesky).toBe('published');
    expect(byPlatform.instagram).toBe('published');
    // Exactly one of the two X accounts got the shared refresh token first.
    expect(post.targets.filter((t: { platform: string; status: string }) => t.platform === 'x').map((t: { status: string }) => t.status).sort()).toEqual(['failed', 'published']);
  }, 120_000);

  it('connects accounts through consent (code exchange with the app secret) and a Bluesky app password', async () => {
    for (const platform of ['x', 'linkedin', 'sandbox']) {
      const start = await call('GET', `/v1/connect/${platform}/start?brandId=${brandId}&redirect=false`, { key: brandKey });
      expect(start.status, start.text).toBe(200);
      const authorize = new URL(start.body.authorizeUrl);
      const form = new URLSearchParams(authorize.searchParams);
      form.set('decision', 'approve');
      form.set('user', `gizli${run}`);
      const approved = await fetch(`${authorize.origin}${authorize.pathname}`, { method: 'POST', body: form, redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(approved.status, `${platform} consent`).toBe(302);
      const back = new URL(approved.headers.get('location')!);
      given.set(back.searchParams.get('code')!, `${platform} authorization code`);
      const page = await call('GET', `${back.pathname}${back.search}`, { key: null });
      expect(page.status, `${platform}: ${page.text}`).toBe(200);
    }
    const appPassword = Array.from({ length: 4 }, () => randomBytes(2).toString('hex')).join('-');
    given.set(appPassword, 'Bluesky app password');
    const bluesky = await call('POST', '/v1/connect/bluesky', { key: brandKey, body: { brandId, identifier: `gizli${run}.bsky.social`, appPassword } });
    expect(bluesky.status, bluesky.text).toBeLessThan(300);
    const wrong = await call('POST', '/v1/connect/bluesky', { key: brandKey, body: { brandId, identifier: `gizli${run}.bsky.social`, appPassword: 'not-an-app-password' } });
    expect(wrong.status).toBe(400);
  });

  it('takes signed webhooks: comments from the sandbox, a direct delivery, a bad signature, handshakes; and answers a comment', async () => {
    const secrets = appSecrets();
    for (const [key, a] of Object.entries(accounts)) {
      const platform = key.split(':')[0]!;
      if (platform === 'bluesky') continue; // Bluesky has no webhooks (its comments are polled).
      const made = await fetch(`${twin.urls.sandbox}/_sandbox/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ platform, account: a.platformAccountId, postId: `p-${run}`, text: `Berbat bir hizmet, çok kötü! ${platform}` }),
      });
      expect(made.status).toBe(201);
      const { delivery } = (await made.json()) as { delivery: { status: number; body: string } };
      responses.push({ what: `webhook delivered by the sandbox (${platform})`, status: delivery.status, body: delivery.body });
      expect(delivery.status, `${platform}: ${delivery.body}`).toBeLessThan(300);
    }

    const sandboxAccount = Object.entries(accounts).find(([k]) => k.startsWith('sandbox'))![1];
    const body = Buffer.from(JSON.stringify({ object: 'sandbox', entry: [{ account: sandboxAccount.platformAccountId, comments: [{ id: `direct-${run}`, post_id: `p-${run}`, text: 'Harika!', from: { id: 'fan-1' }, created_time: new Date().toISOString() }] }] }));
    const now = () => Math.floor(Date.now() / 1000);
    expect((await call('POST', '/webhooks/sandbox', { key: null, raw: body, headers: signatureHeaders('sandbox', body, secrets.SANDBOX_WEBHOOK_SECRET!, now()) })).status).toBe(200);
    expect((await call('POST', '/webhooks/sandbox', { key: null, raw: body, headers: signatureHeaders('sandbox', body, `wrong-${secrets.SANDBOX_WEBHOOK_SECRET}`, now()) })).status).toBe(401);
    // A valid signature over a body that cannot be used is quarantined with the reason.
    const junk = Buffer.from(JSON.stringify({ object: 'sandbox', entry: [{ account: `nobody-${run}`, comments: [{ id: `q-${run}`, text: 'kim?' }] }] }));
    expect((await call('POST', '/webhooks/sandbox', { key: null, raw: junk, headers: signatureHeaders('sandbox', junk, secrets.SANDBOX_WEBHOOK_SECRET!, now()) })).status).toBe(202);
    expect((await call('GET', '/v1/quarantine')).status).toBe(200);

    const verify = encodeURIComponent(secrets.META_VERIFY_TOKEN!);
    const meta = await call('GET', `/webhooks/meta?hub.mode=subscribe&hub.verify_token=${verify}&hub.challenge=ch-${run}`, { key: null });
    expect([meta.status, meta.text]).toEqual([200, `ch-${run}`]);
    expect((await call('GET', `/webhooks/meta?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=x`, { key: null })).status).toBe(403);
    expect((await call('GET', `/webhooks/x?crc_token=crc-${run}`, { key: null })).status).toBe(200);
    expect((await call('GET', `/webhooks/linkedin?challengeCode=lc-${run}`, { key: null })).status).toBe(200);

    const comment = await waitFor(
      async () => ((await call('GET', `/v1/comments?brandId=${brandId}&limit=100`, { key: brandKey })).body.items as { id: string; text: string }[]).find((c) => c.text === 'Berbat bir hizmet, çok kötü! sandbox'),
      'the sandbox comment to be stored',
      30_000,
    );
    expect((await call('POST', `/v1/comments/${comment.id}/reply`, { key: brandKey, body: { text: `Özür dileriz ${run}` } })).status).toBe(202);
    await waitFor(async () => ((await call('GET', `/v1/comments/${comment.id}`, { key: brandKey })).body.reply?.status === 'published' ? true : undefined), 'the reply to be sent', 30_000);
  }, 90_000);

  it('counts a signed conversion and refuses an unsigned one', async () => {
    const secret = appSecrets().PAYLAS_CONVERSION_SECRET!;
    const body = Buffer.from(JSON.stringify({ orderId: `gizli-${run}`, value: 99.9, currency: 'TRY', occurredAt: new Date().toISOString(), brandId }));
    expect((await call('POST', '/webhooks/conversions', { key: null, raw: body, headers: conversionSignatureHeaders(body, secret, Math.floor(Date.now() / 1000)) })).status).toBe(202);
    expect((await call('POST', '/webhooks/conversions', { key: null, raw: body })).status).toBe(401);
  });

  it('sends the weekly report into the SES outbox', async () => {
    expect((await call('POST', '/v1/reports', { key: brandKey, body: { brandId } })).status).toBe(202);
    await waitFor(async () => (((await call('GET', `/v1/reports?brandId=${brandId}`, { key: brandKey })).body.items as { status: string }[]).some((r) => r.status === 'sent') ? true : undefined), 'the report to be sent', 60_000);
  }, 90_000);
});

// ---------------------------------------------------------------------------

/** OAuth client ids are public by design (they are in every consent link), though the install keeps them with its secrets. */
const PUBLIC_ID = /(_CLIENT_ID|_APP_ID)$/;

/** Every secret value the install holds now, by where it came from. */
/** The tokens among a credential's fields: not the expiry or instance URL beside them. */
function tokenFields(values: Map<string, string>, where: string, content: string): void {
  let fields: Record<string, unknown> | undefined;
  try {
    const parsed = JSON.parse(content) as unknown;
    if (parsed && typeof parsed === 'object') fields = parsed as Record<string, unknown>;
  } catch {
    fields = undefined;
  }
  if (!fields) values.set(content, where);
  else for (const [k, v] of Object.entries(fields)) if (typeof v === 'string' && /token|jwt|secret|password|key/i.test(k)) values.set(v, `${where} ${k}`);
}

/** Every item of the twin's table (a test may Scan; the product never does). */
async function tableItems(): Promise<Record<string, unknown>[]> {
  const db = createDocumentClient({ endpoint: twin.urls.dynamodb, region: 'eu-central-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await db.send(new ScanCommand({ TableName: 'paylas-local', ExclusiveStartKey: start }));
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  } finally {
    db.destroy();
  }
}

/** Every secret value: given by this test, in the twin's secret files, and the account credentials sealed in its table (opened with its key). */
async function secretValues(items: Record<string, unknown>[]): Promise<Map<string, string>> {
  const values = new Map<string, string>(given);
  for (const [name, value] of Object.entries(appSecrets())) if (!PUBLIC_ID.test(name)) values.set(value, `secrets.json ${name}`);
  const dir = path.join(home, 'secrets');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.secret'))) {
    const name = decodeURIComponent(file.replace(/\.secret$/, ''));
    if (!PUBLIC_ID.test(name)) tokenFields(values, `secret store ${name}`, readFileSync(path.join(dir, file), 'utf8'));
  }
  const db = createDocumentClient({ endpoint: twin.urls.dynamodb, region: 'eu-central-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const sealed = new SealedSecretStore(new FileSecretStore(dir), secretsPrefixFor('local'), { db: () => db, tableName: 'paylas-local' });
    for (const item of items.filter((i) => String(i.pk).startsWith('SECRET#'))) {
      const name = String(item.pk).slice('SECRET#'.length);
      tokenFields(values, `sealed ${name}`, (await sealed.get(name))!);
    }
  } finally {
    db.destroy();
  }
  for (const v of [...values.keys()]) if (v.length < 12) values.delete(v);
  return values;
}

/** The ways a value is written into text: as is, JSON-escaped, URL-encoded. */
const spellings = (value: string) => [...new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)])];

/** Token shapes the sandbox issues, and API keys: caught even after they were rotated out of the secret store. */
const ISSUED_SHAPES: [string, RegExp][] = [
  ['sandbox-issued token', /\b(x-access|x-refresh|instagram-access|bsky-refresh|li-access|fb-user-short|fb-user-long|fb-page|ig-short|ig-long|mastodon-access|sandbox-access)-[0-9a-f]{24,}\b/],
  ['sandbox Bluesky access JWT', /\be30\.[A-Za-z0-9_-]+\.sandbox[0-9a-f]{12,}\b/],
  ['sandbox authorization code', /\b[a-z]+-code-[0-9a-f]{24,}\b/],
  ['API key', /\bpls_(admin_)?[A-Za-z0-9_-]{32}(?![A-Za-z0-9_-])/],
];

/** A credential written next to its name, in a log line. */
const CREDENTIAL_IN_LINE: [string, RegExp][] = [
  ['Bearer value', /\bBearer\s+[A-Za-z0-9._~+/=-]{6,}/i],
  ['Basic value', /\bBasic\s+[A-Za-z0-9+/=]{12,}/],
  ['named token value', /\b(access_?token|refresh_?token|access_?jwt|refresh_?jwt|client_?secret|verify_?token|api_?key|authorization)\b["']?\s*[:=]\s*["']?[A-Za-z0-9._~+/=-]{6,}/i],
];

/** Whatever sent mail the twin kept: the SES stand-in's store and the outbox folder. */
async function outbox(): Promise<{ what: string; text: string }[]> {
  const store = await (await fetch(`${twin.urls.ses}/store`)).text();
  const mails = [{ what: 'SES store', text: store }];
  const walk = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).flatMap((f) => (statSync(path.join(dir, f)).isDirectory() ? walk(path.join(dir, f)) : [path.join(dir, f)])) : []);
  for (const file of walk(path.join(home, 'outbox'))) mails.push({ what: `outbox ${path.basename(file)}`, text: readFileSync(file, 'utf8') });
  return mails;
}

/** Where a secret value, or something shaped like an issued token or key, is in `text` (`except`: the one secret it may show). */
function leaksIn(secrets: Map<string, string>, where: string, text: string, except?: string): string[] {
  const found: string[] = [];
  for (const [value, label] of secrets) if (value !== except && spellings(value).some((s) => text.includes(s))) found.push(`${label} in ${where}`);
  const rest = except ? text.split(except).join('') : text;
  for (const [label, shape] of ISSUED_SHAPES) {
    const m = shape.exec(rest);
    if (m) found.push(`${label} (${m[0].slice(0, 4)}…) in ${where}`);
  }
  return found;
}

/** A credential written next to its name or scheme (`Bearer …`, `"access_token":"…"`). */
function credentialsInLine(where: string, line: string): string[] {
  return CREDENTIAL_IN_LINE.flatMap(([label, pattern]) => {
    const m = pattern.exec(line);
    return m ? [`${label} in ${where}: ${m[0].slice(0, 16)}…`] : [];
  });
}

describe('secrets never leave the secret store', () => {
  it('appear in no log line, no other API response, no mail and no table item', async () => {
    // The twin's own debug views are responses too (queue contents included).
    for (const url of ['/_twin', ...Object.keys(wiring.queues).flatMap((q) => [`/_twin/queues/${q}`, `/_twin/queues/${q}-dlq`])]) await call('GET', url, { key: null });

    const items = await tableItems();
    const secrets = await secretValues(items);
    const logs = twin.output();
    const lines = logs.split('\n');
    const mails = await outbox();
    // The flows happened: tokens were refreshed into sandbox-issued ones, mail was sent, functions logged.
    const labels = [...secrets.values()].join('\n');
    expect(labels).toMatch(/sealed .*brands\/.+accessToken/);
    expect([...secrets.keys()].some((v) => /^x-access-/.test(v))).toBe(true);
    expect([...secrets.keys()].some((v) => /^e30\./.test(v))).toBe(true);
    expect([...secrets.keys()].some((v) => /^instagram-access-/.test(v))).toBe(true);
    expect(lines.filter((l) => /^\[(publish-post|webhook|ingest-comments|publish-reply|build-report)\] /.test(l)).length).toBeGreaterThan(0);
    expect(JSON.parse(mails[0]!.text).emails.length).toBeGreaterThanOrEqual(2);

    const leaks = [
      ...lines.flatMap((line, i) => [...leaksIn(secrets, `log line ${i + 1}`, line), ...credentialsInLine(`log line ${i + 1}`, line)]),
      ...responses.flatMap((r) => leaksIn(secrets, `response to ${r.what} (${r.status})`, r.body, r.shows)),
      ...mails.flatMap((m) => leaksIn(secrets, m.what, m.text)),
      // The table: every item as stored, sealed credentials included (as base64 and as raw bytes).
      ...items.flatMap((item) => leaksIn(secrets, `table item ${String(item.pk)} ${String(item.sk)}`, JSON.stringify(item, (_k, v: unknown) => (v instanceof Uint8Array ? `${Buffer.from(v).toString('base64')} ${Buffer.from(v).toString('latin1')}` : v instanceof Set ? [...v] : v)))),
    ];

    // Each response that shows a key shows it, once; and the check does see a secret where there is one.
    const shown = responses.filter((r) => r.shows);
    expect(shown).toHaveLength(2);
    for (const r of shown) expect(r.body.split(r.shows!).length - 1).toBe(1);
    expect(leaksIn(secrets, 'probe', shown[0]!.body)).toEqual(['brand API key in probe', 'API key (pls_…) in probe']);
    expect(credentialsInLine('probe', JSON.stringify({ headers: { authorization: `Bearer ${brandKey}` } }))).toHaveLength(2);

    console.info(`secrets check: ${secrets.size} secret values, ${lines.length} log lines, ${responses.length} API responses, ${mails.length} mail sources, ${items.length} table items scanned`);
    expect(leaks).toEqual([]);
  });
});
