import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { REPO_ROOT } from '../repo-root.ts';
import type { FunctionSpec } from '../wiring/types.ts';

export class FunctionError extends Error {
  constructor(
    readonly functionName: string,
    readonly errorType: string,
    message: string,
    readonly stack_?: string[],
  ) {
    super(`${functionName}: ${errorType}: ${message}`);
    this.name = 'FunctionError';
  }
}

export interface InvocationRecord {
  functionName: string;
  requestId: string;
  event: unknown;
  startedAt: number;
  durationMs: number;
  coldStart: boolean;
  outcome: 'ok' | 'error' | 'timeout';
  result?: unknown;
  error?: string;
}

interface Slot {
  worker?: Worker;
  ready?: Promise<void>;
  busy: boolean;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: unknown) => void };

/** Faults the twin may inject into execution environments (see faults.ts); never on AWS. */
export interface HostFaults {
  /** Real milliseconds into this invocation at which its environment is killed, if it is to be. */
  killAfterMs(functionName: string): number | undefined;
  killed(functionName: string): void;
  /** Env overrides for a new execution environment (a skewed clock). */
  environment?(functionName: string): Record<string, string>;
}

/**
 * A Lambda function in the twin: up to `concurrency` execution environments
 * (worker threads), each with only the function's env, its module initialised
 * once and reused; the timeout is enforced by discarding the environment, as
 * Lambda does.
 */
export class FunctionHost extends EventEmitter {
  readonly #slots: Slot[];
  readonly #waiting: ((slot: Slot) => void)[] = [];
  readonly #pending = new Map<string, Pending>();
  #stopped = false;
  coldStarts = 0;
  invocations = 0;

  constructor(
    readonly name: string,
    readonly spec: FunctionSpec,
    private readonly env: Record<string, string>,
    private readonly options: { concurrency: number; region: string; onLog?: (name: string, line: string) => void; faults?: HostFaults },
  ) {
    super();
    this.#slots = Array.from({ length: options.concurrency }, () => ({ busy: false }));
  }

  async invoke(event: unknown): Promise<unknown> {
    if (this.#stopped) throw new FunctionError(this.name, 'ServiceException', 'the twin is stopping');
    const slot = await this.#acquire();
    const requestId = randomUUID();
    const startedAt = Date.now();
    const coldStart = !slot.worker;
    const record = (outcome: InvocationRecord['outcome'], extra: Partial<InvocationRecord>) =>
      this.emit('invocation', { functionName: this.name, requestId, event, startedAt, durationMs: Date.now() - startedAt, coldStart, outcome, ...extra } satisfies InvocationRecord);
    try {
      this.invocations++;
      const result = await this.#run(slot, event, requestId);
      record('ok', { result });
      return result;
    } catch (e) {
      record(e instanceof FunctionError && e.errorType === 'Sandbox.Timedout' ? 'timeout' : 'error', { error: (e as Error).message });
      throw e;
    } finally {
      this.#release(slot);
    }
  }

  /** Starts `count` execution environments ahead of the first events (like provisioned concurrency). */
  async warm(count = 1): Promise<void> {
    const slots = this.#slots.filter((s) => !s.busy && !s.worker).slice(0, count);
    for (const slot of slots) {
      slot.busy = true;
      this.#spawn(slot);
    }
    try {
      await Promise.all(slots.map((s) => s.ready));
    } finally {
      for (const slot of slots) this.#release(slot);
    }
  }

  async #run(slot: Slot, event: unknown, requestId: string): Promise<unknown> {
    if (!slot.worker) this.#spawn(slot);
    const timeoutMs = this.spec.timeoutSeconds * 1000;
    const deadline = Date.now() + timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    let kill: NodeJS.Timeout | undefined;
    const killAfter = this.options.faults?.killAfterMs(this.name);
    try {
      return await Promise.race([
        (async () => {
          await slot.ready;
          const id = randomUUID();
          return new Promise((resolve, reject) => {
            this.#pending.set(id, { resolve, reject });
            slot.worker!.postMessage({ id, event, deadline, requestId });
          });
        })(),
        new Promise((_, reject) => {
          timer = setTimeout(() => {
            // A timed-out environment is discarded; the next invocation starts cold.
            void this.#discard(slot);
            reject(new FunctionError(this.name, 'Sandbox.Timedout', `Task timed out after ${this.spec.timeoutSeconds.toFixed(2)} seconds`));
          }, timeoutMs);
        }),
        new Promise((_, reject) => {
          if (killAfter === undefined) return;
          kill = setTimeout(() => {
            // Like a Lambda environment that crashed mid-invocation: the invocation fails, the next one starts cold.
            this.options.faults!.killed(this.name);
            void this.#discard(slot);
            reject(new FunctionError(this.name, 'Runtime.ExitError', `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`));
          }, killAfter);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      clearTimeout(kill);
    }
  }

  #spawn(slot: Slot): void {
    this.coldStarts++;
    const worker = new Worker(new URL('./function-worker.mjs', import.meta.url), {
      env: { ...this.env, ...this.options.faults?.environment?.(this.name) },
      stdout: true,
      stderr: true,
      workerData: {
        entry: pathToFileURL(path.join(REPO_ROOT, this.spec.entry)).href,
        functionName: this.name,
        memoryMb: this.spec.memoryMb,
        region: this.options.region,
      },
      resourceLimits: { maxOldGenerationSizeMb: Math.max(64, this.spec.memoryMb) },
    });
    for (const stream of [worker.stdout, worker.stderr]) {
      let buffer = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buffer += chunk;
        let nl;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          this.options.onLog?.(this.name, buffer.slice(0, nl));
          buffer = buffer.slice(nl + 1);
        }
      });
    }
    slot.worker = worker;
    slot.ready = new Promise<void>((resolve, reject) => {
      worker.once('message', (m: { type: string; error?: { errorType: string; errorMessage: string } }) => {
        if (m.type === 'ready') resolve();
        else {
          void this.#discard(slot);
          reject(new FunctionError(this.name, m.error?.errorType ?? 'Runtime.ImportModuleError', m.error?.errorMessage ?? 'init failed'));
        }
      });
    });
    slot.ready.catch(() => undefined);
    worker.on('message', (m: { type: string; id?: string; result?: unknown; error?: { errorType: string; errorMessage: string; stack: string[] } }) => {
      if (!m.id) return;
      const pending = this.#pending.get(m.id);
      if (!pending) return;
      this.#pending.delete(m.id);
      if (m.type === 'result') pending.resolve(m.result);
      else pending.reject(new FunctionError(this.name, m.error!.errorType, m.error!.errorMessage, m.error!.stack));
    });
    worker.on('error', (e) => {
      this.options.onLog?.(this.name, `runtime error: ${e.message}`);
      void this.#discard(slot);
    });
  }

  async #discard(slot: Slot): Promise<void> {
    const worker = slot.worker;
    slot.worker = undefined;
    slot.ready = undefined;
    await worker?.terminate();
  }

  async #acquire(): Promise<Slot> {
    const free = this.#slots.find((s) => !s.busy);
    if (free) {
      free.busy = true;
      return free;
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(slot: Slot): void {
    const next = this.#waiting.shift();
    if (next) next(slot);
    else slot.busy = false;
  }

  get concurrency(): number {
    return this.#slots.length;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#slots.map((s) => this.#discard(s)));
    for (const [, p] of this.#pending) p.reject(new FunctionError(this.name, 'ServiceException', 'the twin stopped'));
    this.#pending.clear();
  }
}
