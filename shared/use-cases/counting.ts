import { randomBytes } from 'node:crypto';
import type { Clock } from '../domain/clock.ts';
import type { Key, Tally } from '../data/tally.ts';

/**
 * A comment stored but not yet counted is only recounted once the worker that
 * stored it must have stopped (longer than the ingest function's timeout);
 * until then a redelivery is handed back to the queue.
 */
export const RECOUNT_AFTER_MS = 2 * 60_000;

/** Thrown for a record that must come back later (the queue redelivers it). */
export class RetryLater extends Error {
  override name = 'RetryLater';
}

export const newToken = () => randomBytes(9).toString('base64url');

/**
 * Decides, for an item found already stored, whether its count landed (see
 * Tally): counted, or taken over for a recount under a new token — only once
 * its writer must have stopped; until then RetryLater hands the message back.
 */
export class Counting {
  constructor(private readonly deps: { tally: Tally; clock: Clock; recountAfterMs?: number | undefined }) {}

  async claimRecount(item: { key: Key; attribute: string; token: string | undefined; since: string; label: string }, day: Key, token: string): Promise<'counted' | 'recount'> {
    if (!item.token || (await this.deps.tally.applied(day, item.token))) return 'counted';
    const age = this.deps.clock.now().getTime() - Date.parse(item.since);
    if (age < (this.deps.recountAfterMs ?? RECOUNT_AFTER_MS)) throw new RetryLater(`${item.label}: stored ${Math.round(age / 1000)} s ago and not counted yet`);
    if (!(await this.deps.tally.moveToken(item.key, item.attribute, item.token, token))) throw new RetryLater(`${item.label}: recounted by another worker`);
    return 'recount';
  }
}
