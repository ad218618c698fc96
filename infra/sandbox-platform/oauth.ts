import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { APP_CREDENTIALS } from '#shared/platforms/oauth.ts';
import type { SandboxPlatform } from './server.ts';

/**
 * Consent on the sandbox social network: each platform's authorize page (at
 * its real path under `/<platform>/…`, HTML with Approve and Deny), its token
 * endpoint for the authorization code (with PKCE verification, and the
 * platform's documented error body when something does not match), and the
 * lookups Paylaş makes right after (who the user is, which Pages or
 * organizations they manage). Bluesky signs in with an app password instead.
 *
 * The person approving types a user name (default `paylas`); every id of
 * that user (X user id, Pages, Instagram account, organization, DID …) is
 * derived from it, so the same name is the same account again. Tokens issued
 * here are accepted by the sandbox's publishing endpoints and expire per its
 * lifetimes. App credentials: `apps` (by name, e.g. `X_CLIENT_ID`), else the
 * install's secrets the twin hands over; a platform with no app known accepts
 * any client.
 */

export interface SandboxOAuthHost {
  now(): Date;
  url(): string;
  /** The sandbox's token lifetimes (seconds) for the platforms whose tokens it refreshes. */
  lifetimes(): { x: number; instagram: number; bluesky: number };
  /** Registers an access token with its expiry, so the publishing endpoints refuse it afterwards. */
  issue(token: string, expiresAtMs: number): void;
  installSecrets(): Record<string, string>;
}

type Answer = { status: number; body: unknown; headers?: Record<string, string> };
type ConsentPlatform = 'x' | 'linkedin' | 'facebook' | 'instagram' | 'mastodon' | 'sandbox';

interface Grant {
  platform: ConsentPlatform;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  challenge?: string;
  challengeMethod?: string;
  user: string;
  expiresAtMs: number;
  used: boolean;
}

interface Holder {
  platform: SandboxPlatform;
  user: string;
  scopes: string[];
  expiresAtMs?: number;
  /** Facebook Page tokens: the Page. */
  pageId?: string;
}

/** Where each platform's consent page is. */
const AUTHORIZE_PATHS: Record<ConsentPlatform, string> = {
  x: '/i/oauth2/authorize',
  linkedin: '/oauth/v2/authorization',
  facebook: '/dialog/oauth',
  instagram: '/oauth/authorize',
  mastodon: '/oauth/authorize',
  sandbox: '/oauth/authorize',
};
const PKCE_REQUIRED = new Set<ConsentPlatform>(['x']);
/** How long an authorization code may be exchanged (X: 30 s; Instagram: 1 h; the others: 10 min). */
const CODE_TTL_S: Record<ConsentPlatform, number> = { x: 30, linkedin: 600, facebook: 600, instagram: 3600, mastodon: 600, sandbox: 600 };

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const digits = (seed: string, n: number) => {
  const h = createHash('sha256').update(seed).digest();
  let out = '';
  for (let i = 0; out.length < n; i++) out += String(h[i % h.length]! % 10);
  return out;
};
const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The accounts of one sandbox user on each platform, derived from the name. */
export function sandboxIdentity(user: string) {
  const title = user.charAt(0).toUpperCase() + user.slice(1);
  return {
    x: { id: `1${digits(`x:${user}`, 18)}`, username: user, name: title },
    facebookPages: [
      { id: `10${digits(`fb1:${user}`, 13)}`, name: `${title} Kahve` },
      { id: `10${digits(`fb2:${user}`, 13)}`, name: `${title} Çay Evi` },
    ],
    instagram: { userId: `17841${digits(`ig:${user}`, 12)}`, appScopedId: `2${digits(`igs:${user}`, 15)}`, username: user },
    linkedinOrg: { id: digits(`li:${user}`, 9).replace(/^0/, '1'), name: `${title} A.Ş.` },
    mastodon: { id: `11${digits(`m:${user}`, 15)}`, username: user },
    sandbox: { id: `sb_${digits(`sb:${user}`, 12)}`, username: user },
  };
}

