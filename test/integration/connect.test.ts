import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from '#infra/repo-root.ts';
import { sandboxIdentity } from '#infra/sandbox-platform/oauth.ts';
import { fromHandlerResult, matchRoute, toHttpApiEvent } from '#infra/twin/http-event.ts';
import { closeServer, listenOnLoopback } from '#infra/twin/loopback.ts';
import { Twin } from '#infra/twin/twin.ts';
import { wiring } from '#infra/wiring/wiring.ts';
import { FileSecretStore } from '#shared/adapters/file-secret-store.ts';
import { adminKeySecretName, appSecretName } from '#shared/config/secret-names.ts';
import { ConnectStore } from '#shared/data/connect-store.ts';
import { keys } from '#shared/data/keys.ts';
import type { Account } from '#shared/domain/account.ts';
import type { Platform } from '#shared/domain/primitives.ts';
import { createHttpApi } from '#shared/http/http-api.ts';
import { connectRoutes } from '#shared/http/connect-routes.ts';
import { managementRoutes } from '#shared/http/management-routes.ts';
import { createConnectFlows, pkceChallenge } from '#shared/platforms/oauth.ts';
import { Connect } from '#shared/use-cases/connect.ts';
import { Management } from '#shared/use-cases/management.ts';
import { TokenKeeper } from '#shared/use-cases/tokens.ts';
import { PublishingHarness } from '#test/support/publishing-harness.ts';
import { waitFor } from '#test/support/wait.ts';

/*
 * Connecting accounts end to end, per platform, against the sandbox platform:
 * the start link (what it carries), the sandbox's consent page, the callback
 * (the state's checks, the code exchange with PKCE), the account and its
 * tokens as stored, a post published through the publishing path with them,
 * and the daily refresh picking the account up from its expiry. Everything
 * the API answered and everything logged is kept, and at the end no token
 * the sandbox issued may appear in any of it.
 */

const h = new PublishingHarness();
const PREFIX = 'test/';
const ADMIN = `pls_admin_${randomBytes(18).toString('base64url')}`;
const APPS: Record<string, string> = {
  X_CLIENT_ID: `x-client-${randomBytes(6).toString('hex')}`,
  LINKEDIN_CLIENT_ID: `li-client-${randomBytes(6).toString('hex')}`,
  LINKEDIN_CLIENT_SECRET: `li-secret-${randomBytes(16).toString('hex')}`,
  META_APP_ID: `${Date.now()}`,
  META_APP_SECRET: `meta-secret-${randomBytes(16).toString('hex')}`,
  INSTAGRAM_APP_ID: `${Date.now() + 1}`,
  INSTAGRAM_APP_SECRET: `ig-secret-${randomBytes(16).toString('hex')}`,
  SANDBOX_CLIENT_ID: `sb-client-${randomBytes(6).toString('hex')}`,
  SANDBOX_CLIENT_SECRET: `sb-secret-${randomBytes(16).toString('hex')}`,
};
const HOST = 'api.paylas.test';

let management: Management;
let store: ConnectStore;
let keeper: TokenKeeper;
let api: ReturnType<typeof createHttpApi>;

/** Everything the API answered (bodies and headers) and everything logged while the tests ran. */
const answered: string[] = [];
const logged: string[] = [];
const brandIds: string[] = [];
const nonces: string[] = [];
const restores: (() => void)[] = [];

beforeAll(async () => {
  await h.start();
  await h.secrets.put(adminKeySecretName(PREFIX), ADMIN);
  for (const [name, value] of Object.entries(APPS)) await h.secrets.put(appSecretName(PREFIX, name), value);
  h.sandbox.oauth.apps = { ...APPS };
  store = new ConnectStore(h.local.db, h.local.tableName);
  management = new Management({ repo: h.repo, clock: h.clock, secrets: h.secrets, secretsPrefix: PREFIX, queue: h.publishingDeps.queue });
  const connect = new Connect({
    repo: h.repo,
    store,
    clock: h.clock,
    secrets: h.secrets,
    secretsPrefix: PREFIX,
    brands: management,
    flows: createConnectFlows({ endpointOverride: h.sandbox.url, timeoutMs: 2000, now: () => h.clock.now() }),
  });
  api = createHttpApi(managementRoutes(management, '1', connectRoutes(connect)), {
    authenticate: (key) => management.authenticate(key),
    onError: (error) => logged.push(String((error as Error)?.stack ?? error)),
  });
  keeper = new TokenKeeper({ repo: h.repo, clock: h.clock, secrets: h.secrets, clients: h.clients, mailer: h.mailer });
  // Whatever the code under test prints goes through these.
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[method];
    const spy = vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      original(...args);
    });
    restores.push(() => spy.mockRestore());
  }
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      logged.push(String(chunk));
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restores.push(() => (stream.write = original as typeof stream.write));
  }
});
afterAll(async () => {
  for (const restore of restores.reverse()) restore();
  await h.stop();
});

interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: any;
}

