import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback } from './loopback.ts';

/**
 * Fault injection for the local twin, and only the twin: the AWS stack has no
 * such code path. `PAYLAS_FAULTS=<seed>:<profile>[,<kind>=<rate>…]` (or the
 * `faults` option) turns it on; every decision comes from a pseudo-random
 * stream seeded by the seed and the fault kind, so a run makes the same
 * sequence of decisions per kind (which requests they hit still depends on
 * timing). Every fault injected is counted; `GET /_twin/faults` shows them.
 *
 * Where each kind is injected:
 * - `dynamodb.*`: a proxy between the functions and dynalite
 *   (`DynamoFaultProxy`): throttling answers the SDK retries, answers dropped
 *   after the write landed, answers held past the client's timeout;
 * - `bus.failed_entry`, `sqs.failed_send`: the twin's AWS endpoint answers
 *   PutEvents with `InternalFailure` entries and SendMessageBatch with failed
 *   entries (SendMessage with a 500);
 * - `platform.*`: the sandbox platform's own faults (429, 500, 503, accepted
 *   then no answer), armed at random through its `/_sandbox/faults` control;
 * - `function.kill`: the function host terminates an execution environment
 *   mid-invocation (the invocation fails as a Lambda crash does; the next one
 *   starts cold);
 * - `queue.duplicate`, `queue.reorder`: the event source mapping delivers a
 *   batch once more after it was processed (as if its delete was lost), and
 *   shuffles the records of a batch;
 * - `clock.skew`: each execution environment's clock is offset by up to
 *   ± `clock.skew` simulated seconds.
 */

export const FAULT_KINDS = [
  'dynamodb.throttle',
  'dynamodb.lost_answer',
  'dynamodb.late_answer',
  'bus.failed_entry',
  'sqs.failed_send',
  'platform.rate_limit',
  'platform.server_error',
  'platform.unavailable',
  'platform.accept_then_timeout',
  'function.kill',
  'queue.duplicate',
  'queue.reorder',
  'clock.skew',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * Per kind: the probability per opportunity (a DynamoDB request, a PutEvents
 * entry, an SQS message sent, an invocation, a batch). Two are not
 * probabilities: `clock.skew` is the bound in simulated seconds, and the
 * `platform.*` rates are the chance, every 400 ms (real), of arming that
 * fault on the sandbox for its next one to three publishing calls.
 */
export type FaultRates = Partial<Record<FaultKind, number>>;

export const FAULT_PROFILES: Record<string, FaultRates> = {
  none: {},
  light: {
    'dynamodb.throttle': 0.01,
    'dynamodb.lost_answer': 0.002,
    'dynamodb.late_answer': 0.0005,
    'bus.failed_entry': 0.01,
    'sqs.failed_send': 0.01,
    'platform.rate_limit': 0.1,
    'platform.server_error': 0.05,
    'platform.unavailable': 0.05,
    'platform.accept_then_timeout': 0.05,
    'function.kill': 0.002,
    'queue.duplicate': 0.02,
    'queue.reorder': 0.2,
    'clock.skew': 2,
  },
  chaos: {
    'dynamodb.throttle': 0.03,
    'dynamodb.lost_answer': 0.006,
    'dynamodb.late_answer': 0.001,
    'bus.failed_entry': 0.03,
    'sqs.failed_send': 0.03,
    'platform.rate_limit': 0.3,
    'platform.server_error': 0.15,
    'platform.unavailable': 0.15,
    'platform.accept_then_timeout': 0.15,
    'function.kill': 0.005,
    'queue.duplicate': 0.05,
    'queue.reorder': 0.3,
    'clock.skew': 5,
  },
};

export interface FaultSpec {
  seed: number;
  profile: string;
  rates: FaultRates;
}

/** Parses `<seed>:<profile>[,<kind>=<rate>…]`, e.g. `42:chaos` or `7:light,function.kill=0.05`. */
export function parseFaultSpec(spec: string): FaultSpec {
  const m = /^(\d{1,10}):([a-z]+)((?:,[a-z_.]+=\d+(?:\.\d+)?)*)$/.exec(spec.trim());
  if (!m) throw new Error(`PAYLAS_FAULTS: expected <seed>:<profile>[,<kind>=<rate>…], got ${JSON.stringify(spec)}`);
  const profile = m[2]!;
  const base = FAULT_PROFILES[profile];
  if (!base) throw new Error(`PAYLAS_FAULTS: unknown profile "${profile}" (${Object.keys(FAULT_PROFILES).join(', ')})`);
  const rates: FaultRates = { ...base };
  for (const part of m[3]!.split(',').filter(Boolean)) {
    const [kind, value] = part.split('=') as [string, string];
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) throw new Error(`PAYLAS_FAULTS: unknown fault kind "${kind}" (${FAULT_KINDS.join(', ')})`);
    rates[kind as FaultKind] = Number(value);
  }
  return { seed: Number(m[1]), profile, rates };
}

