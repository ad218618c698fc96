import { createHash } from 'node:crypto';
import * as z from 'zod';
import { ENV } from '../config/env.ts';
import type { Clock } from '../domain/clock.ts';
import { DomainError } from '../domain/errors.ts';
import { PLATFORM_NAMES, type Platform } from '../domain/primitives.ts';
import { platformFetch, type PlatformResponse } from './http.ts';
import { PublishError } from './platform-client.ts';

/**
 * Connecting accounts: each platform's consent and token exchange, per its
 * documented OAuth contract (see the platform reference, "Tokens"), ending in
 * credentials of exactly the shape its publishing client reads. Base URLs are
 * the real ones unless `endpointOverride` points every platform at one server
 * (`<override>/<platform>`, the sandbox platform in the local twin), as for
 * the publishing clients.
 *
 * - X: OAuth 2.0 authorization code + PKCE (S256), `offline.access` for a
 *   refresh token; a public client (client id only), the way the publishing
 *   client refreshes.
 * - LinkedIn: 3-legged OAuth + PKCE; one account per organization page the
 *   member administers.
 * - Facebook: Facebook Login for Pages: code → short-lived user token →
 *   long-lived → `/me/accounts` Page tokens (which do not expire); one account
 *   per Page shared.
 * - Instagram: Instagram Login + PKCE: code → short-lived → long-lived (60 days,
 *   refreshed by the daily job).
 * - Mastodon: an app registered per instance (`POST /api/v1/apps`), then the
 *   authorization code flow + PKCE; tokens do not expire.
 * - Bluesky: no redirect: `com.atproto.server.createSession` with an app password.
 * - The sandbox platform: plain OAuth 2.0 + PKCE.
 */

/** The platform said no (a refused code, a denied permission, a bad app password): the person can act on it. */
export class ConnectRefusedError extends DomainError {
  readonly code = 'connect_refused';
}

/** The platform could not be reached, or answered with a server error: try again later. */
export class PlatformUnavailableError extends DomainError {
  readonly code = 'platform_unavailable';
}

/** The install lacks an app credential a platform needs; the message names it. */
export class NotConfiguredError extends DomainError {
  readonly code = 'not_configured';
}

/** App credentials per platform, as named in the secret store (`<prefix>app/<NAME>`). */
export const APP_CREDENTIALS = {
  x: { clientId: 'X_CLIENT_ID' },
  linkedin: { clientId: 'LINKEDIN_CLIENT_ID', clientSecret: 'LINKEDIN_CLIENT_SECRET' },
  facebook: { clientId: 'META_APP_ID', clientSecret: 'META_APP_SECRET' },
  instagram: { clientId: 'INSTAGRAM_APP_ID', clientSecret: 'INSTAGRAM_APP_SECRET' },
  sandbox: { clientId: 'SANDBOX_CLIENT_ID', clientSecret: 'SANDBOX_CLIENT_SECRET' },
} as const satisfies Partial<Record<Platform, { clientId: string; clientSecret?: string }>>;

export type RedirectPlatform = keyof typeof APP_CREDENTIALS | 'mastodon';
export const REDIRECT_PLATFORMS: readonly RedirectPlatform[] = ['x', 'linkedin', 'facebook', 'instagram', 'mastodon', 'sandbox'];
export const isRedirectPlatform = (p: Platform): p is RedirectPlatform => (REDIRECT_PLATFORMS as readonly string[]).includes(p);

export interface OAuthApp {
  clientId: string;
  clientSecret?: string;
}

/** One account the person granted, ready to store. */
export interface ConnectedAccount {
  platformAccountId: string;
  handle: string;
  /** What the platform's publishing client reads from the secret store. */
  credentials: Record<string, string>;
  /** When the access token expires, if it does (the daily refresh reads accounts by it). */
  expiresAt?: string;
  scopes: string[];
}

export interface AuthorizeRequest {
  app: OAuthApp;
  redirectUri: string;
  state: string;
  /** PKCE S256 challenge (sent where the platform takes one). */
  challenge: string;
  instanceUrl?: string;
}

export interface ExchangeRequest {
  app: OAuthApp;
  redirectUri: string;
  code: string;
  verifier: string;
  instanceUrl?: string;
  /** Facebook Page id or LinkedIn organization id: connect only that one. */
  pageId?: string;
}

