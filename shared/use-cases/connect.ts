import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { accountSecretName, adminKeySecretName, appSecretName } from '../config/secret-names.ts';
import type { Account } from '../domain/account.ts';
import type { Brand } from '../domain/brand.ts';
import type { Clock } from '../domain/clock.ts';
import { ConcurrentModificationError, DomainError, StateConflictError, ValidationError } from '../domain/errors.ts';
import { Platform, PLATFORM_NAMES, PLATFORMS } from '../domain/primitives.ts';
import { parseOrThrow } from '../domain/validation.ts';
import type { ConnectState, ConnectStore } from '../data/connect-store.ts';
import type { Repository } from '../data/repository.ts';
import {
  APP_CREDENTIALS,
  ConnectRefusedError,
  isRedirectPlatform,
  NotConfiguredError,
  pkceChallenge,
  type ConnectedAccount,
  type ConnectFlows,
  type OAuthApp,
  type RedirectPlatform,
} from '../platforms/oauth.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import type { AccountView } from './management-inputs.ts';
import { BlueskyConnectInput, StartQuery, type CallbackQuery, type StartAnswer } from './connect-inputs.ts';
import type { Principal } from './access.ts';

export interface ConnectDeps {
  repo: Repository;
  store: ConnectStore;
  clock: Clock;
  secrets: SecretStore;
  /** Secret names start with this (`paylas/<stage>/`). */
  secretsPrefix: string;
  /** Brand visibility, exactly as the rest of the API applies it (another brand's key: not found). */
  brands: { getBrand(p: Principal, brandId: string): Promise<Brand> };
  flows: ConnectFlows;
}

/** How long a consent link may be used. */
export const STATE_TTL_MS = 10 * 60_000;
const STATE_FORMAT = /^([A-Za-z0-9_-]{22})\.(\d{10})\.([A-Za-z0-9_-]{43})$/;
const NEXT_STEP = 'start again (paylas account connect)';

/** A connect link that cannot be used (tampered, replayed, expired, unknown): the callback page says which. */
export class ConnectStateError extends DomainError {
  readonly code = 'invalid_state';
}

export interface ConnectedView {
  account: AccountView;
  outcome: 'created' | 'updated';
}

/** The callback's result, for the page the browser lands on. */
export interface CallbackResult {
  platform: RedirectPlatform;
  brand: { id: string; name: string };
  connected: ConnectedView[];
}

const viewAccount = ({ credentialRef, ...a }: Account): AccountView => ({ ...a, hasCredentials: credentialRef !== undefined });

/**
 * Connecting real accounts. `start` returns the platform's consent link,
 * carrying a `state` that is HMAC-signed (with a key derived from the
 * install's admin key), bound to the brand, the platform and the PKCE verifier
 * (kept server-side in the state item), valid for ten minutes and redeemed
 * once with a conditional write. `callback` checks it, exchanges the code,
 * stores the tokens in the secret store (never in the table) and creates or
 * updates one account per granted platform account.
 */
export class Connect {
  #stateKey: Promise<Buffer> | undefined;

  constructor(private readonly deps: ConnectDeps) {}

  // ---- start --------------------------------------------------------------

  async start(p: Principal, platformParam: string, input: unknown, baseUrl: string): Promise<StartAnswer> {
    const query = parseOrThrow(StartQuery, input, 'query');
    const platform = this.#redirectPlatform(platformParam);
    const brand = await this.deps.brands.getBrand(p, query.brandId);
    if (query.pageId && platform !== 'facebook' && platform !== 'linkedin') {
      throw new ValidationError([{ path: 'pageId', message: 'applies to Facebook Pages and LinkedIn organizations only' }], 'query');
    }
    const redirectUri = `${baseUrl.replace(/\/+$/, '')}/v1/connect/${platform}/callback`;
    let instanceUrl: string | undefined;
    let app: OAuthApp;
    if (platform === 'mastodon') {
      if (!query.instance) throw new ValidationError([{ path: 'instance', message: 'is required for Mastodon: the instance the account is on, e.g. mastodon.social' }], 'query');
      instanceUrl = mastodonInstance(query.instance);
      app = await this.#mastodonApp(instanceUrl, redirectUri);
    } else {
      if (query.instance) throw new ValidationError([{ path: 'instance', message: 'applies to Mastodon only' }], 'query');
      app = await this.#app(platform);
    }
    const flow = this.deps.flows.redirect[platform];
    const now = this.deps.clock.now();
    const nonce = randomBytes(16).toString('base64url');
    const verifier = randomBytes(32).toString('base64url');
    const validUntil = new Date(now.getTime() + STATE_TTL_MS);
    const state: ConnectState = {
      nonce,
      platform,
      brandId: brand.id,
      verifier,
      redirectUri,
      ...(instanceUrl && { instanceUrl }),
      ...(query.pageId && { pageId: query.pageId }),
      createdAt: now.toISOString(),
      validUntil: validUntil.toISOString(),
    };
    const signed = `${nonce}.${Math.floor(validUntil.getTime() / 1000)}.${await this.#mac(state)}`;
    await this.deps.store.putState(state);
    return {
      platform,
      authorizeUrl: flow.authorizeUrl({ app, redirectUri, state: signed, challenge: pkceChallenge(verifier), ...(instanceUrl && { instanceUrl }) }),
      redirectUri,
      expiresAt: validUntil.toISOString(),
    };
  }