/** A request to the API handler, as API Gateway would deliver it for https://api.paylas.test. */
async function call(method: string, url: string, options: { key?: string | null; body?: unknown; host?: string } = {}): Promise<Answer> {
  const key = options.key === undefined ? ADMIN : options.key;
  const raw = options.body === undefined ? undefined : JSON.stringify(options.body);
  const event = toHttpApiEvent(
    {
      method,
      url,
      headers: { host: options.host ?? HOST, 'x-forwarded-proto': 'https', ...(key && { authorization: `Bearer ${key}` }), ...(raw && { 'content-type': 'application/json' }) },
      body: raw === undefined ? Buffer.alloc(0) : Buffer.from(raw),
      sourceIp: '127.0.0.1',
    },
    matchRoute(wiring.routes, method, url.split('?')[0]!)!,
  );
  const out = fromHandlerResult(await api(event));
  const text = out.body.toString('utf8');
  const headers = Object.fromEntries(Object.entries(out.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
  answered.push(text, JSON.stringify(headers));
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: out.status, headers, text, json };
}

let brandSeq = 0;
async function newBrand(name = `Marka ${++brandSeq}`) {
  const brand = await h.repo.createBrand({ name, timezone: 'Europe/Istanbul', locale: 'tr', reportRecipients: ['owner@brand.test'] });
  brandIds.push(brand.id);
  return brand;
}

/** GET the consent page, then submit its form (Approve or Deny) as the browser would; the platform's redirect back. */
async function consent(authorizeUrl: string, options: { decision?: 'approve' | 'deny'; user?: string; grant?: string[] } = {}) {
  const page = await fetch(authorizeUrl);
  const html = await page.text();
  expect(page.status, html).toBe(200);
  expect(html).toMatch(/<button name="decision" value="approve">Approve<\/button>/);
  expect(html).toMatch(/<button name="decision" value="deny">Deny<\/button>/);
  const url = new URL(authorizeUrl);
  const form = new URLSearchParams([...url.searchParams, ['decision', options.decision ?? 'approve'], ['user', options.user ?? 'paylas'], ...(options.grant ?? []).map((g): [string, string] => ['grant', g])]);
  const res = await fetch(`${url.origin}${url.pathname}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form, redirect: 'manual' });
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get('location')!);
  return { back, path: `${back.pathname}${back.search}` };
}

async function start(platform: string, brandId: string, extra: Record<string, string> = {}, key?: string | null) {
  const res = await call('GET', `/v1/connect/${platform}/start?${new URLSearchParams({ brandId, ...extra })}`, key === undefined ? {} : { key });
  if (res.status === 302) {
    const state = new URL(res.headers.location!).searchParams.get('state')!;
    nonces.push(state.split('.')[0]!);
  }
  return res;
}

/** Start → approve → callback; the callback's answer. */
async function connectFlow(platform: string, brandId: string, options: { user?: string; extra?: Record<string, string>; grant?: string[] } = {}) {
  const started = await start(platform, brandId, options.extra);
  expect(started.status, started.text).toBe(302);
  const { path: back } = await consent(started.headers.location!, { ...(options.user && { user: options.user }), ...(options.grant && { grant: options.grant }) });
  return { started, callback: await call('GET', back, { key: null }), back };
}

let textSeq = 0;
/** Schedules one post to these accounts half a minute ahead and runs it through dispatch and the publish queue. */
async function publish(brandId: string, accounts: Account[]) {
  const text = `Bağlandı ${++textSeq} ${randomBytes(3).toString('hex')}`;
  const post = await h.repo.createPost({
    brandId,
    status: 'scheduled',
    scheduledAt: new Date(h.clock.now().getTime() + 30_000).toISOString(),
    timezone: 'Europe/Istanbul',
    targets: accounts.map((a, i) => ({
      accountId: a.id,
      platform: a.platform,
      text: `${text} ${a.platform} ${i}`,
      status: 'scheduled' as const,
      media: a.platform === 'instagram' ? [{ url: `https://cdn.brand.test/${textSeq}.jpg`, kind: 'image' as const }] : [],
    })),
  });
  await h.dispatcher.dispatchDue();
  await h.drain();
  return (await h.repo.getPost(post.id))!;
}

const stored = async (a: Account) => JSON.parse((await h.secrets.get(a.credentialRef!))!) as Record<string, string>;
const DAY = 86_400_000;

interface PlatformCase {
  platform: Platform;
  /** Where the consent page is, under the sandbox. */
  consentPath: string;
  /** The app credential sent as client_id (Mastodon: the app registered on the instance). */
  clientId?: string;
  pkce: boolean;
  scopes: string[];
  extra?: Record<string, string>;
  accounts: number;
  credentialKeys: string[];
  /** The access token's lifetime as the sandbox grants it (none: no expiry to schedule). */
  expiresInS?: number;
}

