import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import type { Clock } from '../domain/clock.ts';
import { NotFoundError, StateConflictError, UnauthorizedError } from '../domain/errors.ts';
import { Instant } from '../domain/primitives.ts';
import { parseOrThrow } from '../domain/validation.ts';
import type { DeadLetters, EventArchive } from '../ports/operations.ts';
import type { AdminKey } from './admin-key.ts';

export const ReplayInput = z
  .object({
    from: Instant,
    to: Instant,
  })
  .refine((r) => Date.parse(r.from) < Date.parse(r.to), { message: 'from must be before to', path: ['to'] });

export const PeekQuery = z.object({ max: z.coerce.number().int().min(1).max(10).default(10) });

/** How far back the archive keeps events (its retention). */
const ARCHIVE_RETENTION_MS = 90 * 86_400_000;

export interface OperationsDeps {
  adminKey: AdminKey;
  deadLetters: DeadLetters;
  archive: EventArchive;
  clock: Clock;
  /** Replay names start with this (`paylas-<stage>-`), which is also what the function may describe. */
  replayPrefix: string;
}

/**
 * What an operator does when something is stuck: look into the dead-letter
 * queues, move their messages back once the cause is fixed, and replay the
 * bus archive over a time range. Every consumer is idempotent, so a redrive or
 * a replay never doubles a post, a comment or a count. Admin key only.
 */
export class Operations {
  constructor(private readonly deps: OperationsDeps) {}

  async authenticate(key: string | undefined): Promise<{ kind: 'admin' }> {
    if (!key) throw new UnauthorizedError('missing API key: send Authorization: Bearer <key>');
    if (!(await this.deps.adminKey.matches(key))) throw new UnauthorizedError('operations need the admin API key');
    return { kind: 'admin' };
  }

  async deadLetterQueues() {
    return { items: await this.deps.deadLetters.list(), nextCursor: null };
  }

  async peek(name: string, query: unknown) {
    const { max } = parseOrThrow(PeekQuery, query, 'query');
    await this.#queue(name);
    return { items: await this.deps.deadLetters.peek(name, max), nextCursor: null };
  }

  async redrive(name: string) {
    const queue = await this.#queue(name);
    if (!queue.source) {
      throw new StateConflictError(
        `${name} holds failed EventBridge deliveries and scheduled runs; it has no source queue to move them to. Scheduled work is redone by the next run; replay the archive over the time range instead (paylas events replay).`,
      );
    }
    const { taskHandle } = await this.deps.deadLetters.redrive(name);
    return { queue: name, movingTo: queue.source, messages: queue.messages, taskHandle };
  }

  async replay(input: unknown) {
    const { from, to } = parseOrThrow(ReplayInput, input);
    const now = this.deps.clock.now();
    if (Date.parse(from) < now.getTime() - ARCHIVE_RETENTION_MS) throw new StateConflictError('the archive keeps 90 days of events; from is older than that');
    if (Date.parse(to) > now.getTime()) throw new StateConflictError('to is in the future; events after now are not archived yet');
    const stamp = now.toISOString().replace(/[-:.TZ]/g, '').slice(0, 14);
    const name = `${this.deps.replayPrefix}${stamp}-${randomBytes(3).toString('hex')}`;
    return this.deps.archive.replay(name, new Date(from), new Date(to));
  }

  async replayState(name: string) {
    if (!name.startsWith(this.deps.replayPrefix)) throw new NotFoundError('replay', name);
    const state = await this.deps.archive.describe(name);
    if (!state) throw new NotFoundError('replay', name);
    return state;
  }

  async #queue(name: string) {
    const queue = await this.deps.deadLetters.state(name);
    if (!queue) throw new NotFoundError('dead-letter queue', name);
    return queue;
  }
}