  // ---- callback -----------------------------------------------------------

  async callback(platformParam: string, query: CallbackQuery): Promise<CallbackResult> {
    const platform = this.#redirectPlatform(platformParam);
    const name = PLATFORM_NAMES[platform];
    if (query.error) {
      // The person said no (or the platform did): the link is spent either way.
      if (query.state) await this.#redeem(platform, query.state).catch(() => undefined);
      const denied = /access_denied|user_cancelled|user_denied/i.test(`${query.error} ${query.error_reason ?? ''}`);
      const detail = [query.error, query.error_description].filter(Boolean).join(': ').replace(/\s+/g, ' ').slice(0, 300);
      throw new ConnectRefusedError(denied ? `access was denied on ${name}, so nothing was connected (${detail})` : `${name} did not grant access: ${detail}`);
    }
    if (!query.state) throw new ConnectStateError(`the link has no state; ${NEXT_STEP}`);
    if (!query.code) throw new ConnectRefusedError(`${name} sent no authorization code; ${NEXT_STEP}`);
    const state = await this.#redeem(platform, query.state);
    const app = platform === 'mastodon' ? await this.#mastodonApp(state.instanceUrl!, state.redirectUri) : await this.#app(platform);
    const granted = await this.deps.flows.redirect[platform].exchange({
      app,
      redirectUri: state.redirectUri,
      code: query.code,
      verifier: state.verifier,
      ...(state.instanceUrl && { instanceUrl: state.instanceUrl }),
      ...(state.pageId && { pageId: state.pageId }),
    });
    const brand = await this.deps.repo.getBrand(state.brandId);
    if (!brand) throw new ConnectRefusedError(`the brand this link was made for no longer exists`);
    // Nothing is written when one of the granted accounts belongs to another brand.
    const taken = [];
    for (const found of granted) {
      const claim = await this.deps.store.accountClaim(platform, found.platformAccountId);
      if (claim && claim.brandId !== brand.id) taken.push(found.handle);
    }
    if (taken.length > 0) {
      throw new ConnectRefusedError(
        `the ${name} account${taken.length > 1 ? 's' : ''} ${taken.join(', ')} ${taken.length > 1 ? 'are' : 'is'} already connected to another brand; remove ${taken.length > 1 ? 'them' : 'it'} there first${granted.length > taken.length ? ' (or choose the others with pageId)' : ''}`,
      );
    }
    const connected: ConnectedView[] = [];
    for (const found of granted) connected.push(await this.#save(brand.id, platform, found));
    return { platform, brand: { id: brand.id, name: brand.name }, connected };
  }

  // ---- Bluesky --------------------------------------------------------------

  /** Bluesky has no redirect: an app password signs in once; only the session tokens are kept. */
  async connectBluesky(p: Principal, input: unknown): Promise<ConnectedView> {
    const data = parseOrThrow(BlueskyConnectInput, input);
    await this.deps.brands.getBrand(p, data.brandId);
    const found = await this.deps.flows.blueskySession({ service: data.service.replace(/\/+$/, ''), identifier: data.identifier, appPassword: data.appPassword });
    return this.#save(data.brandId, 'bluesky', found);
  }

  // ---- state ----------------------------------------------------------------

  /** The key states are signed with: derived from the install's admin key, so nothing new has to be provisioned. */
  #key(): Promise<Buffer> {
    this.#stateKey ??= (async () => {
      const admin = await this.deps.secrets.get(adminKeySecretName(this.deps.secretsPrefix));
      if (!admin) throw new NotConfiguredError(`the install's admin key (${adminKeySecretName(this.deps.secretsPrefix)}) is missing from the secret store; connect links are signed with a key derived from it`);
      return Buffer.from(hkdfSync('sha256', admin, 'paylas', 'connect-state-v1', 32));
    })();
    this.#stateKey.catch(() => (this.#stateKey = undefined));
    return this.#stateKey;
  }

  async #mac(s: Pick<ConnectState, 'nonce' | 'platform' | 'brandId' | 'verifier' | 'validUntil'>): Promise<string> {
    const verifierHash = createHash('sha256').update(s.verifier).digest('base64url');
    const exp = Math.floor(Date.parse(s.validUntil) / 1000);
    return createHmac('sha256', await this.#key()).update(['connect-v1', s.platform, s.brandId, s.nonce, exp, verifierHash].join('\n')).digest('base64url');
  }

  /** Checks a state against its item (signature, platform, use, expiry) and redeems it; throws a ConnectStateError saying what is wrong. */
  async #redeem(platform: RedirectPlatform, raw: string): Promise<ConnectState> {
    const m = STATE_FORMAT.exec(raw);
    if (!m) throw new ConnectStateError(`the link's state is malformed (altered, or not made by Paylaş); ${NEXT_STEP}`);
    const [, nonce, exp, mac] = m;
    const state = await this.deps.store.getState(nonce!);
    if (!state) throw new ConnectStateError(`the link is unknown or long expired; ${NEXT_STEP}`);
    const expected = Buffer.from(await this.#mac(state));
    const given = Buffer.from(mac!);
    const signed = expected.length === given.length && timingSafeEqual(expected, given) && Number(exp) === Math.floor(Date.parse(state.validUntil) / 1000);
    if (!signed) throw new ConnectStateError(`the link's state does not carry Paylaş's signature (it was altered); ${NEXT_STEP}`);
    if (state.platform !== platform) throw new ConnectStateError(`the link was made for ${PLATFORM_NAMES[state.platform]}, not ${PLATFORM_NAMES[platform]}; ${NEXT_STEP}`);
    if (state.usedAt) throw new ConnectStateError(`the link was already used (a connect link works once); ${NEXT_STEP}`);
    if (this.deps.clock.now().getTime() > Date.parse(state.validUntil)) throw new ConnectStateError(`the link expired (links work for ${STATE_TTL_MS / 60_000} minutes); ${NEXT_STEP}`);
    if (!(await this.deps.store.redeemState(nonce!, this.deps.clock.now()))) throw new ConnectStateError(`the link was already used (a connect link works once); ${NEXT_STEP}`);
    return state;
  }

  // ---- app credentials --------------------------------------------------------

  #redirectPlatform(value: string): RedirectPlatform {
    const parsed = Platform.safeParse(value);
    if (!parsed.success) {
      throw new ValidationError([{ path: 'platform', message: `${JSON.stringify(value.slice(0, 40))} is not a platform Paylaş publishes to; use one of ${PLATFORMS.join(', ')}` }]);
    }
    if (!isRedirectPlatform(parsed.data)) {
      throw new ValidationError([{ path: 'platform', message: 'Bluesky connects with an app password, not a redirect: POST /v1/connect/bluesky {brandId, identifier, appPassword}' }]);
    }
    return parsed.data;
  }

  async #credential(name: string, platform: Platform): Promise<string> {
    const secretName = appSecretName(this.deps.secretsPrefix, name);
    const value = (await this.deps.secrets.get(secretName))?.trim();
    if (!value) {
      throw new NotConfiguredError(`connecting ${PLATFORM_NAMES[platform]} accounts needs the app credential ${name}: store it as the secret ${secretName} (the local twin reads it from the environment or its secrets.json)`, { missing: name });
    }
    return value;
  }

  async #app(platform: Exclude<RedirectPlatform, 'mastodon'>): Promise<OAuthApp> {
    const names: { clientId: string; clientSecret?: string } = APP_CREDENTIALS[platform];
    const clientId = await this.#credential(names.clientId, platform);
    return { clientId, ...(names.clientSecret && { clientSecret: await this.#credential(names.clientSecret, platform) }) };
  }

  /** Paylaş's app on a Mastodon instance: registered once per instance and redirect URI, kept in the secret store. */
  async #mastodonApp(instanceUrl: string, redirectUri: string): Promise<OAuthApp> {
    const name = appSecretName(this.deps.secretsPrefix, `mastodon-apps/${new URL(instanceUrl).host.replace(/:/g, '_')}`);
    const Cached = z.object({ clientId: z.string().min(1), clientSecret: z.string().min(1), redirectUri: z.string() });
    const raw = await this.deps.secrets.get(name);
    let cached: z.infer<typeof Cached> | undefined;
    try {
      const parsed = raw ? Cached.safeParse(JSON.parse(raw)) : undefined;
      cached = parsed?.success ? parsed.data : undefined;
    } catch {
      cached = undefined;
    }
    if (cached && cached.redirectUri === redirectUri) return { clientId: cached.clientId, clientSecret: cached.clientSecret };
    const app = await this.deps.flows.registerMastodonApp(instanceUrl, redirectUri);
    await this.deps.secrets.put(name, JSON.stringify({ clientId: app.clientId, clientSecret: app.clientSecret, redirectUri }));
    return app;
  }

  // ---- accounts -----------------------------------------------------------------

  /**
   * Stores what was granted: the tokens in the secret store, and the account
   * (matched on brand + platform + platform account id) created or updated to
   * `connected` with its token expiry and scopes.
   */
  async #save(brandId: string, platform: Platform, found: ConnectedAccount): Promise<ConnectedView> {
    const name = PLATFORM_NAMES[platform];
    const owner = async () => {
      const claim = await this.deps.store.accountClaim(platform, found.platformAccountId);
      if (claim && claim.brandId !== brandId) throw new ConnectRefusedError(`the ${name} account ${found.handle} is already connected to another brand; remove it there first`);
      return claim;
    };
    let claim = await owner();
    let outcome: ConnectedView['outcome'] = 'updated';
    let account = claim ? await this.deps.repo.getAccount(brandId, claim.accountId) : undefined;
    if (!account) {
      try {
        account = await this.deps.repo.createAccount({ brandId, platform, handle: found.handle, platformAccountId: found.platformAccountId });
        outcome = 'created';
      } catch (e) {
        if (!(e instanceof StateConflictError)) throw e;
        // Another callback for the same account won the claim a moment ago.
        claim = await owner();
        account = claim ? await this.deps.repo.getAccount(brandId, claim.accountId) : undefined;
        if (!account) throw new ConnectRefusedError(`the ${name} account ${found.handle} is being connected by another request; try again`);
      }
    }
    const credentialRef = accountSecretName(this.deps.secretsPrefix, brandId, account.id);
    await this.deps.secrets.put(credentialRef, JSON.stringify(found.credentials));
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = attempt === 0 ? account : await this.deps.repo.getAccount(brandId, account.id);
      if (!current) break;
      try {
        const saved = await this.deps.repo.saveAccount(
          {
            ...current,
            handle: found.handle,
            status: 'connected',
            credentialRef,
            tokenExpiresAt: found.expiresAt,
            scopes: found.scopes,
            refreshLeaseUntil: undefined,
          },
          current.version,
        );
        return { account: viewAccount(saved), outcome };
      } catch (e) {
        if (!(e instanceof ConcurrentModificationError)) throw e;
      }
    }
    throw new ConnectRefusedError(`the ${name} account ${found.handle} kept changing while it was being connected; try again`);
  }
}

/** A Mastodon instance as its origin: `mastodon.social` and `https://mastodon.social/` both become `https://mastodon.social`. */
export function mastodonInstance(input: string): string {
  const fail = (message: string) => new ValidationError([{ path: 'instance', message }], 'query');
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? input : `https://${input}`);
  } catch {
    throw fail(`${JSON.stringify(input.slice(0, 60))} is not a host name or URL`);
  }
  if (url.protocol !== 'https:') throw fail('must be an https instance');
  if (url.username || url.password || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) throw fail('must be the instance itself, e.g. https://mastodon.social');
  const host = url.hostname;
  if (!host.includes('.') || /^[\d.]+$/.test(host) || host.startsWith('[') || /(^|\.)localhost$/i.test(host)) throw fail('must be a public host name, e.g. mastodon.social');
  return url.origin;
}