const CASES: PlatformCase[] = [
  { platform: 'x', consentPath: '/x/i/oauth2/authorize', clientId: 'X_CLIENT_ID', pkce: true, scopes: ['tweet.write', 'offline.access', 'users.read'], accounts: 1, credentialKeys: ['accessToken', 'clientId', 'expiresAt', 'refreshToken'], expiresInS: 7200 },
  { platform: 'linkedin', consentPath: '/linkedin/oauth/v2/authorization', clientId: 'LINKEDIN_CLIENT_ID', pkce: true, scopes: ['w_organization_social', 'rw_organization_admin'], accounts: 1, credentialKeys: ['accessToken', 'expiresAt'], expiresInS: 5_184_000 },
  { platform: 'facebook', consentPath: '/facebook/dialog/oauth', clientId: 'META_APP_ID', pkce: false, scopes: ['pages_manage_posts', 'pages_show_list'], accounts: 2, credentialKeys: ['accessToken'] },
  { platform: 'instagram', consentPath: '/instagram/oauth/authorize', clientId: 'INSTAGRAM_APP_ID', pkce: true, scopes: ['instagram_business_content_publish', 'instagram_business_basic'], accounts: 1, credentialKeys: ['accessToken', 'expiresAt'], expiresInS: 5_184_000 },
  { platform: 'mastodon', consentPath: '/mastodon/oauth/authorize', pkce: true, scopes: ['read', 'write'], extra: { instance: 'mastodon.example' }, accounts: 1, credentialKeys: ['accessToken', 'instanceUrl'] },
  { platform: 'sandbox', consentPath: '/sandbox/oauth/authorize', clientId: 'SANDBOX_CLIENT_ID', pkce: true, scopes: ['posts:write'], accounts: 1, credentialKeys: ['accessToken'] },
];

describe.each(CASES)('connecting $platform', (c) => {
  it('redirects to the consent page with the app, redirect URI, signed state and PKCE challenge; the callback stores a connected account that publishes', async () => {
    const brand = await newBrand();
    const started = await start(c.platform, brand.id, c.extra);
    expect(started.status, started.text).toBe(302);
    expect(started.text).toBe('');
    const location = new URL(started.headers.location!);
    expect(`${location.origin}${location.pathname}`).toBe(`${h.sandbox.url}${c.consentPath}`);
    const q = location.searchParams;
    if (c.clientId) expect(q.get('client_id')).toBe(APPS[c.clientId]);
    else expect(q.get('client_id')).toMatch(/^[\w-]{10,}$/);
    expect(q.get('redirect_uri')).toBe(`https://${HOST}/v1/connect/${c.platform}/callback`);
    const state = q.get('state')!;
    expect(state).toMatch(/^[\w-]{22}\.\d{10}\.[\w-]{43}$/);
    const item = (await store.getState(state.split('.')[0]!))!;
    expect(item).toMatchObject({ platform: c.platform, brandId: brand.id, redirectUri: q.get('redirect_uri') });
    expect(Date.parse(item.validUntil) - h.clock.now().getTime()).toBe(10 * 60_000);
    // The verifier stays server-side: only its S256 challenge travels.
    expect(location.toString()).not.toContain(item.verifier);
    if (c.pkce) expect({ challenge: q.get('code_challenge'), method: q.get('code_challenge_method') }).toEqual({ challenge: pkceChallenge(item.verifier), method: 'S256' });
    else expect(q.has('code_challenge')).toBe(false);
    const requested = (q.get('scope') ?? '').split(/[ ,]/);
    for (const s of c.scopes) expect(requested).toContain(s);

    const { path: back } = await consent(location.toString(), { user: `kahveci${brandSeq}` });
    expect(back.startsWith(`/v1/connect/${c.platform}/callback?`)).toBe(true);
    const page = await call('GET', back, { key: null });
    expect(page.status, page.text).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(page.text).toContain(`connected</h1>`);
    expect(page.text).toContain(brand.name);

    const accounts = await h.repo.listAccounts(brand.id);
    expect(accounts).toHaveLength(c.accounts);
    for (const a of accounts) {
      expect(a).toMatchObject({ platform: c.platform, status: 'connected', credentialRef: `${PREFIX}brands/${brand.id}/accounts/${a.id}` });
      expect(page.text).toContain(a.id);
      for (const s of c.scopes) expect(a.scopes).toContain(s);
      const credentials = await stored(a);
      expect(Object.keys(credentials).sort()).toEqual([...c.credentialKeys].sort());
      if (c.expiresInS) {
        const expected = new Date(h.clock.now().getTime() + c.expiresInS * 1000).toISOString();
        expect({ account: a.tokenExpiresAt, credentials: credentials.expiresAt }).toEqual({ account: expected, credentials: expected });
      } else expect(a.tokenExpiresAt).toBeUndefined();
      if (c.platform === 'mastodon') expect(credentials.instanceUrl).toBe('https://mastodon.example');
    }
    // The account's table item holds no token.
    const items = (await h.local.db.send(new QueryCommand({ TableName: h.local.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `BRAND#${brand.id}` } }))).Items ?? [];
    for (const a of accounts) for (const [k, value] of Object.entries(await stored(a))) if (/token|jwt/i.test(k)) expect(JSON.stringify(items)).not.toContain(value);

    const post = await publish(brand.id, accounts);
    expect(post.status).toBe('published');
    for (const t of post.targets) {
      expect(t.status).toBe('published');
      expect(h.sandbox.postsOn(c.platform).filter((p) => p.text.replace(/\\/g, '') === t.text)).toHaveLength(1);
    }
  });
});