export interface RedirectFlow {
  platform: RedirectPlatform;
  /** Whether the consent link carries a PKCE challenge. */
  pkce: boolean;
  scopes: readonly string[];
  authorizeUrl(req: AuthorizeRequest): string;
  exchange(req: ExchangeRequest): Promise<ConnectedAccount[]>;
}

export interface ConnectFlows {
  redirect: Record<RedirectPlatform, RedirectFlow>;
  /** Mastodon: registers Paylaş as an app on the instance, for this redirect URI. */
  registerMastodonApp(instanceUrl: string, redirectUri: string): Promise<OAuthApp>;
  /** Bluesky: signs in with an app password. */
  blueskySession(req: { service: string; identifier: string; appPassword: string }): Promise<ConnectedAccount>;
}

export interface ConnectFlowOptions {
  endpointOverride?: string;
  /** Per platform call; the whole callback runs inside the API function's timeout. */
  timeoutMs?: number;
  now?: () => Date;
}

/** The LinkedIn API version the publishing client speaks too. */
const LINKEDIN_VERSION = '202608';
const GRAPH_VERSION = 'v25.0';
/** Pages of `/me/accounts` or organizations read at most (100 a page). */
const MAX_PAGES = 10;
const MAX_ORGANIZATIONS = 50;

export const SCOPES: Record<RedirectPlatform, readonly string[]> = {
  x: ['tweet.read', 'tweet.write', 'users.read', 'media.write', 'offline.access'],
  linkedin: ['r_organization_social', 'w_organization_social', 'rw_organization_admin'],
  facebook: ['pages_show_list', 'pages_manage_posts', 'pages_read_engagement', 'pages_manage_engagement', 'pages_read_user_content', 'read_insights'],
  instagram: ['instagram_business_basic', 'instagram_business_content_publish', 'instagram_business_manage_comments', 'instagram_business_manage_insights'],
  mastodon: ['read', 'write'],
  sandbox: ['posts:read', 'posts:write'],
};

/** Without these Paylaş cannot publish (or keep the account connected): a grant lacking one is refused. */
const REQUIRED: Record<RedirectPlatform, readonly (readonly string[])[]> = {
  x: [['tweet.write'], ['offline.access']],
  linkedin: [['w_organization_social']],
  facebook: [['pages_manage_posts']],
  instagram: [['instagram_business_content_publish']],
  mastodon: [['write', 'write:statuses']],
  sandbox: [['posts:write']],
};

