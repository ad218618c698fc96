import type { ScheduledEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { Clock } from '#shared/domain/clock.ts';
import { nextFireTime, parseScheduleExpression, type ScheduleExpression } from '../wiring/schedule-expression.ts';
import type { ScheduleSpec } from '../wiring/types.ts';
import type { FunctionHost } from './function-host.ts';

export interface Firing {
  schedule: string;
  /** Simulated time the rule fired for. */
  time: string;
  outcome: 'ok' | 'retried' | 'dead-lettered';
}

/**
 * Fires the wiring's schedules on the twin's clock with the event EventBridge
 * sends, invoking the function asynchronously: a failed invocation is retried
 * twice, then the event goes to the delivery DLQ, as on AWS.
 */
export class Scheduler {
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly firings: Firing[] = [];
  /** Firings skipped because the schedule's previous run was still going (fast time warps only). */
  readonly coalesced: Record<string, number> = {};
  readonly #busy = new Set<string>();
  #running = false;

  constructor(
    private readonly schedules: readonly ScheduleSpec[],
    private readonly hosts: Record<string, FunctionHost>,
    private readonly clock: Clock,
    private readonly timeWarp: number,
    private readonly options: { region: string; stage: string; deadLetter: (event: ScheduledEvent, error: string) => Promise<void> },
  ) {}

  start(): void {
    this.#running = true;
    const origin = this.clock.now();
    for (const s of this.schedules) this.#arm(s, parseScheduleExpression(s.expression), origin);
  }

  #arm(s: ScheduleSpec, expr: ScheduleExpression, origin: Date): void {
    if (!this.#running) return;
    const next = nextFireTime(expr, this.clock.now(), origin);
    if (!next) return;
    const delay = Math.max(0, (next.getTime() - this.clock.now().getTime()) / this.timeWarp);
    this.#timers.set(
      s.name,
      setTimeout(() => {
        // Under a fast time warp a schedule can come round again before its last run ended;
        // the twin then skips that firing (counted) rather than piling runs up.
        if (this.#busy.has(s.name)) {
          this.coalesced[s.name] = (this.coalesced[s.name] ?? 0) + 1;
        } else {
          this.#busy.add(s.name);
          const run = this.#fire(s, next).finally(() => {
            this.#inFlight.delete(run);
            this.#busy.delete(s.name);
          });
          this.#inFlight.add(run);
        }
        this.#arm(s, expr, origin);
      }, delay),
    );
  }

  async #fire(s: ScheduleSpec, time: Date): Promise<void> {
    const event: ScheduledEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.options.region,
      resources: [`arn:aws:events:${this.options.region}:000000000000:rule/paylas-${this.options.stage}-${s.name}`],
      detail: {},
    };
    let lastError = '';
    for (let attempt = 0; attempt < 3 && this.#running; attempt++) {
      try {
        await this.hosts[s.function]!.invoke(event);
        this.firings.push({ schedule: s.name, time: event.time, outcome: attempt === 0 ? 'ok' : 'retried' });
        return;
      } catch (e) {
        lastError = (e as Error).message;
      }
    }
    this.firings.push({ schedule: s.name, time: event.time, outcome: 'dead-lettered' });
    await this.options.deadLetter(event, lastError);
  }

  async stop(): Promise<void> {
    this.#running = false;
    for (const t of this.#timers.values()) clearTimeout(t);
    await Promise.allSettled([...this.#inFlight]);
  }
}