describe('refresh scheduling from expires_in', () => {
  it('X: the daily run refreshes the two-hour token (rotating the refresh token) and the account keeps publishing', async () => {
    const brand = await newBrand();
    expect((await connectFlow('x', brand.id, { user: 'tazele' })).callback.status).toBe(200);
    const [account] = await h.repo.listAccounts(brand.id);
    const before = await stored(account!);
    const due = await h.repo.listAccountsWithTokensExpiring(new Date(h.clock.now().getTime() + 7 * DAY));
    expect(due.map((a) => a.id)).toContain(account!.id);
    // A day later the access token has long expired on the platform.
    h.clock.advance(DAY);
    await keeper.refreshExpiring();
    const after = (await h.repo.getAccount(brand.id, account!.id))!;
    const fresh = await stored(after);
    expect(fresh.accessToken).not.toBe(before.accessToken);
    expect(fresh.refreshToken).not.toBe(before.refreshToken);
    expect(after).toMatchObject({ status: 'connected', tokenExpiresAt: new Date(h.clock.now().getTime() + 7200_000).toISOString() });
    expect((await publish(brand.id, [after])).status).toBe('published');
  });

  it('Instagram: the 60-day token is renewed by the daily run in its last week', async () => {
    const brand = await newBrand();
    expect((await connectFlow('instagram', brand.id, { user: 'yenile' })).callback.status).toBe(200);
    const [account] = await h.repo.listAccounts(brand.id);
    const firstExpiry = Date.parse(account!.tokenExpiresAt!);
    const before = await stored(account!);
    h.clock.advance(50 * DAY);
    await keeper.refreshExpiring();
    expect((await h.repo.getAccount(brand.id, account!.id))!.tokenExpiresAt).toBe(account!.tokenExpiresAt);
    h.clock.advance(5 * DAY);
    await keeper.refreshExpiring();
    const after = (await h.repo.getAccount(brand.id, account!.id))!;
    expect(Date.parse(after.tokenExpiresAt!)).toBe(h.clock.now().getTime() + 5_184_000_000);
    expect(Date.parse(after.tokenExpiresAt!)).toBeGreaterThan(firstExpiry);
    expect((await stored(after)).accessToken).not.toBe(before.accessToken);
    expect((await publish(brand.id, [after])).status).toBe('published');
  });

  it('LinkedIn: the 60-day expiry is scheduled; without a refresh token it stays for the person to reconnect', async () => {
    const brand = await newBrand();
    expect((await connectFlow('linkedin', brand.id, { user: 'uzun' })).callback.status).toBe(200);
    const [account] = await h.repo.listAccounts(brand.id);
    expect(account!.tokenExpiresAt).toBe(new Date(h.clock.now().getTime() + 60 * DAY).toISOString());
    h.clock.advance(55 * DAY);
    expect((await h.repo.listAccountsWithTokensExpiring(new Date(h.clock.now().getTime() + 7 * DAY))).map((a) => a.id)).toContain(account!.id);
    await keeper.refreshExpiring();
    expect(await h.repo.getAccount(brand.id, account!.id)).toMatchObject({ status: 'connected', tokenExpiresAt: account!.tokenExpiresAt });
  });
});

