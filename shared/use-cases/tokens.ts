import type { Account } from '../domain/account.ts';
import { reauthMail } from '../domain/alerts.ts';
import type { Clock } from '../domain/clock.ts';
import { ConcurrentModificationError } from '../domain/errors.ts';
import type { Platform } from '../domain/primitives.ts';
import type { Repository } from '../data/repository.ts';
import { PublishError, type PlatformClient } from '../platforms/platform-client.ts';
import type { EventPublisher, Mailer } from '../ports/messaging.ts';
import type { CommunityStore } from '../data/community-store.ts';
import type { SecretStore } from '../ports/secret-store.ts';

export interface TokenDeps {
  repo: Repository;
  clock: Clock;
  secrets: SecretStore;
  clients: Record<Platform, PlatformClient>;
  mailer: Mailer;
}

/** What a use case that calls platforms for the community needs: tokens, the comment store and the bus. */
export interface CommunityPlatformDeps extends TokenDeps {
  community: CommunityStore;
  events: EventPublisher;
}

/** Refresh tokens this close to expiry before using them. */
const USE_HORIZON_MS = 5 * 60_000;
/** The daily job refreshes what expires within a week. */
const DAILY_HORIZON_MS = 7 * 86_400_000;
const LEASE_MS = 60_000;

export interface RefreshReport {
  checked: number;
  refreshed: number;
  failed: number;
  busy: number;
}

/**
 * Keeps account tokens alive: refreshed just before use, and daily for any that
 * expire within a week. A refresh holds a lease on the account (a conditional
 * write), so a rotating refresh token is never spent twice; the new tokens are
 * stored before the lease is released. A refusal marks the account
 * `reauth_required` and mails the brand; its posts then fail fast.
 */
export class TokenKeeper {
  constructor(private readonly deps: TokenDeps) {}

  async credentials(account: Account): Promise<Record<string, string>> {
    if (!account.credentialRef) return {};
    const raw = await this.deps.secrets.get(account.credentialRef);
    if (!raw) throw new PublishError('definite', `the credentials of ${account.handle} are missing; reconnect the account`, { reauth: true });
    return JSON.parse(raw) as Record<string, string>;
  }

  /** Credentials ready to use now: refreshed first when they expire within five minutes. */
  async freshCredentials(account: Account): Promise<Record<string, string>> {
    const credentials = await this.credentials(account);
    const client = this.deps.clients[account.platform];
    const expiresAt = credentials.expiresAt ? Date.parse(credentials.expiresAt) : Infinity;
    if (!client.refresh || expiresAt - this.deps.clock.now().getTime() > USE_HORIZON_MS) return credentials;
    return this.#refresh(account, client, credentials);
  }

  /** The daily job: every connected account whose token expires within a week. */
  async refreshExpiring(): Promise<RefreshReport> {
    const accounts = await this.deps.repo.listAccountsWithTokensExpiring(new Date(this.deps.clock.now().getTime() + DAILY_HORIZON_MS));
    const report: RefreshReport = { checked: accounts.length, refreshed: 0, failed: 0, busy: 0 };
    for (const account of accounts) {
      const client = this.deps.clients[account.platform];
      if (!client.refresh) continue;
      try {
        await this.#refresh(account, client);
        report.refreshed++;
      } catch (e) {
        if (!(e instanceof PublishError)) throw e;
        if (e.kind === 'definite') report.failed++;
        else report.busy++;
      }
    }
    return report;
  }

  /** `seen`: the credentials the caller found due; if others stored newer ones meanwhile, those are used as they are. */
  async #refresh(stale: Account, client: PlatformClient, seen?: Record<string, string>): Promise<Record<string, string>> {
    const now = this.deps.clock.now();
    const account = await this.deps.repo.getAccount(stale.brandId, stale.id);
    if (!account || account.status !== 'connected') throw new PublishError('definite', `the account ${stale.handle} is ${account?.status ?? 'gone'}: reconnect it`, { reauth: true });
    if (account.refreshLeaseUntil && Date.parse(account.refreshLeaseUntil) > now.getTime()) {
      throw new PublishError('retryable', `the tokens of ${account.handle} are being refreshed`, { retryAfterMs: 5_000 });
    }
    let leased: Account;
    try {
      leased = await this.deps.repo.saveAccount({ ...account, refreshLeaseUntil: new Date(now.getTime() + LEASE_MS).toISOString() }, account.version);
    } catch (e) {
      if (e instanceof ConcurrentModificationError) throw new PublishError('retryable', `the tokens of ${account.handle} are being refreshed`, { retryAfterMs: 5_000 });
      throw e;
    }
    // Read after taking the lease: another refresher may just have stored newer tokens.
    const current = await this.credentials(leased);
    if (seen && JSON.stringify(current) !== JSON.stringify(seen)) {
      await this.#release(leased, {});
      return current;
    }
    try {
      const fresh = await client.refresh!(current, leased);
      await this.deps.secrets.put(leased.credentialRef!, JSON.stringify(fresh));
      await this.#release(leased, fresh.expiresAt ? { tokenExpiresAt: fresh.expiresAt } : {});
      return fresh;
    } catch (e) {
      if (e instanceof PublishError && e.kind === 'definite') {
        await this.#release(leased, { status: 'reauth_required' });
        const brand = await this.deps.repo.getBrand(leased.brandId);
        if (brand) await this.deps.mailer.send(reauthMail(brand, leased, e.message));
      } else {
        await this.#release(leased, {});
      }
      throw e;
    }
  }

  async #release(account: Account, patch: Partial<Account>): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = attempt === 0 ? account : await this.deps.repo.getAccount(account.brandId, account.id);
      if (!current) return;
      try {
        await this.deps.repo.saveAccount({ ...current, ...patch, refreshLeaseUntil: undefined }, current.version);
        return;
      } catch (e) {
        if (!(e instanceof ConcurrentModificationError)) throw e;
      }
    }
  }
}
