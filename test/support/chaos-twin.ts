import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '#infra/repo-root.ts';
import type { FaultReport } from '#infra/twin/faults.ts';
import type { QueueMessage } from '#infra/twin/queues.ts';
import { waitFor } from './wait.ts';

export interface ChaosTwinUrls {
  api: string;
  ses: string;
  dynamodb: string;
  aws: string;
  sandbox: string;
}

/**
 * `npm start` as a process, for runs that kill it: SIGKILL (no clean stop, as
 * a power cut) and a restart on the same data folder. Everything on free
 * 127.0.0.1 ports; the caller stops what it started.
 */
export class ChaosTwin {
  urls!: ChaosTwinUrls;
  adminKey = '';
  secrets: Record<string, string> = {};
  #child: ChildProcess | undefined;
  #exited: Promise<number | null> = Promise.resolve(null);
  #output = '';

  /** `logFile`: the twin's output, function logs included, is appended there (only the last lines are kept in memory). */
  constructor(
    readonly home: string,
    private readonly env: Record<string, string>,
    private readonly logFile?: string,
  ) {}

  get output(): string {
    return this.#output;
  }

  async start(extraEnv: Record<string, string> = {}): Promise<void> {
    this.#output = '';
    const child = spawn(process.execPath, ['--import', 'tsx', 'infra/twin/main.ts'], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        PAYLAS_HOME: this.home,
        PORT: '0',
        PAYLAS_SES_PORT: '0',
        PAYLAS_DYNAMODB_PORT: '0',
        PAYLAS_AWS_PORT: '0',
        PAYLAS_SANDBOX_PORT: '0',
        ...(!this.logFile && { PAYLAS_LOG: 'quiet' }),
        PAYLAS_DEMO: '0',
        ...this.env,
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    const keep = (d: Buffer) => {
      this.#output = (this.#output + d.toString()).slice(-65_536);
      if (this.logFile) appendFileSync(this.logFile, d);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.#exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    let dead = false;
    void this.#exited.then(() => (dead = true));
    this.urls = await waitFor(
      () => {
        if (dead) throw new Error(`the twin exited during start:\n${this.#output}`);
        if (!this.#output.includes('Paylaş local twin is up')) return undefined;
        return JSON.parse(readFileSync(path.join(this.home, 'twin.json'), 'utf8')) as ChaosTwinUrls;
      },
      'the twin to start',
      90_000,
    );
    this.secrets = JSON.parse(readFileSync(path.join(this.home, 'secrets.json'), 'utf8')) as Record<string, string>;
    this.adminKey = this.secrets.PAYLAS_API_KEY!;
  }

  /** SIGKILL: no clean stop; dynalite (its child) stops when it loses its parent. */
  async kill(): Promise<void> {
    this.#child?.kill('SIGKILL');
    await this.#exited;
    // dynalite notices the lost parent and closes LevelDB; give it a moment to let go of the folder's lock.
    await new Promise((r) => setTimeout(r, 500));
  }

  async stop(): Promise<number | null> {
    if (this.#child && this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGTERM');
    return this.#exited;
  }

  async faults(body?: { active: boolean }): Promise<FaultReport> {
    const res = await fetch(`${this.urls.api}/_twin/faults`, body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {});
    return (await res.json()) as FaultReport;
  }

  async describe(): Promise<{ now: string; queues: Record<string, { visible: number; notVisible: number; total: number }>; firings: number }> {
    return (await (await fetch(`${this.urls.api}/_twin`)).json()) as never;
  }

  async queueMessages(name: string): Promise<QueueMessage[]> {
    return ((await (await fetch(`${this.urls.api}/_twin/queues/${name}`)).json()) as { messages: QueueMessage[] }).messages;
  }
}