describe('the state', () => {
  it('works once: a replayed callback is refused with 400 and changes nothing', async () => {
    const brand = await newBrand();
    const { callback, back } = await connectFlow('sandbox', brand.id, { user: 'bir-kez' });
    expect(callback.status).toBe(200);
    const before = await h.repo.listAccounts(brand.id);
    const replay = await call('GET', back, { key: null });
    expect(replay.status).toBe(400);
    expect(replay.text).toContain('already used');
    expect(await h.repo.listAccounts(brand.id)).toEqual(before);
  });

  it('expires after ten minutes', async () => {
    const brand = await newBrand();
    const started = await start('sandbox', brand.id);
    h.clock.advance(10 * 60_000 + 1000);
    const { path: back } = await consent(started.headers.location!, { user: 'gec-kalan' });
    const late = await call('GET', back, { key: null });
    expect(late.status).toBe(400);
    expect(late.text).toContain('expired');
    expect(await h.repo.listAccounts(brand.id)).toHaveLength(0);
  });

  it('refuses an altered, forged or foreign state, without spending the genuine one', async () => {
    const brand = await newBrand();
    const started = await start('sandbox', brand.id);
    const { back } = await consent(started.headers.location!, { user: 'degismez' });
    const state = back.searchParams.get('state')!;
    const code = back.searchParams.get('code')!;
    const [nonce, exp, mac] = state.split('.') as [string, string, string];
    const with_ = (s: string, platform = 'sandbox') => call('GET', `/v1/connect/${platform}/callback?${new URLSearchParams({ code, state: s })}`, { key: null });
    const flip = (s: string) => `${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`;
    const cases: [string, string, RegExp][] = [
      [`${nonce}.${exp}.${flip(mac)}`, 'sandbox', /signature/],
      [`${nonce}.${Number(exp) + 600}.${mac}`, 'sandbox', /signature/],
      [`${flip(nonce)}.${exp}.${mac}`, 'sandbox', /unknown/],
      ['not-a-state', 'sandbox', /malformed/],
      [state, 'x', /made for Sandbox, not X/],
    ];
    for (const [s, platform, why] of cases) {
      const res = await with_(s, platform);
      expect(res.status, s).toBe(400);
      expect(res.text).toMatch(why);
    }
    const missing = await call('GET', `/v1/connect/sandbox/callback?code=${code}`, { key: null });
    expect(missing.status).toBe(400);
    for (const platform of ['tiktok', 'toString', '__proto__', 'constructor']) {
      const odd = await call('GET', `/v1/connect/${platform}/callback?${new URLSearchParams({ code, state })}`, { key: null });
      expect(odd.status, platform).toBe(400);
      expect(odd.text).toMatch(/<h1 class="no">the platform not connected<\/h1><p>[^<]*not a platform Paylaş publishes to/);
    }
    expect((await with_(state)).status).toBe(200);
  });

  it('binds the PKCE verifier: a code from another consent (code injection) is refused by X, and the page says why', async () => {
    const brand = await newBrand();
    const a = await start('x', brand.id);
    const b = await start('x', brand.id);
    const fromA = await consent(a.headers.location!, { user: 'saldirgan' });
    const fromB = await consent(b.headers.location!, { user: 'saldirgan' });
    const injected = await call('GET', `/v1/connect/x/callback?${new URLSearchParams({ state: fromA.back.searchParams.get('state')!, code: fromB.back.searchParams.get('code')! })}`, { key: null });
    expect(injected.status).toBe(400);
    expect(injected.headers['content-type']).toMatch(/^text\/html/);
    expect(injected.text).toContain('X refused the authorization code: invalid_request: Value passed for the token was invalid.');
    expect(await h.repo.listAccounts(brand.id)).toHaveLength(0);
  });

  it('answers a denial with a 400 page saying access was denied, and spends the state', async () => {
    const brand = await newBrand();
    for (const platform of ['x', 'linkedin', 'facebook']) {
      const started = await start(platform, brand.id);
      const { back, path: backPath } = await consent(started.headers.location!, { decision: 'deny' });
      expect(back.searchParams.has('code')).toBe(false);
      const page = await call('GET', backPath, { key: null });
      expect(page.status).toBe(400);
      expect(page.text).toMatch(/access was denied on (X|LinkedIn|Facebook), so nothing was connected/);
      const again = await call('GET', `/v1/connect/${platform}/callback?${new URLSearchParams({ state: back.searchParams.get('state')!, code: 'any' })}`, { key: null });
      expect(again.text).toContain('already used');
    }
    expect(await h.repo.listAccounts(brand.id)).toHaveLength(0);
  });
});

describe('who may start, and what', () => {
  it("answers 404 for another brand's key, 401 without a key, and redirects for the brand's own key", async () => {
    const mine = await newBrand();
    const theirs = await newBrand();
    const { key } = await management.createBrandKey({ kind: 'admin' }, mine.id, {});
    const foreign = await start('sandbox', theirs.id, {}, key);
    expect(foreign.status).toBe(404);
    expect(foreign.json.error.code).toBe('not_found');
    expect((await start('sandbox', theirs.id, {}, null)).status).toBe(401);
    expect((await start('sandbox', mine.id, {}, key)).status).toBe(302);
    const json = await start('sandbox', mine.id, { redirect: 'false' }, key);
    expect(json.status).toBe(200);
    expect(json.json).toMatchObject({ platform: 'sandbox', authorizeUrl: expect.stringContaining('/sandbox/oauth/authorize?'), redirectUri: `https://${HOST}/v1/connect/sandbox/callback` });
  });

  it('names a missing app credential', async () => {
    const bare = new FileSecretStore(mkdtempSync(path.join(tmpdir(), 'paylas-bare-')));
    await bare.put(adminKeySecretName('bare/'), ADMIN);
    const m = new Management({ repo: h.repo, clock: h.clock, secrets: bare, secretsPrefix: 'bare/', queue: h.publishingDeps.queue });
    const c = new Connect({ repo: h.repo, store, clock: h.clock, secrets: bare, secretsPrefix: 'bare/', brands: m, flows: createConnectFlows({ endpointOverride: h.sandbox.url, timeoutMs: 2000 }) });
    const bareApi = createHttpApi(connectRoutes(c), { authenticate: (k) => m.authenticate(k) });
    const brand = await newBrand();
    for (const [platform, name] of [['linkedin', 'LINKEDIN_CLIENT_ID'], ['x', 'X_CLIENT_ID'], ['instagram', 'INSTAGRAM_APP_ID'], ['facebook', 'META_APP_ID']] as const) {
      const url = `/v1/connect/${platform}/start?brandId=${brand.id}`;
      const out = fromHandlerResult(await bareApi(toHttpApiEvent({ method: 'GET', url, headers: { host: HOST, authorization: `Bearer ${ADMIN}` }, body: Buffer.alloc(0), sourceIp: '127.0.0.1' }, matchRoute(wiring.routes, 'GET', url.split('?')[0]!)!)));
      const body = JSON.parse(out.body.toString());
      expect(out.status).toBe(503);
      expect(body.error).toMatchObject({ code: 'not_configured', details: { missing: name } });
      expect(body.error.message).toContain(`${name}: store it as the secret bare/app/${name}`);
    }
    await bare.put(appSecretName('bare/', 'LINKEDIN_CLIENT_ID'), 'li-id');
    const url = `/v1/connect/linkedin/start?brandId=${brand.id}`;
    const out = fromHandlerResult(await bareApi(toHttpApiEvent({ method: 'GET', url, headers: { host: HOST, authorization: `Bearer ${ADMIN}` }, body: Buffer.alloc(0), sourceIp: '127.0.0.1' }, matchRoute(wiring.routes, 'GET', url.split('?')[0]!)!)));
    expect(JSON.parse(out.body.toString()).error.message).toContain('LINKEDIN_CLIENT_SECRET');
  });

  it('registers Paylaş once per Mastodon instance and redirect URI, keeping the app in the secret store', async () => {
    const brand = await newBrand();
    const clientId = (res: Answer) => new URL(res.headers.location!).searchParams.get('client_id');
    const first = await start('mastodon', brand.id, { instance: 'https://toot.example/' });
    const second = await start('mastodon', brand.id, { instance: 'toot.example' });
    expect(clientId(second)).toBe(clientId(first));
    const cached = JSON.parse((await h.secrets.get(appSecretName(PREFIX, 'mastodon-apps/toot.example')))!);
    expect(cached).toMatchObject({ clientId: clientId(first), redirectUri: `https://${HOST}/v1/connect/mastodon/callback` });
    expect(first.text + JSON.stringify(first.headers)).not.toContain(cached.clientSecret);
    // The API answering under another name is another redirect URI: registered anew.
    const moved = await call('GET', `/v1/connect/mastodon/start?brandId=${brand.id}&instance=toot.example`, { host: 'yeni.paylas.test' });
    expect(moved.status).toBe(302);
    expect(clientId(moved)).not.toBe(clientId(first));
  });

  it('refuses TikTok, Bluesky as a redirect, Mastodon without an instance and a page choice where there are no pages', async () => {
    const brand = await newBrand();
    const tiktok = await start('tiktok', brand.id);
    expect(tiktok.status).toBe(400);
    expect(tiktok.json.error.details[0]).toMatchObject({ path: 'platform', message: expect.stringContaining('not a platform Paylaş publishes to') });
    expect((await start('bluesky', brand.id)).json.error.details[0].message).toContain('POST /v1/connect/bluesky');
    expect((await start('mastodon', brand.id)).json.error.details[0].path).toBe('instance');
    expect((await start('mastodon', brand.id, { instance: 'http://127.0.0.1:1' })).status).toBe(400);
    expect((await start('x', brand.id, { pageId: '123' })).json.error.details[0].path).toBe('pageId');
  });
});