/** FNV-1a, to derive one stream seed per kind. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** mulberry32: a small, fast seeded stream in [0, 1); the same seed gives the same numbers (faults, the fault suite, fuzz tests). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** What `GET /_twin/faults` shows. */
export interface FaultReport {
  enabled: boolean;
  seed?: number;
  profile?: string;
  active?: boolean;
  rates?: FaultRates;
  /** Faults injected, by kind (platform faults: those the sandbox answered with). */
  injected?: Record<FaultKind, number>;
  /** Platform faults armed on the sandbox, by kind (each for the next one to three calls). */
  armed?: Record<string, number>;
  /** Execution environments started with a skewed clock, and the largest offset (simulated ms). */
  skew?: { environments: number; maxAbsMs: number };
  /** Extra detail per kind (e.g. which function was killed). */
  detail?: Record<string, Record<string, number>>;
}

/**
 * The seeded decisions and their counters. `active` pauses every kind at once
 * (a driver sets up its data, or checks its invariants, with faults off).
 */
export class FaultInjector {
  readonly injected = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  readonly detail: Record<string, Record<string, number>> = {};
  readonly armed: Record<string, number> = {};
  readonly skew = { environments: 0, maxAbsMs: 0 };
  active = true;
  readonly #streams = new Map<string, () => number>();

  constructor(readonly spec: FaultSpec) {}

  static fromSpec(spec: string): FaultInjector {
    return new FaultInjector(parseFaultSpec(spec));
  }

  rate(kind: FaultKind): number {
    return this.spec.rates[kind] ?? 0;
  }

  /** A number in [0, 1) from the stream of `name`. */
  random(name: string): number {
    let s = this.#streams.get(name);
    if (!s) this.#streams.set(name, (s = seededRandom(hash(`${this.spec.seed}:${name}`))));
    return s();
  }

  /** Whether to inject `kind` now (not counted: call `count` when it happened). */
  roll(kind: FaultKind): boolean {
    const p = this.rate(kind);
    if (!this.active || p <= 0) return false;
    return this.random(kind) < p;
  }

  count(kind: FaultKind, where?: string, n = 1): void {
    this.injected[kind] += n;
    if (where) {
      const d = (this.detail[kind] ??= {});
      d[where] = (d[where] ?? 0) + n;
    }
  }

  /** Rolls and counts in one go, for faults that always take effect once decided. */
  inject(kind: FaultKind, where?: string): boolean {
    if (!this.roll(kind)) return false;
    this.count(kind, where);
    return true;
  }

  /** A seeded shuffle (Fisher–Yates) of a copy of `items`. */
  shuffle<T>(name: string, items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.random(name) * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** The offset (simulated ms) for a new execution environment's clock, within ± the `clock.skew` bound. */
  clockSkewMs(functionName: string): number {
    const bound = this.rate('clock.skew') * 1000;
    if (!this.active || bound <= 0) return 0;
    const ms = Math.round((this.random('clock.skew') * 2 - 1) * bound);
    this.count('clock.skew', functionName);
    this.skew.environments++;
    this.skew.maxAbsMs = Math.max(this.skew.maxAbsMs, Math.abs(ms));
    return ms;
  }

  /** When (real ms after it starts) to kill this invocation, if it is to be killed. */
  killAfterMs(maxMs: number): number | undefined {
    if (!this.roll('function.kill')) return undefined;
    return Math.floor(this.random('function.kill.delay') * maxMs);
  }

  report(): FaultReport {
    return {
      enabled: true,
      seed: this.spec.seed,
      profile: this.spec.profile,
      active: this.active,
      rates: this.spec.rates,
      injected: { ...this.injected },
      armed: { ...this.armed },
      skew: { ...this.skew },
      detail: structuredClone(this.detail),
    };
  }
}

// ---- DynamoDB ---------------------------------------------------------------

const THROTTLES = [
  {
    type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message: 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
  },
  { type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' },
];

/**
 * An HTTP proxy between the functions and dynalite that sometimes answers with
 * a throttling error (the SDK retries it), sometimes forwards the request and
 * drops the answer (the write landed, the caller does not know), and sometimes
 * holds the answer for `lateMs` (past the client's request timeout) before
 * sending it, if the caller is still there.
 */
export class DynamoFaultProxy {
  url = '';
  /** Requests received. */
  requests = 0;
  #server: Server | undefined;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 128 });
  readonly #held = new Set<NodeJS.Timeout>();

  constructor(
    private readonly target: string,
    private readonly faults: FaultInjector,
    private readonly options: { lateMs: number },
  ) {}

  async start(port = 0): Promise<void> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.keepAliveTimeout = 60_000;
    this.url = await listenOnLoopback(this.#server, port);
  }

  async stop(): Promise<void> {
    for (const t of this.#held) clearTimeout(t);
    this.#held.clear();
    await closeServer(this.#server);
    this.#agent.destroy();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    try {
      for await (const c of req) chunks.push(c as Buffer);
    } catch {
      return;
    }
    const body = Buffer.concat(chunks);
    this.requests++;
    const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    if (this.faults.inject('dynamodb.throttle', operation)) {
      const t = THROTTLES[Math.floor(this.faults.random('dynamodb.throttle.type') * THROTTLES.length)]!;
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `twin-fault-${Date.now()}` });
      res.end(JSON.stringify({ __type: t.type, message: t.message }));
      return;
    }
    const lost = this.faults.inject('dynamodb.lost_answer', operation);
    const late = !lost && this.faults.inject('dynamodb.late_answer', operation);
    let answer: { status: number; headers: IncomingMessage['headers']; body: Buffer };
    try {
      answer = await this.#forward(req, body);
    } catch (e) {
      res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: (e as Error).message }));
      return;
    }
    if (lost) {
      // The request was carried out; the caller never hears about it.
      req.socket.destroy();
      return;
    }
    const reply = () => {
      if (res.destroyed || req.socket.destroyed) return;
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    };
    if (!late) return reply();
    const timer = setTimeout(() => {
      this.#held.delete(timer);
      reply();
    }, this.options.lateMs);
    this.#held.add(timer);
  }

  #forward(req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
    const target = new URL(this.target);
    return new Promise((resolve, reject) => {
      const out = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent: this.#agent },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('end', () => resolve({ status: answer.statusCode ?? 500, headers: answer.headers, body: Buffer.concat(parts) }));
          answer.on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });
  }
}