/**
 * Mastodon apps registered on the sandbox carry their registration in the
 * client id (and the secret is derived from it), so they survive a restart
 * of the sandbox, as registrations on a real instance do.
 */
const MASTODON_APP_KEY = 'paylas-sandbox-mastodon-apps';
const mastodonSecret = (clientId: string) => createHmac('sha256', MASTODON_APP_KEY).update(clientId).digest('base64url');
function mastodonApp(clientId: string): { clientSecret: string; redirectUris: string[]; scopes: string[] } | undefined {
  try {
    const app = JSON.parse(Buffer.from(clientId, 'base64url').toString()) as { r?: unknown; s?: unknown };
    if (!Array.isArray(app.r) || !Array.isArray(app.s)) return undefined;
    return { clientSecret: mastodonSecret(clientId), redirectUris: app.r.map(String), scopes: app.s.map(String) };
  } catch {
    return undefined;
  }
}

const blueskyDid = (identifier: string) => `did:plc:${createHash('sha256').update(identifier.toLowerCase()).digest('hex').slice(0, 24)}`;

/** Each platform's answer to an authorization code (or client) it will not accept. */
function tokenError(p: ConsentPlatform, reason: 'code' | 'client', detail: string): Answer {
  const client = reason === 'client';
  switch (p) {
    case 'x':
      return client ? { status: 401, body: { error: 'unauthorized_client', error_description: 'Missing valid authorization header' } } : { status: 400, body: { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' } };
    case 'linkedin':
      return client
        ? { status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed' } }
        : { status: 400, body: { error: 'invalid_request', error_description: 'Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired. Or external member binding exists' } };
    case 'facebook':
      return client
        ? { status: 400, body: { error: { message: 'Error validating client secret.', type: 'OAuthException', code: 1, fbtrace_id: 'sandbox' } } }
        : { status: 400, body: { error: { message: detail, type: 'OAuthException', code: 100, error_subcode: 36009, fbtrace_id: 'sandbox' } } };
    case 'instagram':
      return { status: 400, body: { error_type: 'OAuthException', code: 400, error_message: client ? 'Invalid platform app' : detail } };
    case 'mastodon':
    case 'sandbox':
      return client
        ? { status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.' } }
        : { status: 400, body: { error: 'invalid_grant', error_description: 'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.' } };
  }
}

function authError(p: SandboxPlatform): Answer {
  switch (p) {
    case 'x':
      return { status: 401, body: { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' } };
    case 'linkedin':
      return { status: 401, body: { status: 401, serviceErrorCode: 65600, code: 'INVALID_ACCESS_TOKEN', message: 'Invalid access token' } };
    case 'facebook':
    case 'instagram':
      return { status: 400, body: { error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190, fbtrace_id: 'sandbox' } } };
    default:
      return { status: 401, body: { error: 'The access token is invalid' } };
  }
}

export class SandboxOAuth {
  /** App credentials by name (`X_CLIENT_ID`, `META_APP_SECRET` …); the install's secrets fill in the rest. */
  apps: Record<string, string> = {};
  /** Lifetimes (seconds) of the tokens only consent issues. */
  readonly lifetimes = { linkedin: 5_184_000, facebookShort: 5_400, facebookLong: 5_183_944, instagramShort: 3_600 };
  /** Every token value handed out here (access, refresh, Page tokens, sessions), so tests can prove none leaks. */
  readonly issuedTokens: string[] = [];
  readonly #codes = new Map<string, Grant>();
  readonly #holders = new Map<string, Holder>();
  readonly #orgNames = new Map<string, string>();
  /** Bluesky app passwords by identifier: the first sign-in sets it, later ones must repeat it. */
  readonly #appPasswords = new Map<string, string>();

  constructor(private readonly host: SandboxOAuthHost) {}

  /** Answers the request when it is part of consent; false for everything else (the publishing API). */
  handle(p: SandboxPlatform, method: string, path: string, url: URL, raw: string, headers: IncomingHttpHeaders, res: ServerResponse): boolean {
    const form = () => {
      if (/json/.test(String(headers['content-type']))) {
        try {
          return new URLSearchParams(Object.entries(JSON.parse(raw) as Record<string, unknown>).map(([k, v]): [string, string] => [k, String(v)]));
        } catch {
          return new URLSearchParams();
        }
      }
      return new URLSearchParams(raw);
    };
    if (p !== 'bluesky' && path === AUTHORIZE_PATHS[p] && (method === 'GET' || method === 'POST')) {
      this.#authorize(p, method === 'GET' ? url.searchParams : form(), method === 'POST', res);
      return true;
    }
    const answer = this.#answer(p, `${method} ${path}`, url, form, headers);
    if (!answer) return false;
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(JSON.stringify(answer.body));
    return true;
  }

  #answer(p: SandboxPlatform, route: string, url: URL, form: () => URLSearchParams, headers: IncomingHttpHeaders): Answer | undefined {
    const bearer = /^Bearer (.+)$/i.exec(headers.authorization ?? '')?.[1];
    switch (`${p} ${route}`) {
      case 'x POST /2/oauth2/token': {
        const f = form();
        // Refresh grants are the sandbox's refresh endpoint.
        return f.get('grant_type') === 'authorization_code' ? this.#codeExchange('x', f, headers) : undefined;
      }
      case 'linkedin POST /oauth/v2/accessToken':
      case 'instagram POST /oauth/access_token':
      case 'mastodon POST /oauth/token':
      case 'sandbox POST /oauth/token':
        return this.#codeExchange(p as ConsentPlatform, form(), headers);
      case 'facebook GET /oauth/access_token':
        return url.searchParams.get('grant_type') === 'fb_exchange_token' ? this.#facebookLongLived(url.searchParams) : this.#codeExchange('facebook', url.searchParams, headers);
      case 'instagram GET /access_token':
        return this.#instagramLongLived(url.searchParams);
      case 'mastodon POST /api/v1/apps':
        return this.#registerMastodonApp(form());
      case 'bluesky POST /xrpc/com.atproto.server.createSession':
        return this.#blueskySession(form());
      case 'x GET /2/users/me':
      case 'linkedin GET /rest/organizationAcls':
      case 'facebook GET /me/accounts':
      case 'facebook GET /me/permissions':
      case 'instagram GET /me':
      case 'mastodon GET /api/v1/accounts/verify_credentials':
      case 'sandbox GET /api/me':
        return this.#lookup(p, route, url, bearer);
    }
    if (p === 'linkedin' && /^GET \/rest\/organizations\/\d+$/.test(route)) return this.#lookup(p, route, url, bearer);
    return undefined;
  }

  // ---- consent -----------------------------------------------------------------

  #app(p: ConsentPlatform): { id?: string; secret?: string } {
    if (p === 'mastodon') return {};
    const names: { clientId: string; clientSecret?: string } = APP_CREDENTIALS[p];
    const secrets = this.host.installSecrets();
    const id = this.apps[names.clientId] ?? secrets[names.clientId];
    const secret = names.clientSecret ? (this.apps[names.clientSecret] ?? secrets[names.clientSecret]) : undefined;
    return { ...(id && { id }), ...(secret && { secret }) };
  }

  /** What is wrong with an authorize request, if anything (platforms show an error page rather than redirect). */
  #authorizeProblem(p: ConsentPlatform, q: URLSearchParams): string | undefined {
    if (q.get('response_type') !== 'code') return 'response_type must be code';
    const clientId = q.get('client_id') ?? '';
    const redirectUri = q.get('redirect_uri') ?? '';
    if (!/^https?:\/\/[^\s]+$/.test(redirectUri)) return 'redirect_uri is missing or not a URL';
    if (p === 'mastodon') {
      const app = mastodonApp(clientId);
      if (!app) return 'Client authentication failed due to unknown client';
      if (!app.redirectUris.includes(redirectUri)) return 'The redirect uri included is not valid.';
    } else {
      const app = this.#app(p);
      if (!clientId || (app.id !== undefined && app.id !== clientId)) return 'Invalid client_id: the app does not exist';
    }
    const method = q.get('code_challenge_method');
    if (PKCE_REQUIRED.has(p) && !q.get('code_challenge')) return 'code_challenge is required';
    if (q.get('code_challenge') && method !== 'S256' && method !== 'plain') return 'code_challenge_method must be S256 or plain';
    return undefined;
  }

  #authorize(p: ConsentPlatform, q: URLSearchParams, submitted: boolean, res: ServerResponse): void {
    const html = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(`<!doctype html><meta charset="utf-8"><title>Sandbox ${escape(p)}: authorize</title><style>body{font:15px system-ui;margin:2em;max-width:40em}</style>${body}`);
    };
    const problem = this.#authorizeProblem(p, q);
    if (problem) return html(400, `<h1>This link is not valid</h1><p>${escape(problem)}</p>`);
    const requested = (q.get('scope') ?? '').split(/[\s,]+/).filter(Boolean);
    const redirectUri = q.get('redirect_uri')!;
    const state = q.get('state');
    if (!submitted) {
      const hidden = [...q.entries()].filter(([k]) => !['decision', 'user', 'grant'].includes(k)).map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`).join('');
      const scopes = requested.map((s) => `<li><label><input type="checkbox" name="grant" value="${escape(s)}" checked form="approve"> ${escape(s)}</label></li>`).join('');
      return html(
        200,
        `<h1>Sandbox ${escape(p)}: authorize an app</h1><p>The app <code>${escape(q.get('client_id') ?? '')}</code> asks to act as you with:</p><ul>${scopes}</ul><p>You will be sent back to <code>${escape(redirectUri)}</code>.</p>` +
          `<form id="approve" method="post">${hidden}<label>Sign in as <input name="user" value="paylas" maxlength="100"></label> <button name="decision" value="approve">Approve</button></form>` +
          `<form method="post">${hidden}<button name="decision" value="deny">Deny</button></form>`,
      );
    }
    const back = new URL(redirectUri);
    if (q.get('decision') === 'approve') {
      const code = `${p}-code-${randomBytes(12).toString('hex')}`;
      const chosen = q.getAll('grant');
      this.#codes.set(code, {
        platform: p,
        clientId: q.get('client_id')!,
        redirectUri,
        scopes: chosen.length > 0 ? chosen.filter((s) => requested.includes(s)) : requested,
        ...(q.get('code_challenge') && { challenge: q.get('code_challenge')!, challengeMethod: q.get('code_challenge_method') ?? 'plain' }),
        user: (q.get('user') || 'paylas').slice(0, 100),
        expiresAtMs: this.host.now().getTime() + CODE_TTL_S[p] * 1000,
        used: false,
      });
      back.searchParams.set('code', code);
    } else {
      const denied: Record<ConsentPlatform, Record<string, string>> = {
        x: { error: 'access_denied' },
        linkedin: { error: 'user_cancelled_authorize', error_description: 'The user cancelled the authorization' },
        facebook: { error: 'access_denied', error_code: '200', error_description: 'Permissions error', error_reason: 'user_denied' },
        instagram: { error: 'access_denied', error_reason: 'user_denied', error_description: 'The user denied your request.' },
        mastodon: { error: 'access_denied', error_description: 'The resource owner or authorization server denied the request.' },
        sandbox: { error: 'access_denied', error_description: 'The resource owner denied the request.' },
      };
      for (const [k, v] of Object.entries(denied[p])) back.searchParams.set(k, v);
    }
    if (state !== null) back.searchParams.set('state', state);
    res.writeHead(302, { location: back.toString(), 'cache-control': 'no-store' });
    res.end();
  }

  // ---- tokens ------------------------------------------------------------------

  #mint(prefix: string, holder: Holder, lifetimeS?: number): string {
    const token = `${prefix}-${randomBytes(16).toString('hex')}`;
    const expiresAtMs = lifetimeS === undefined ? undefined : this.host.now().getTime() + lifetimeS * 1000;
    if (expiresAtMs !== undefined) this.host.issue(token, expiresAtMs);
    this.#holders.set(token, { ...holder, ...(expiresAtMs !== undefined && { expiresAtMs }) });
    this.issuedTokens.push(token);
    return token;
  }

  /** The client's credentials on a token request: HTTP Basic, else the form (or, for Facebook, the query). */
  #client(f: URLSearchParams, headers: IncomingHttpHeaders): { id: string; secret?: string } {
    const basic = /^Basic (.+)$/i.exec(headers.authorization ?? '')?.[1];
    if (basic) {
      const [id = '', secret = ''] = Buffer.from(basic, 'base64').toString().split(':').map((s) => decodeURIComponent(s));
      return { id, secret };
    }
    return { id: f.get('client_id') ?? '', ...(f.get('client_secret') !== null && { secret: f.get('client_secret')! }) };
  }

  #clientOk(p: ConsentPlatform, client: { id: string; secret?: string }): boolean {
    if (p === 'mastodon') {
      const app = mastodonApp(client.id);
      return app !== undefined && client.secret !== undefined && sameText(app.clientSecret, client.secret);
    }
    const app = this.#app(p);
    if (app.id !== undefined && app.id !== client.id) return false;
    // X is a public client (PKCE, no secret); the others are confidential.
    if (p !== 'x' && app.secret !== undefined && !(client.secret !== undefined && sameText(app.secret, client.secret))) return false;
    return true;
  }

  #codeExchange(p: ConsentPlatform, f: URLSearchParams, headers: IncomingHttpHeaders): Answer {
    if (f.get('grant_type') !== null && f.get('grant_type') !== 'authorization_code') return tokenError(p, 'code', 'grant_type must be authorization_code');
    const client = this.#client(f, headers);
    if (!this.#clientOk(p, client)) return tokenError(p, 'client', '');
    const code = f.get('code') ?? '';
    const grant = this.#codes.get(code);
    if (!grant || grant.platform !== p) return tokenError(p, 'code', 'Invalid verification code format.');
    if (grant.used) return tokenError(p, 'code', 'This authorization code has been used.');
    // A code is spent by its first exchange, successful or not.
    grant.used = true;
    if (grant.expiresAtMs <= this.host.now().getTime()) return tokenError(p, 'code', 'This authorization code has expired.');
    if (grant.clientId !== client.id) return tokenError(p, 'code', 'The authorization code was issued to another app.');
    if (grant.redirectUri !== f.get('redirect_uri')) return tokenError(p, 'code', 'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request');
    if (grant.challenge) {
      const verifier = f.get('code_verifier') ?? '';
      const derived = grant.challengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
      if (!verifier || !sameText(derived, grant.challenge)) return tokenError(p, 'code', 'The code_verifier does not match the code_challenge of the authorization request.');
    }
    const holder: Holder = { platform: p, user: grant.user, scopes: grant.scopes };
    const scope = grant.scopes.join(' ');
    switch (p) {
      case 'x':
        return {
          status: 200,
          body: {
            token_type: 'bearer',
            expires_in: this.host.lifetimes().x,
            access_token: this.#mint('x-access', holder, this.host.lifetimes().x),
            scope,
            ...(grant.scopes.includes('offline.access') && { refresh_token: this.#mint('x-refresh', holder) }),
          },
        };
      case 'linkedin':
        return { status: 200, body: { access_token: this.#mint('li-access', holder, this.lifetimes.linkedin), expires_in: this.lifetimes.linkedin, scope: grant.scopes.join(',') } };
      case 'facebook':
        return { status: 200, body: { access_token: this.#mint('fb-user-short', holder, this.lifetimes.facebookShort), token_type: 'bearer', expires_in: this.lifetimes.facebookShort } };
      case 'instagram': {
        const id = sandboxIdentity(grant.user).instagram;
        return { status: 200, body: { data: [{ access_token: this.#mint('ig-short', holder, this.lifetimes.instagramShort), user_id: id.userId, permissions: grant.scopes.join(',') }] } };
      }
      case 'mastodon':
        // Mastodon tokens do not expire.
        return { status: 200, body: { access_token: this.#mint('mastodon-access', holder), token_type: 'Bearer', scope, created_at: Math.floor(this.host.now().getTime() / 1000) } };
      case 'sandbox':
        return { status: 200, body: { access_token: this.#mint('sandbox-access', holder), token_type: 'bearer', scope } };
    }
  }

  #facebookLongLived(q: URLSearchParams): Answer {
    if (!this.#clientOk('facebook', { id: q.get('client_id') ?? '', ...(q.get('client_secret') !== null && { secret: q.get('client_secret')! }) })) return tokenError('facebook', 'client', '');
    const short = this.#live(q.get('fb_exchange_token') ?? '', 'facebook');
    if (!short || short.pageId) return { status: 400, body: { error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190, fbtrace_id: 'sandbox' } } };
    return { status: 200, body: { access_token: this.#mint('fb-user-long', short, this.lifetimes.facebookLong), token_type: 'bearer', expires_in: this.lifetimes.facebookLong } };
  }

  #instagramLongLived(q: URLSearchParams): Answer {
    const app = this.#app('instagram');
    const secret = q.get('client_secret') ?? '';
    if (q.get('grant_type') !== 'ig_exchange_token' || (app.secret !== undefined && !sameText(app.secret, secret))) {
      return { status: 400, body: { error: { message: 'Error validating client secret.', type: 'OAuthException', code: 101, fbtrace_id: 'sandbox' } } };
    }
    const short = this.#live(q.get('access_token') ?? '', 'instagram');
    if (!short) return { status: 400, body: { error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190, fbtrace_id: 'sandbox' } } };
    const lifetime = this.host.lifetimes().instagram;
    return { status: 200, body: { access_token: this.#mint('ig-long', short, lifetime), token_type: 'bearer', expires_in: lifetime } };
  }

  #registerMastodonApp(f: URLSearchParams): Answer {
    const name = f.get('client_name') ?? '';
    const redirectUris = (f.get('redirect_uris') ?? '').split(/\s+/).filter(Boolean);
    if (!name || redirectUris.length === 0 || redirectUris.some((u) => !/^https?:\/\/\S+$/.test(u))) {
      return { status: 422, body: { error: "Validation failed: Name can't be blank, Redirect URI must be an absolute URI." } };
    }
    const scopes = (f.get('scopes') ?? 'read').split(/\s+/).filter(Boolean);
    const id = Buffer.from(JSON.stringify({ r: redirectUris, s: scopes, n: randomBytes(6).toString('hex') })).toString('base64url');
    const secret = mastodonSecret(id);
    return {
      status: 200,
      body: { id: digits(id, 6), name, website: f.get('website'), scopes, redirect_uri: redirectUris.join('\n'), redirect_uris: redirectUris, client_id: id, client_secret: secret, client_secret_expires_at: 0 },
    };
  }

  #blueskySession(f: URLSearchParams): Answer {
    const identifier = (f.get('identifier') ?? '').trim();
    const password = f.get('password') ?? '';
    // Only app passwords sign in here (the account password would be refused by Paylaş before it is sent).
    const known = this.#appPasswords.get(identifier.toLowerCase());
    if (!identifier || !/^[a-z0-9]{4}(-[a-z0-9]{4}){3}$/.test(password) || (known !== undefined && !sameText(known, password))) {
      return { status: 401, body: { error: 'AuthenticationRequired', message: 'Invalid identifier or password' } };
    }
    this.#appPasswords.set(identifier.toLowerCase(), password);
    const handle = identifier.startsWith('did:') ? `${identifier.slice(-8)}.bsky.social` : identifier.includes('.') ? identifier.toLowerCase() : `${identifier.toLowerCase()}.bsky.social`;
    const did = identifier.startsWith('did:') ? identifier : blueskyDid(handle);
    const exp = Math.floor(this.host.now().getTime() / 1000) + this.host.lifetimes().bluesky;
    const accessJwt = `e30.${Buffer.from(JSON.stringify({ scope: 'com.atproto.appPass', sub: did, exp })).toString('base64url')}.sandbox${randomBytes(8).toString('hex')}`;
    this.host.issue(accessJwt, exp * 1000);
    this.#holders.set(accessJwt, { platform: 'bluesky', user: handle, scopes: ['com.atproto.appPass'], expiresAtMs: exp * 1000 });
    const refreshJwt = `bsky-refresh-${randomBytes(16).toString('hex')}`;
    this.issuedTokens.push(accessJwt, refreshJwt);
    return {
      status: 200,
      body: {
        accessJwt,
        refreshJwt,
        handle,
        did,
        didDoc: { '@context': ['https://www.w3.org/ns/did/v1'], id: did, alsoKnownAs: [`at://${handle}`], service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'https://pds.sandbox.example' }] },
        active: true,
      },
    };
  }

  // ---- who the token is --------------------------------------------------------------

  /** The holder of an unexpired token issued here for this platform. */
  #live(token: string, p: SandboxPlatform): Holder | undefined {
    const holder = this.#holders.get(token);
    if (!holder || holder.platform !== p) return undefined;
    if (holder.expiresAtMs !== undefined && holder.expiresAtMs <= this.host.now().getTime()) return undefined;
    return holder;
  }

  #lookup(p: SandboxPlatform, route: string, url: URL, bearer: string | undefined): Answer {
    const holder = bearer ? this.#live(bearer, p) : undefined;
    if (!holder || holder.pageId) return authError(p);
    const who = sandboxIdentity(holder.user);
    switch (p) {
      case 'x':
        return { status: 200, body: { data: { id: who.x.id, name: who.x.name, username: who.x.username } } };
      case 'facebook':
        if (route.endsWith('/permissions')) return { status: 200, body: { data: holder.scopes.map((permission) => ({ permission, status: 'granted' })) } };
        return {
          status: 200,
          body: {
            data: who.facebookPages.map((page) => ({
              access_token: this.#mint('fb-page', { ...holder, pageId: page.id }),
              category: 'Coffee Shop',
              category_list: [{ id: '128673187201735', name: 'Coffee Shop' }],
              name: page.name,
              id: page.id,
              tasks: ['ADVERTISE', 'ANALYZE', 'CREATE_CONTENT', 'MESSAGING', 'MODERATE', 'MANAGE'],
            })),
            paging: { cursors: { before: 'QVFIUmFh', after: 'QVFIUmJi' } },
          },
        };
      case 'instagram':
        return { status: 200, body: { user_id: who.instagram.userId, username: who.instagram.username, id: who.instagram.appScopedId } };
      case 'linkedin': {
        if (route.startsWith('GET /rest/organizations/')) {
          const id = route.split('/').pop()!;
          const name = this.#orgNames.get(id);
          return name ? { status: 200, body: { id: Number(id), localizedName: name, vanityName: name.toLowerCase().replace(/[^a-z0-9]+/g, '-') } } : { status: 404, body: { status: 404, code: 'NOT_FOUND', message: `Organization ${id} not found` } };
        }
        if (url.searchParams.get('q') !== 'roleAssignee') return { status: 400, body: { status: 400, code: 'QUERY_PARAM_NOT_ALLOWED', message: 'q=roleAssignee is required' } };
        this.#orgNames.set(who.linkedinOrg.id, who.linkedinOrg.name);
        return {
          status: 200,
          body: {
            paging: { count: 100, start: 0, links: [] },
            elements: [{ roleAssignee: `urn:li:person:${digits(`person:${holder.user}`, 10)}`, state: 'APPROVED', role: 'ADMINISTRATOR', organization: `urn:li:organization:${who.linkedinOrg.id}` }],
          },
        };
      }
      case 'mastodon':
        return { status: 200, body: { id: who.mastodon.id, username: who.mastodon.username, acct: who.mastodon.username, display_name: who.x.name, locked: false, bot: false, url: `${this.host.url()}/mastodon/@${who.mastodon.username}` } };
      case 'sandbox':
        return { status: 200, body: { id: who.sandbox.id, username: who.sandbox.username } };
      default:
        return authError(p);
    }
  }
}