describe('accounts', () => {
  it('updates the same account on reconnecting (brand + platform + platform id), back to connected with new tokens', async () => {
    const brand = await newBrand();
    expect((await connectFlow('x', brand.id, { user: 'tekrar' })).callback.status).toBe(200);
    const [first] = await h.repo.listAccounts(brand.id);
    const firstTokens = await stored(first!);
    await h.repo.saveAccount({ ...first!, status: 'reauth_required' }, first!.version);
    const again = await connectFlow('x', brand.id, { user: 'tekrar' });
    expect(again.callback.text).toContain('reconnected');
    const accounts = await h.repo.listAccounts(brand.id);
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatchObject({ id: first!.id, status: 'connected' });
    expect((await stored(accounts[0]!)).accessToken).not.toBe(firstTokens.accessToken);
  });

  it('refuses an account already connected to another brand', async () => {
    const a = await newBrand();
    const b = await newBrand();
    expect((await connectFlow('sandbox', a.id, { user: 'paylasilan' })).callback.status).toBe(200);
    const other = await connectFlow('sandbox', b.id, { user: 'paylasilan' });
    expect(other.callback.status).toBe(400);
    expect(other.callback.text).toContain('already connected to another brand');
    expect(await h.repo.listAccounts(b.id)).toHaveLength(0);

    // Two Pages granted, one of them another brand's: nothing is connected, and the page says how to pick the other.
    const [, second] = sandboxIdentity('iki-sayfa').facebookPages;
    expect((await connectFlow('facebook', a.id, { user: 'iki-sayfa', extra: { pageId: second!.id } })).callback.status).toBe(200);
    const both = await connectFlow('facebook', b.id, { user: 'iki-sayfa' });
    expect(both.callback.status).toBe(400);
    expect(both.callback.text).toContain(`${second!.name} is already connected to another brand; remove it there first (or choose the others with pageId)`);
    expect(await h.repo.listAccounts(b.id)).toHaveLength(0);
  });

  it('connects only the chosen Facebook Page with pageId, and refuses a Page that was not shared', async () => {
    const brand = await newBrand();
    const refused = await connectFlow('facebook', brand.id, { user: 'secici', extra: { pageId: '1' } });
    expect(refused.callback.status).toBe(400);
    expect(refused.callback.text).toContain('Page 1 was not shared with Paylaş');
    expect(await h.repo.listAccounts(brand.id)).toHaveLength(0);
    const second = sandboxIdentity('secici').facebookPages[1]!;
    const chosen = await connectFlow('facebook', brand.id, { user: 'secici', extra: { pageId: second.id } });
    expect(chosen.callback.status).toBe(200);
    expect((await h.repo.listAccounts(brand.id)).map((a) => [a.platformAccountId, a.handle])).toEqual([[second.id, second.name]]);
    expect((await start('facebook', brand.id, { pageId: 'abc' })).status).toBe(400);
  });

  it('refuses a grant without a scope Paylaş needs, naming it', async () => {
    const brand = await newBrand();
    const flow = await connectFlow('x', brand.id, { user: 'eksik', grant: ['tweet.read', 'tweet.write', 'users.read'] });
    expect(flow.callback.status).toBe(400);
    expect(flow.callback.text).toContain('X did not grant offline.access');
    expect(await h.repo.listAccounts(brand.id)).toHaveLength(0);
  });

  it('escapes what the platform says in the page', async () => {
    const brand = await newBrand();
    const flow = await connectFlow('sandbox', brand.id, { user: '<img src=x onerror=alert(1)>' });
    expect(flow.callback.status).toBe(200);
    expect(flow.callback.text).not.toContain('<img');
    expect(flow.callback.text).toContain('&#60;img src=x onerror=alert(1)&#62;');
  });
});

