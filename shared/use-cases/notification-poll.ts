import type { Account } from '../domain/account.ts';
import type { DomainEvent } from '../domain/events.ts';
import type { Platform } from '../domain/primitives.ts';
import { normaliseBlueskyNotifications } from '../webhooks/normalise.ts';
import { TokenKeeper, type CommunityPlatformDeps } from './tokens.ts';

export type PollDeps = CommunityPlatformDeps;

export interface PollReport {
  accounts: number;
  comments: number;
  failed: number;
  /** One line per account that failed, for the log. */
  errors: string[];
}

const MAX_PAGES = 10;

/**
 * Bluesky has no webhooks: its notifications (replies, mentions) are read
 * newest first down to the last one seen, normalised like a webhook delivery
 * and put on the bus as `CommentReceived`. The cursor moves only after the
 * events are published; overlap is harmless, since ingest is idempotent.
 */
export class NotificationPoller {
  readonly #tokens: TokenKeeper;

  constructor(private readonly deps: PollDeps) {
    this.#tokens = new TokenKeeper(deps);
  }

  async poll(platform: Platform = 'bluesky'): Promise<PollReport> {
    const report: PollReport = { accounts: 0, comments: 0, failed: 0, errors: [] };
    for (const account of await this.deps.repo.listPolledAccounts(platform)) {
      if (account.status !== 'connected') continue;
      report.accounts++;
      try {
        report.comments += await this.#pollAccount(account);
      } catch (e) {
        report.failed++;
        report.errors.push(`${account.platform} ${account.handle}: ${(e as Error).message}`);
      }
    }
    return report;
  }

  async #pollAccount(account: Account): Promise<number> {
    const client = this.deps.clients[account.platform];
    if (!client.notifications) return 0;
    const credentials = await this.#tokens.freshCredentials(account);
    const { latestSeen } = await this.deps.community.getPollCursor(account.brandId, account.id);
    const collected: unknown[] = [];
    let newest = latestSeen;
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await client.notifications({ account, credentials, ...(cursor && { cursor }) });
      let reachedSeen = false;
      for (const n of res.notifications) {
        const at = (n as { indexedAt?: unknown }).indexedAt;
        const indexedAt = typeof at === 'string' && !Number.isNaN(Date.parse(at)) ? new Date(at).toISOString() : undefined;
        if (indexedAt && latestSeen && indexedAt <= latestSeen) {
          reachedSeen = true;
          break;
        }
        collected.push(n);
        if (indexedAt && (!newest || indexedAt > newest)) newest = indexedAt;
      }
      cursor = res.cursor;
      if (reachedSeen || !cursor || res.notifications.length === 0) break;
    }
    const { comments } = normaliseBlueskyNotifications(account.platformAccountId, collected);
    const deliveredAt = this.deps.clock.now().toISOString();
    const events: DomainEvent<'CommentReceived'>[] = comments.map((comment) => ({ type: 'CommentReceived', detail: { brandId: account.brandId, accountId: account.id, comment, deliveredAt } }));
    await this.deps.events.publish(events);
    if (newest && newest !== latestSeen) await this.deps.community.putPollCursor(account.brandId, account.id, newest);
    return events.length;
  }
}