// ---- platforms --------------------------------------------------------------

const PLATFORM_FAULTS = ['rate_limit', 'server_error', 'unavailable', 'accept_then_timeout'] as const;
type SandboxFault = { kind: string; remaining: number };

/**
 * Arms the sandbox platform's own faults at random, through its control API:
 * every `everyMs` (real), each platform fault kind is armed with its rate's
 * probability, for the next one to three publishing calls on any platform.
 * What fired is read back from the sandbox's fault list.
 */
export class PlatformFaultDriver {
  #timer: NodeJS.Timeout | undefined;
  /** Ours, by their place in the sandbox's fault list. */
  readonly #mine: { kind: string; count: number; index: number }[] = [];
  /** What fired on the fault lists disarmed so far. */
  readonly #fired: Record<string, number> = {};
  #busy = false;
  #last: SandboxFault[] = [];

  constructor(
    private readonly sandboxUrl: string,
    private readonly faults: FaultInjector,
    private readonly everyMs = 400,
  ) {}

  start(): void {
    this.#timer = setInterval(() => void this.#tick(), this.everyMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #tick(): Promise<void> {
    if (this.#busy || !this.faults.active) return;
    this.#busy = true;
    try {
      for (const kind of PLATFORM_FAULTS) {
        if (!this.faults.roll(`platform.${kind}`)) continue;
        const count = 1 + Math.floor(this.faults.random('platform.count') * 3);
        const skip = Math.floor(this.faults.random('platform.skip') * 3);
        // Short resets: the twin's clock may run thousands of times faster than real time.
        const index = await this.#post({ platform: '*', kind, count, skip, resetSeconds: 2 });
        if (index !== undefined) this.#mine.push({ kind, count, index });
        this.faults.armed[`platform.${kind}`] = (this.faults.armed[`platform.${kind}`] ?? 0) + count;
      }
    } catch {
      // The sandbox is stopping; nothing to arm.
    } finally {
      this.#busy = false;
    }
  }

  /** Arms a fault; returns its place in the sandbox's list (it appends). */
  async #post(body: Record<string, unknown>): Promise<number | undefined> {
    const res = await fetch(`${this.sandboxUrl}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) return undefined;
    this.#last = ((await res.json()) as { faults: SandboxFault[] }).faults;
    this.#tally();
    return this.#last.length - 1;
  }

  /** Reads the sandbox's fault list again (arming a fault for zero calls returns it) and counts what fired. */
  async refresh(): Promise<void> {
    await this.#post({ platform: '*', kind: 'rate_limit', count: 0 }).catch(() => undefined);
  }

  /** Counts what fired, then disarms what is left on the sandbox (faults paused). */
  async disarm(): Promise<void> {
    await this.refresh();
    for (const kind of PLATFORM_FAULTS) this.#fired[kind] = this.faults.injected[`platform.${kind}`];
    await fetch(`${this.sandboxUrl}/_sandbox/faults`, { method: 'DELETE' }).catch(() => undefined);
    this.#mine.length = 0;
    this.#last = [];
  }

  #tally(): void {
    const fired: Record<string, number> = { ...this.#fired };
    for (const mine of this.#mine) {
      const f = this.#last[mine.index];
      if (f?.kind === mine.kind) fired[f.kind] = (fired[f.kind] ?? 0) + (mine.count - f.remaining);
    }
    for (const kind of PLATFORM_FAULTS) this.faults.injected[`platform.${kind}`] = fired[kind] ?? 0;
  }
}