describe('Bluesky with an app password', () => {
  it('signs in, stores the session (not the password) in the shape the client reads, publishes, refreshes, and refuses a wrong password', async () => {
    const brand = await newBrand();
    const appPassword = 'abcd-efgh-ijkl-mnop';
    const res = await call('POST', '/v1/connect/bluesky', { body: { brandId: brand.id, identifier: 'kahve.bsky.social', appPassword } });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ outcome: 'created', account: { platform: 'bluesky', handle: 'kahve.bsky.social', status: 'connected', hasCredentials: true } });
    expect(res.text).not.toContain(appPassword);
    const [account] = await h.repo.listAccounts(brand.id);
    expect(account!.platformAccountId).toMatch(/^did:plc:/);
    expect(account!.scopes).toEqual(['com.atproto.appPass']);
    const credentials = await stored(account!);
    expect(Object.keys(credentials).sort()).toEqual(['accessJwt', 'did', 'expiresAt', 'handle', 'pdsUrl', 'refreshJwt']);
    expect(credentials).toMatchObject({ did: account!.platformAccountId, pdsUrl: 'https://pds.sandbox.example', expiresAt: new Date(h.clock.now().getTime() + 7200_000).toISOString() });
    expect(JSON.stringify(credentials)).not.toContain(appPassword);
    expect(account!.tokenExpiresAt).toBe(credentials.expiresAt);
    expect((await publish(brand.id, [account!])).status).toBe('published');

    h.clock.advance(DAY);
    await keeper.refreshExpiring();
    const after = (await h.repo.getAccount(brand.id, account!.id))!;
    expect((await stored(after)).accessJwt).not.toBe(credentials.accessJwt);
    expect(after.tokenExpiresAt).toBe(new Date(h.clock.now().getTime() + 7200_000).toISOString());
    expect((await publish(brand.id, [after])).status).toBe('published');

    const wrong = await call('POST', '/v1/connect/bluesky', { body: { brandId: brand.id, identifier: 'kahve.bsky.social', appPassword: 'zzzz-zzzz-zzzz-zzzz' } });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error).toMatchObject({ code: 'connect_refused', message: 'Bluesky refused the sign-in: AuthenticationRequired: Invalid identifier or password' });
    const mainPassword = await call('POST', '/v1/connect/bluesky', { body: { brandId: brand.id, identifier: 'kahve.bsky.social', appPassword: 'my account password' } });
    expect(mainPassword.status).toBe(400);
    expect(mainPassword.json.error.details[0].path).toBe('appPassword');
    expect(mainPassword.text).not.toContain('my account password');
  });
});