const secondsFrom = (now: Date, seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();
const splitScopes = (s: string | undefined | null) => (s ?? '').split(/[\s,]+/).filter(Boolean);

/** The PKCE S256 challenge of a verifier. */
export const pkceChallenge = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** The `exp` and `scope` claims of a JWT, unverified: only to know when to refresh and what was granted. */
function jwtClaims(jwt: string): { exp?: number; scope?: string } {
  try {
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as unknown;
    const parsed = z.object({ exp: z.number().optional(), scope: z.string().optional() }).safeParse(claims);
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** Which issues a schema found, by path only: a response body may hold tokens, so no value is ever quoted. */
const shapeIssues = (error: z.ZodError) =>
  error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(body)'}: ${i.code}`)
    .join('; ');

/** A short, single-line reason from a platform's error body (OAuth, Graph, Instagram, XRPC or Mastodon shape). */
function platformReason(res: PlatformResponse): string {
  const j = (res.json ?? {}) as Record<string, any>;
  const graph = j.error && typeof j.error === 'object' ? (j.error as Record<string, unknown>) : undefined;
  const parts = graph
    ? [graph.message, graph.code !== undefined ? `(code ${String(graph.code)}${graph.error_subcode ? `/${String(graph.error_subcode)}` : ''})` : undefined]
    : [j.error, j.error_description ?? j.error_message ?? j.message ?? j.detail ?? j.title];
  const text = parts.filter((p) => typeof p === 'string' || typeof p === 'number').map(String).join(': ').replace(/\s+/g, ' ').trim();
  return (text || `HTTP ${res.status}`).slice(0, 300);
}

/**
 * Turns the given scopes into a refusal when one Paylaş needs is missing
 * (platforms that report no scopes are taken at their word).
 */
function requireScopes(platform: RedirectPlatform, granted: readonly string[]): void {
  if (granted.length === 0) return;
  const missing = REQUIRED[platform].filter((anyOf) => !anyOf.some((s) => granted.includes(s)));
  if (missing.length > 0) {
    throw new ConnectRefusedError(
      `${PLATFORM_NAMES[platform]} did not grant ${missing.map((m) => m[0]).join(', ')}, which Paylaş needs to publish and stay connected; connect again and allow ${missing.length === 1 ? 'it' : 'them'}`,
    );
  }
}

/** The connect flows as the functions use them: every platform at the sandbox when the twin sets the endpoint. */
export function connectFlowsFromEnv(clock: Clock, env: Record<string, string | undefined> = process.env): ConnectFlows {
  const endpointOverride = env[ENV.platformEndpoint];
  return createConnectFlows({ ...(endpointOverride && { endpointOverride }), timeoutMs: 4_000, now: () => clock.now() });
}

export function createConnectFlows(options: ConnectFlowOptions = {}): ConnectFlows {
  const timeoutMs = options.timeoutMs ?? 4_000;
  const now = options.now ?? (() => new Date());
  const base = (platform: Platform, real: string) => (options.endpointOverride ? `${options.endpointOverride.replace(/\/$/, '')}/${platform}` : real.replace(/\/$/, ''));

  /** A platform call; failing to reach it (or a 5xx / 429) is a PlatformUnavailableError naming the platform. */
  const call = async (platform: Platform, url: string, init: RequestInit): Promise<PlatformResponse> => {
    let res: PlatformResponse;
    try {
      res = await platformFetch(url, { ...init, headers: { accept: 'application/json', ...(init.headers as Record<string, string>) } }, timeoutMs);
    } catch (e) {
      if (e instanceof PublishError) throw new PlatformUnavailableError(`${PLATFORM_NAMES[platform]} could not be reached: ${e.message}`);
      throw e;
    }
    if (res.status >= 500 || res.status === 429) throw new PlatformUnavailableError(`${PLATFORM_NAMES[platform]} answered ${res.status} (${platformReason(res)}); try again in a few minutes`);
    return res;
  };
  const form = (params: Record<string, string | undefined>) => {
    const out = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) out.set(k, v);
    return out;
  };
  const postForm = (platform: Platform, url: string, params: Record<string, string | undefined>, headers: Record<string, string> = {}) =>
    call(platform, url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: form(params).toString() });
  const getJson = (platform: Platform, url: string, token?: string, headers: Record<string, string> = {}) =>
    call(platform, url, { method: 'GET', headers: { ...(token && { authorization: `Bearer ${token}` }), ...headers } });

  /** A 200 answer read with its schema; anything else is the platform's refusal, in its words. */
  function read<S extends z.ZodType>(platform: Platform, what: string, res: PlatformResponse, schema: S): z.output<S> {
    if (res.status !== 200 && res.status !== 201) throw new ConnectRefusedError(`${PLATFORM_NAMES[platform]} refused ${what}: ${platformReason(res)}`);
    const parsed = schema.safeParse(res.json);
    if (!parsed.success) throw new PlatformUnavailableError(`${PLATFORM_NAMES[platform]} answered ${what} in an unexpected shape (${shapeIssues(parsed.error)})`);
    return parsed.data;
  }

  const authorizeUrl = (root: string, params: Record<string, string | undefined>) => `${root}?${form(params).toString()}`;
  const pkceParams = (req: AuthorizeRequest) => ({ code_challenge: req.challenge, code_challenge_method: 'S256' });

  const OAuthToken = z.object({
    access_token: z.string().min(1).max(8192),
    token_type: z.string().optional(),
    expires_in: z.coerce.number().positive().optional(),
    refresh_token: z.string().min(1).max(8192).optional(),
    refresh_token_expires_in: z.coerce.number().positive().optional(),
    scope: z.string().max(4096).optional(),
  });

  // ---- X ----------------------------------------------------------------
  const x: RedirectFlow = {
    platform: 'x',
    pkce: true,
    scopes: SCOPES.x,
    authorizeUrl: (req) =>
      authorizeUrl(`${base('x', 'https://x.com')}/i/oauth2/authorize`, {
        response_type: 'code',
        client_id: req.app.clientId,
        redirect_uri: req.redirectUri,
        scope: SCOPES.x.join(' '),
        state: req.state,
        ...pkceParams(req),
      }),
    async exchange(req) {
      const api = base('x', 'https://api.x.com');
      const token = read(
        'x',
        'the authorization code',
        await postForm('x', `${api}/2/oauth2/token`, { grant_type: 'authorization_code', code: req.code, redirect_uri: req.redirectUri, code_verifier: req.verifier, client_id: req.app.clientId }),
        OAuthToken,
      );
      const scopes = splitScopes(token.scope);
      requireScopes('x', scopes);
      const me = read('x', 'the account lookup', await getJson('x', `${api}/2/users/me`, token.access_token), z.object({ data: z.object({ id: z.string().regex(/^\d{1,19}$/), username: z.string().min(1).max(100) }) }));
      const expiresAt = secondsFrom(now(), token.expires_in ?? 7200);
      return [
        {
          platformAccountId: me.data.id,
          handle: `@${me.data.username}`,
          credentials: { accessToken: token.access_token, ...(token.refresh_token && { refreshToken: token.refresh_token }), expiresAt, clientId: req.app.clientId },
          expiresAt,
          scopes,
        },
      ];
    },
  };

  // ---- LinkedIn -----------------------------------------------------------
  const linkedin: RedirectFlow = {
    platform: 'linkedin',
    pkce: true,
    scopes: SCOPES.linkedin,
    authorizeUrl: (req) =>
      authorizeUrl(`${base('linkedin', 'https://www.linkedin.com')}/oauth/v2/authorization`, {
        response_type: 'code',
        client_id: req.app.clientId,
        redirect_uri: req.redirectUri,
        state: req.state,
        scope: SCOPES.linkedin.join(' '),
        ...pkceParams(req),
      }),
    async exchange(req) {
      const token = read(
        'linkedin',
        'the authorization code',
        await postForm('linkedin', `${base('linkedin', 'https://www.linkedin.com')}/oauth/v2/accessToken`, {
          grant_type: 'authorization_code',
          code: req.code,
          redirect_uri: req.redirectUri,
          client_id: req.app.clientId,
          client_secret: req.app.clientSecret,
          code_verifier: req.verifier,
        }),
        OAuthToken,
      );
      const scopes = splitScopes(token.scope);
      requireScopes('linkedin', scopes);
      const api = base('linkedin', 'https://api.linkedin.com');
      const headers = { 'linkedin-version': LINKEDIN_VERSION, 'x-restli-protocol-version': '2.0.0' };
      const acls = read(
        'linkedin',
        'the organization lookup',
        await getJson('linkedin', `${api}/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED&count=100`, token.access_token, headers),
        z.object({ elements: z.array(z.object({ organization: z.string().regex(/^urn:li:organization:\d{1,20}$/) })).max(1000) }),
      );
      let urns = [...new Set(acls.elements.map((e) => e.organization))];
      if (req.pageId) {
        const wanted = /^\d+$/.test(req.pageId) ? `urn:li:organization:${req.pageId}` : req.pageId;
        if (!urns.includes(wanted)) throw new ConnectRefusedError(`the LinkedIn member does not administer organization ${req.pageId}; ${urns.length} organization page(s) are available`);
        urns = [wanted];
      }
      if (urns.length === 0) throw new ConnectRefusedError('the LinkedIn member administers no organization page; Paylaş publishes as a page, so an administrator of one must connect it');
      const expiresAt = secondsFrom(now(), token.expires_in ?? 5_184_000);
      const out: ConnectedAccount[] = [];
      for (const urn of urns.slice(0, MAX_ORGANIZATIONS)) {
        const id = urn.split(':').pop()!;
        const org = read('linkedin', `the lookup of organization ${id}`, await getJson('linkedin', `${api}/rest/organizations/${id}`, token.access_token, headers), z.object({ localizedName: z.string().min(1).max(200) }));
        out.push({
          platformAccountId: urn,
          handle: org.localizedName,
          credentials: {
            accessToken: token.access_token,
            expiresAt,
            ...(token.refresh_token && { refreshToken: token.refresh_token }),
            ...(token.refresh_token_expires_in && { refreshTokenExpiresAt: secondsFrom(now(), token.refresh_token_expires_in) }),
          },
          expiresAt,
          scopes,
        });
      }
      return out;
    },
  };

  // ---- Facebook Pages -----------------------------------------------------
  const facebook: RedirectFlow = {
    platform: 'facebook',
    pkce: false,
    scopes: SCOPES.facebook,
    authorizeUrl: (req) =>
      authorizeUrl(`${base('facebook', `https://www.facebook.com/${GRAPH_VERSION}`)}/dialog/oauth`, {
        client_id: req.app.clientId,
        redirect_uri: req.redirectUri,
        state: req.state,
        response_type: 'code',
        scope: SCOPES.facebook.join(','),
      }),
    async exchange(req) {
      const graph = base('facebook', `https://graph.facebook.com/${GRAPH_VERSION}`);
      const GraphToken = z.object({ access_token: z.string().min(1).max(8192), expires_in: z.coerce.number().optional() });
      const short = read(
        'facebook',
        'the authorization code',
        await getJson('facebook', `${graph}/oauth/access_token?${form({ client_id: req.app.clientId, redirect_uri: req.redirectUri, client_secret: req.app.clientSecret, code: req.code })}`),
        GraphToken,
      );
      const long = read(
        'facebook',
        'the long-lived token exchange',
        await getJson('facebook', `${graph}/oauth/access_token?${form({ grant_type: 'fb_exchange_token', client_id: req.app.clientId, client_secret: req.app.clientSecret, fb_exchange_token: short.access_token })}`),
        GraphToken,
      );
      const permissions = read(
        'facebook',
        'the permission lookup',
        await getJson('facebook', `${graph}/me/permissions`, long.access_token),
        z.object({ data: z.array(z.object({ permission: z.string(), status: z.string() })).max(500) }),
      );
      const scopes = permissions.data.filter((p) => p.status === 'granted').map((p) => p.permission);
      requireScopes('facebook', scopes);
      const Page = z.object({ id: z.string().regex(/^\d{1,30}$/), name: z.string().min(1).max(200), access_token: z.string().min(1).max(8192).optional(), tasks: z.array(z.string()).optional() });
      const pages: z.infer<typeof Page>[] = [];
      const PageList = z.object({ data: z.array(Page).max(100), paging: z.object({ next: z.string().optional() }).optional() });
      let next: string | undefined = `${graph}/me/accounts?fields=id,name,access_token,tasks&limit=100`;
      for (let i = 0; next && i < MAX_PAGES; i++) {
        const page: z.infer<typeof PageList> = read('facebook', 'the Page list', await getJson('facebook', next, long.access_token), PageList);
        pages.push(...page.data);
        // Only follow paging links back to the same Graph API.
        next = page.paging?.next?.startsWith(`${graph}/`) && page.data.length > 0 ? page.paging.next : undefined;
      }
      let chosen = pages.filter((p) => p.access_token && (!p.tasks || p.tasks.includes('CREATE_CONTENT')));
      if (req.pageId) {
        chosen = chosen.filter((p) => p.id === req.pageId);
        if (chosen.length === 0) throw new ConnectRefusedError(`Page ${req.pageId} was not shared with Paylaş (or you may not create content on it); choose it on the Facebook consent screen`);
      }
      if (chosen.length === 0) throw new ConnectRefusedError('no Facebook Page on which you may create content was shared with Paylaş; choose at least one Page on the consent screen');
      // Page tokens from a long-lived user token do not expire: nothing to refresh.
      return chosen.map((p) => ({ platformAccountId: p.id, handle: p.name, credentials: { accessToken: p.access_token! }, scopes }));
    },
  };

  // ---- Instagram Login ----------------------------------------------------
  const instagram: RedirectFlow = {
    platform: 'instagram',
    pkce: true,
    scopes: SCOPES.instagram,
    authorizeUrl: (req) =>
      authorizeUrl(`${base('instagram', 'https://www.instagram.com')}/oauth/authorize`, {
        client_id: req.app.clientId,
        redirect_uri: req.redirectUri,
        response_type: 'code',
        scope: SCOPES.instagram.join(','),
        state: req.state,
        ...pkceParams(req),
      }),
    async exchange(req) {
      const Short = z.object({ access_token: z.string().min(1).max(8192), user_id: z.union([z.string(), z.number()]).optional(), permissions: z.union([z.string(), z.array(z.string())]).optional() });
      const answer = read(
        'instagram',
        'the authorization code',
        await postForm('instagram', `${base('instagram', 'https://api.instagram.com')}/oauth/access_token`, {
          client_id: req.app.clientId,
          client_secret: req.app.clientSecret,
          grant_type: 'authorization_code',
          redirect_uri: req.redirectUri,
          code: req.code,
          code_verifier: req.verifier,
        }),
        // Instagram answers `{data: [{…}]}` (current) or the token object itself (older apps).
        z.union([z.object({ data: z.array(Short).min(1) }).transform((d) => d.data[0]!), Short]),
      );
      const scopes = Array.isArray(answer.permissions) ? answer.permissions : splitScopes(answer.permissions);
      requireScopes('instagram', scopes);
      const graph = base('instagram', 'https://graph.instagram.com');
      const long = read(
        'instagram',
        'the long-lived token exchange',
        await getJson('instagram', `${graph}/access_token?${form({ grant_type: 'ig_exchange_token', client_secret: req.app.clientSecret, access_token: answer.access_token })}`),
        z.object({ access_token: z.string().min(1).max(8192), expires_in: z.coerce.number().positive().optional() }),
      );
      const me = read(
        'instagram',
        'the account lookup',
        await getJson('instagram', `${base('instagram', `https://graph.instagram.com/${GRAPH_VERSION}`)}/me?fields=user_id,username`, long.access_token),
        z.object({ user_id: z.union([z.string(), z.number()]).optional(), id: z.union([z.string(), z.number()]).optional(), username: z.string().min(1).max(100) }),
      );
      // `user_id` is the professional account id that publishing and webhooks use; `id` is app-scoped.
      const id = String(me.user_id ?? me.id ?? answer.user_id ?? '');
      if (!/^\d{1,30}$/.test(id)) throw new PlatformUnavailableError('Instagram answered the account lookup without an account id');
      const expiresAt = secondsFrom(now(), long.expires_in ?? 5_184_000);
      return [{ platformAccountId: id, handle: `@${me.username}`, credentials: { accessToken: long.access_token, expiresAt }, expiresAt, scopes }];
    },
  };

  // ---- Mastodon -----------------------------------------------------------
  const mastodon: RedirectFlow = {
    platform: 'mastodon',
    pkce: true,
    scopes: SCOPES.mastodon,
    authorizeUrl: (req) =>
      authorizeUrl(`${base('mastodon', req.instanceUrl ?? '')}/oauth/authorize`, {
        response_type: 'code',
        client_id: req.app.clientId,
        redirect_uri: req.redirectUri,
        scope: SCOPES.mastodon.join(' '),
        state: req.state,
        ...pkceParams(req),
      }),
    async exchange(req) {
      const root = base('mastodon', req.instanceUrl ?? '');
      const token = read(
        'mastodon',
        'the authorization code',
        await postForm('mastodon', `${root}/oauth/token`, {
          grant_type: 'authorization_code',
          code: req.code,
          client_id: req.app.clientId,
          client_secret: req.app.clientSecret,
          redirect_uri: req.redirectUri,
          code_verifier: req.verifier,
          scope: SCOPES.mastodon.join(' '),
        }),
        OAuthToken,
      );
      const scopes = splitScopes(token.scope);
      requireScopes('mastodon', scopes);
      const me = read(
        'mastodon',
        'the account lookup',
        await getJson('mastodon', `${root}/api/v1/accounts/verify_credentials`, token.access_token),
        z.object({ id: z.union([z.string(), z.number()]).transform(String), username: z.string().min(1).max(100) }),
      );
      const host = new URL(req.instanceUrl!).host;
      // Mastodon tokens do not expire (until revoked): no expiry to schedule.
      return [{ platformAccountId: me.id, handle: `@${me.username}@${host}`, credentials: { accessToken: token.access_token, instanceUrl: req.instanceUrl! }, scopes }];
    },
  };

  // ---- the sandbox platform ------------------------------------------------
  const sandbox: RedirectFlow = {
    platform: 'sandbox',
    pkce: true,
    scopes: SCOPES.sandbox,
    authorizeUrl: (req) =>
      authorizeUrl(`${base('sandbox', 'http://127.0.0.1:8020/sandbox')}/oauth/authorize`, {
        response_type: 'code',
        client_id: req.app.clientId,
        redirect_uri: req.redirectUri,
        scope: SCOPES.sandbox.join(' '),
        state: req.state,
        ...pkceParams(req),
      }),
    async exchange(req) {
      const root = base('sandbox', 'http://127.0.0.1:8020/sandbox');
      const basic = `Basic ${Buffer.from(`${encodeURIComponent(req.app.clientId)}:${encodeURIComponent(req.app.clientSecret ?? '')}`).toString('base64')}`;
      const token = read(
        'sandbox',
        'the authorization code',
        await postForm('sandbox', `${root}/oauth/token`, { grant_type: 'authorization_code', code: req.code, redirect_uri: req.redirectUri, code_verifier: req.verifier }, { authorization: basic }),
        OAuthToken,
      );
      const scopes = splitScopes(token.scope);
      requireScopes('sandbox', scopes);
      const me = read('sandbox', 'the account lookup', await getJson('sandbox', `${root}/api/me`, token.access_token), z.object({ id: z.string().min(1).max(200), username: z.string().min(1).max(100) }));
      const expiresAt = token.expires_in ? secondsFrom(now(), token.expires_in) : undefined;
      return [
        {
          platformAccountId: me.id,
          handle: `@${me.username}`,
          credentials: { accessToken: token.access_token, ...(token.refresh_token && { refreshToken: token.refresh_token }), ...(expiresAt && { expiresAt }) },
          ...(expiresAt && { expiresAt }),
          scopes,
        },
      ];
    },
  };

  return {
    redirect: { x, linkedin, facebook, instagram, mastodon, sandbox },

    async registerMastodonApp(instanceUrl, redirectUri) {
      const app = read(
        'mastodon',
        'the app registration',
        await postForm('mastodon', `${base('mastodon', instanceUrl)}/api/v1/apps`, { client_name: 'Paylaş', redirect_uris: redirectUri, scopes: SCOPES.mastodon.join(' ') }),
        z.object({ client_id: z.string().min(1).max(512), client_secret: z.string().min(1).max(512) }),
      );
      return { clientId: app.client_id, clientSecret: app.client_secret };
    },

    async blueskySession(req) {
      const res = await call('bluesky', `${base('bluesky', req.service)}/xrpc/com.atproto.server.createSession`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ identifier: req.identifier, password: req.appPassword }),
      });
      const session = read(
        'bluesky',
        'the sign-in',
        res,
        z.object({
          accessJwt: z.string().min(1).max(8192),
          refreshJwt: z.string().min(1).max(8192),
          handle: z.string().min(1).max(253),
          did: z.string().regex(/^did:[a-z]+:[A-Za-z0-9._:%-]{1,2048}$/),
          didDoc: z.object({ service: z.array(z.object({ id: z.string(), type: z.string().optional(), serviceEndpoint: z.unknown() })).optional() }).loose().optional(),
        }),
      );
      // The account's own PDS (from its DID document) is where the official clients send every later request.
      const pds = session.didDoc?.service?.find((s) => s.id.endsWith('#atproto_pds'))?.serviceEndpoint;
      const pdsUrl = typeof pds === 'string' && /^https:\/\/[^/\s]+$/.test(pds) ? pds : req.service;
      const claims = jwtClaims(session.accessJwt);
      const expiresAt = new Date(claims.exp ? claims.exp * 1000 : now().getTime() + 7200 * 1000).toISOString();
      return {
        platformAccountId: session.did,
        handle: session.handle,
        credentials: { accessJwt: session.accessJwt, refreshJwt: session.refreshJwt, expiresAt, pdsUrl, did: session.did, handle: session.handle },
        expiresAt,
        scopes: claims.scope ? [claims.scope] : [],
      };
    },
  };
}
