import { parseScheduleExpression } from './schedule-expression.ts';

/**
 * The shape of the one wiring description. Plain data with no CDK import, so
 * the CDK stacks and the local twin can both read it.
 */
export type TableAccess = 'read' | 'readwrite';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'ANY';

export interface FunctionSpec<Q extends string = string> {
  description: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** What the function may touch. Each grant also sets the env var naming the resource. */
  table?: TableAccess;
  /** PutEvents on the Paylaş bus. */
  bus?: boolean;
  /** Queues it sends to (SendMessage). */
  sendsTo?: readonly Q[];
  /** SendEmail/SendRawEmail from the configured sender identity. */
  email?: boolean;
  /** The brand credential secrets under the stage's prefix. */
  secrets?: TableAccess;
  /**
   * Operator actions: read and redrive the dead-letter queues (to the queues
   * they came from) and replay the bus archive onto the bus.
   */
  operations?: boolean;
}

export interface QueueSpec<F extends string = string> {
  description: string;
  consumer: F;
  batchSize: number;
  /** Receives before a message moves to the queue's dead-letter queue. */
  maxReceiveCount: number;
  maxBatchingWindowSeconds?: number;
  /** Defaults to 6 × the consumer's timeout (the AWS guidance for event source mappings). */
  visibilityTimeoutSeconds?: number;
}

export interface RouteSpec<F extends string = string> {
  method: HttpMethod;
  /** API Gateway HTTP API path, e.g. `/v1/{proxy+}`. */
  path: string;
  function: F;
}

/** The subset of EventBridge patterns the wiring may use (see README: local bus). */
export interface EventPattern {
  source: readonly string[];
  'detail-type': readonly string[];
}

export interface RuleSpec<Q extends string = string> {
  name: string;
  description: string;
  pattern: EventPattern;
  /** Rules always deliver into a queue: a buffer with retries and a DLQ in front of the consumer. */
  queue: Q;
}

export interface ScheduleSpec<F extends string = string> {
  name: string;
  description: string;
  /** AWS `rate(...)` or 6-field `cron(...)`, UTC. */
  expression: string;
  function: F;
}

export interface Wiring<F extends string = string, Q extends string = string> {
  /** Event `source` of everything Paylaş puts on its bus. */
  eventSource: string;
  functions: Record<F, FunctionSpec<Q>>;
  queues: Record<Q, QueueSpec<F>>;
  routes: readonly RouteSpec<F>[];
  rules: readonly RuleSpec<Q>[];
  schedules: readonly ScheduleSpec<F>[];
}

const NAME = /^[a-z][a-z0-9-]{1,40}$/;
/** Product handlers live in functions/; the twin's own tests wire fixture handlers from test/fixtures/functions/. */
const ENTRY = /^(functions|test\/fixtures\/functions)\/[a-z0-9-]+\/handler\.ts$/;
const VISIBILITY_FACTOR = 6;

export const visibilityTimeoutOf = (w: Wiring, queue: string): number => {
  const q = w.queues[queue]!;
  return q.visibilityTimeoutSeconds ?? VISIBILITY_FACTOR * w.functions[q.consumer]!.timeoutSeconds;
};

/**
 * Every rule the wiring must satisfy, checked before anything is generated from
 * it: names, references, a trigger for every function, a DLQ-backed path for
 * every asynchronous trigger, queue visibility ≥ 6 × the consumer's timeout,
 * schedule expressions AWS accepts.
 */
export function wiringProblems(w: Wiring): string[] {
  const problems: string[] = [];
  const fns = Object.keys(w.functions);
  const queues = Object.keys(w.queues);
  const triggered = new Set<string>();

  for (const [name, f] of Object.entries(w.functions)) {
    if (!NAME.test(name)) problems.push(`function ${name}: name must be kebab-case`);
    if (f.timeoutSeconds < 1 || f.timeoutSeconds > 900) problems.push(`function ${name}: timeout must be 1-900 s`);
    if (f.memoryMb < 128 || f.memoryMb > 10_240) problems.push(`function ${name}: memory must be 128-10240 MB`);
    if (!ENTRY.test(f.entry)) problems.push(`function ${name}: entry must be functions/<name>/handler.ts`);
    for (const q of f.sendsTo ?? []) if (!queues.includes(q)) problems.push(`function ${name}: sends to unknown queue ${q}`);
  }
  for (const [name, q] of Object.entries(w.queues)) {
    if (!NAME.test(name)) problems.push(`queue ${name}: name must be kebab-case`);
    if (!fns.includes(q.consumer)) problems.push(`queue ${name}: unknown consumer ${q.consumer}`);
    else {
      triggered.add(q.consumer);
      const vt = visibilityTimeoutOf(w, name);
      const min = VISIBILITY_FACTOR * w.functions[q.consumer]!.timeoutSeconds;
      if (vt < min) problems.push(`queue ${name}: visibility timeout ${vt} s is below 6 × ${q.consumer}'s timeout (${min} s)`);
    }
    if (!(q.maxReceiveCount >= 1 && q.maxReceiveCount <= 1000)) problems.push(`queue ${name}: maxReceiveCount must be 1-1000 (it feeds a DLQ)`);
    if (!(q.batchSize >= 1 && q.batchSize <= 10_000)) problems.push(`queue ${name}: batchSize must be 1-10000`);
  }
  const routeKeys = new Set<string>();
  for (const r of w.routes) {
    const key = `${r.method} ${r.path}`;
    if (routeKeys.has(key)) problems.push(`route ${key}: declared twice`);
    routeKeys.add(key);
    if (!r.path.startsWith('/')) problems.push(`route ${key}: path must start with /`);
    if (!fns.includes(r.function)) problems.push(`route ${key}: unknown function ${r.function}`);
    else triggered.add(r.function);
  }
  const ruleNames = new Set<string>();
  for (const r of w.rules) {
    if (!NAME.test(r.name) || ruleNames.has(r.name)) problems.push(`rule ${r.name}: name must be unique and kebab-case`);
    ruleNames.add(r.name);
    if (!queues.includes(r.queue)) problems.push(`rule ${r.name}: unknown queue ${r.queue}`);
    if (r.pattern.source.length === 0 || r.pattern['detail-type'].length === 0) problems.push(`rule ${r.name}: pattern needs source and detail-type`);
  }
  for (const s of w.schedules) {
    if (!NAME.test(s.name) || ruleNames.has(s.name)) problems.push(`schedule ${s.name}: name must be unique and kebab-case`);
    ruleNames.add(s.name);
    if (!fns.includes(s.function)) problems.push(`schedule ${s.name}: unknown function ${s.function}`);
    else triggered.add(s.function);
    try {
      parseScheduleExpression(s.expression);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  for (const f of fns) if (!triggered.has(f)) problems.push(`function ${f}: nothing triggers it (no route, queue or schedule)`);
  return problems;
}

/** Checks a wiring and returns it with its names as literal types. */
export function defineWiring<F extends string, Q extends string>(w: Wiring<F, Q>): Wiring<F, Q> {
  const problems = wiringProblems(w as Wiring);
  if (problems.length > 0) throw new Error(`invalid wiring:\n- ${problems.join('\n- ')}`);
  return w;
}