describe('the CLI', () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    // The same API handler behind a loopback HTTP server, as the twin's HTTP front would serve it.
    server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const match = matchRoute(wiring.routes, req.method ?? 'GET', (req.url ?? '/').split('?')[0]!);
      if (!match) return void res.writeHead(404).end();
      const out = fromHandlerResult(await api(toHttpApiEvent({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks), sourceIp: '127.0.0.1' }, match)));
      const text = out.body.toString('utf8');
      answered.push(text, JSON.stringify(out.headers));
      res.writeHead(out.status, out.headers);
      res.end(out.body);
    });
    url = await listenOnLoopback(server, 0);
  });
  afterAll(() => closeServer(server));

  const cli = (args: string[]) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/paylas.js'), '--url', url, '--key', ADMIN, ...args], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', PAYLAS_HOME: tmpdir() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { output: () => out, exited };
  };

  it('`account connect` prints the link and waits until the account appears; `account list` shows each state and the scopes', async () => {
    const brand = await newBrand();
    const run = cli(['account', 'connect', 'sandbox', '--brand', brand.id, '--timeout', '120']);
    const link = await waitFor(() => /https?:\/\/\S+\/sandbox\/oauth\/authorize\?\S+/.exec(run.output())?.[0], 'the CLI to print the consent link', 60_000);
    expect(new URL(link).searchParams.get('redirect_uri')).toBe(`${url}/v1/connect/sandbox/callback`);
    const { back } = await consent(link, { user: 'komut-satiri' });
    expect(back.origin).toBe(url);
    const landed = await fetch(back);
    expect(landed.status).toBe(200);
    expect(await run.exited).toBe(0);
    expect(run.output()).toMatch(/connected sandbox account @komut-satiri as \S+/);

    // A LinkedIn token Paylaş cannot renew, five and a half days from expiry (by the wall clock the CLI reads).
    expect((await connectFlow('linkedin', brand.id, { user: 'liste' })).callback.status).toBe(200);
    const li = (await h.repo.listAccounts(brand.id)).find((a) => a.platform === 'linkedin')!;
    await h.repo.saveAccount({ ...li, tokenExpiresAt: new Date(Date.now() + 5.5 * DAY).toISOString() }, li.version);
    const x = await h.repo.createAccount({ brandId: brand.id, platform: 'x', handle: '@yeniden', platformAccountId: `x-${brand.id}` });
    await h.repo.saveAccount({ ...x, status: 'reauth_required' }, x.version);
    const list = cli(['account', 'list', '--brand', brand.id]);
    expect(await list.exited).toBe(0);
    const rows = list.output().split('\n');
    expect(rows.find((r) => r.includes('@komut-satiri'))).toMatch(/\bok\b.*posts:read, posts:write/);
    expect(rows.find((r) => r.includes('linkedin'))).toMatch(/expiring in 5 days.*w_organization_social/);
    expect(rows.find((r) => r.includes('@yeniden'))).toMatch(/reauth_required/);
  }, 120_000);
});

describe('secrets', () => {
  it('no token the sandbox issued, no app secret, appears in any API answer, page, redirect, log line or table item', async () => {
    const issued = h.sandbox.oauth.issuedTokens;
    expect(issued.length).toBeGreaterThan(20);
    const secrets = [...issued, APPS.LINKEDIN_CLIENT_SECRET!, APPS.META_APP_SECRET!, APPS.INSTAGRAM_APP_SECRET!, APPS.SANDBOX_CLIENT_SECRET!, ADMIN];
    const items: unknown[] = [];
    for (const brandId of brandIds) {
      items.push(...((await h.local.db.send(new QueryCommand({ TableName: h.local.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `BRAND#${brandId}` } }))).Items ?? []));
    }
    for (const nonce of nonces) items.push((await h.local.db.send(new QueryCommand({ TableName: h.local.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.connectState(nonce).pk } }))).Items);
    expect(items.length).toBeGreaterThan(brandIds.length);
    const haystacks: [string, string][] = [
      ['API answers', answered.join('\n')],
      ['logs', logged.join('\n')],
      ['table items', JSON.stringify(items)],
    ];
    for (const secret of secrets) {
      for (const spelling of new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])) {
        for (const [where, text] of haystacks) expect(text.includes(spelling), `${secret.slice(0, 12)}… in ${where}`).toBe(false);
      }
    }
  });
});

describe('in the local twin', () => {
  const home = mkdtempSync(path.join(tmpdir(), 'paylas-connect-twin-'));
  let twin: Twin;
  beforeAll(async () => {
    twin = await Twin.start({ wiring, home, port: 0, sesPort: 0, dynamoPort: 0, awsPort: 0, sandboxPort: 0, concurrency: 1, env: {} });
  }, 120_000);
  afterAll(async () => {
    await twin?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('works out of the box: generated app credentials, the consent on the sandbox, the callback over HTTP, a connected account', async () => {
    const admin = { authorization: `Bearer ${twin.adminKey}`, 'content-type': 'application/json' };
    const brand = (await (await fetch(`${twin.urls.api}/v1/brands`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'İkiz', timezone: 'Europe/Istanbul', locale: 'tr', reportRecipients: ['a@b.test'] }) })).json()) as { id: string };
    for (const [platform, extra] of [['sandbox', {}], ['mastodon', { instance: 'mastodon.social' }], ['x', {}]] as const) {
      const started = await fetch(`${twin.urls.api}/v1/connect/${platform}/start?${new URLSearchParams({ brandId: brand.id, ...extra })}`, { headers: admin, redirect: 'manual' });
      expect(started.status).toBe(302);
      const location = started.headers.get('location')!;
      expect(location.startsWith(`${twin.urls.sandbox}/${platform}/`)).toBe(true);
      expect(new URL(location).searchParams.get('redirect_uri')).toBe(`${twin.urls.api}/v1/connect/${platform}/callback`);
      const { back } = await consent(location, { user: `ikiz-${platform}` });
      const page = await fetch(back);
      const html = await page.text();
      expect(page.status, html).toBe(200);
      expect(html).toContain(`@ikiz-${platform}`);
    }
    const accounts = (await (await fetch(`${twin.urls.api}/v1/brands/${brand.id}/accounts`, { headers: admin })).json()) as { items: { platform: string; status: string; scopes: string[] }[] };
    expect(accounts.items.map((a) => [a.platform, a.status]).sort()).toEqual([['mastodon', 'connected'], ['sandbox', 'connected'], ['x', 'connected']]);
  }, 120_000);
});
