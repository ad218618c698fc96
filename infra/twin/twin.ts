import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ENV } from '#shared/config/env.ts';
import { clockSpec } from '#shared/config/runtime.ts';
import { secretsPrefixFor } from '#shared/config/secret-names.ts';
import { createDocumentClient, DYNAMODB_TIMEOUTS } from '#shared/data/dynamo-client.ts';
import { warpedClock, type Clock } from '#shared/domain/clock.ts';
import { functionEnvironment } from '../wiring/environment.ts';
import { visibilityTimeoutOf, type Wiring } from '../wiring/types.ts';
import { SandboxPlatformServer } from '../sandbox-platform/server.ts';
import { LocalArchive } from './archive.ts';
import { AwsEndpoint, type BusEvent } from './aws-endpoint.ts';
import { DynamoFaultProxy, FaultInjector, PlatformFaultDriver, type FaultReport } from './faults.ts';
import { FunctionError, FunctionHost, type HostFaults } from './function-host.ts';
import { fromHandlerResult, matchRoute, toHttpApiEvent } from './http-event.ts';
import { LOCAL_AWS, startDynamo, startSes } from './local-services.ts';
import { closeServer, listenOnLoopback } from './loopback.ts';
import { QueuePoller } from './queue-poller.ts';
import { createQueueTable, LocalQueues, type QueueMessage } from './queues.ts';
import { Scheduler } from './scheduler.ts';
import { prepareSecrets } from './twin-secrets.ts';

export interface TwinOptions {
  wiring: Wiring;
  /** Data folder: dynalite's LevelDB, the outbox, secrets. */
  home: string;
  port: number;
  sesPort: number;
  dynamoPort: number;
  awsPort: number;
  /** The sandbox social network every platform API is pointed at. */
  sandboxPort: number;
  /** Simulated seconds per real second (1 = real time). */
  timeWarp?: number;
  /** Where the simulated clock starts (default: now). */
  clockOrigin?: Date;
  /** The real instant at which the simulated clock reads `clockOrigin` (default: the start); before it, it reads earlier. */
  clockStartsAt?: Date;
  stage?: string;
  emailFrom?: string;
  /** Execution environments per function. */
  concurrency?: number;
  /** After start, warm every environment in the background (one per function is always warmed before ready). */
  prewarmAll?: boolean;
  /**
   * Fault injection, twin only (see faults.ts): a spec such as `42:chaos`
   * (`PAYLAS_FAULTS`) or an injector. Off when absent.
   */
  faults?: string | FaultInjector;
  /** Env the twin reads secrets from (default: process.env). */
  env?: Record<string, string | undefined>;
  log?: (line: string) => void;
}

const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
export const DELIVERY_DLQ = 'delivery-dlq';
/** With faults on: a killed invocation dies within this many real ms of its start (if it is still running). */
const KILL_WITHIN_MS = 250;
/** With faults on: how long a delayed DynamoDB answer is held (past the functions' client timeout). */
const DYNAMO_LATE_ANSWER_MS = DYNAMODB_TIMEOUTS.requestTimeout + 2_000;

/**
 * The whole pipeline on one machine: the same handler modules as Lambda, from
 * the same wiring, on dynalite, aws-ses-v2-local, a local bus and queues, a
 * scheduler and an HTTP API, all on 127.0.0.1.
 */
export class Twin {
  readonly clock: Clock;
  readonly timeWarp: number;
  readonly hosts: Record<string, FunctionHost> = {};
  readonly busEvents: { event: BusEvent; deliveredTo: string[] }[] = [];
  queues!: LocalQueues;
  scheduler!: Scheduler;
  urls = { api: '', ses: '', dynamodb: '', aws: '', sandbox: '' };
  sandbox!: SandboxPlatformServer;
  adminKey = '';
  /** With `prewarmAll`: settles when every function's environments are initialised (benchmarks wait for it). */
  warmed: Promise<void> = Promise.resolve();
  secretsFile = '';
  /** The fault injector, when faults are on (`GET /_twin/faults` shows its counters). */
  readonly faults: FaultInjector | undefined;
  #platformFaults: PlatformFaultDriver | undefined;
  #server: Server | undefined;
  #stops: (() => Promise<void>)[] = [];
  #pollers: QueuePoller[] = [];
  #ready = false;
  #stopping = false;

  private constructor(readonly options: TwinOptions) {
    this.timeWarp = options.timeWarp ?? 1;
    this.faults = typeof options.faults === 'string' ? FaultInjector.fromSpec(options.faults) : options.faults;
    this.clock = warpedClock(this.timeWarp, options.clockOrigin ?? new Date(), options.clockStartsAt ?? new Date());
  }

  static async start(options: TwinOptions): Promise<Twin> {
    const twin = new Twin(options);
    try {
      await twin.#start();
    } catch (e) {
      await twin.stop();
      throw e;
    }
    return twin;
  }

  get stage(): string {
    return this.options.stage ?? 'local';
  }

  get tableName(): string {
    return `paylas-${this.stage}`;
  }

  async #start(): Promise<void> {
    const { wiring, home } = this.options;
    const log = this.options.log ?? (() => undefined);
    const region = LOCAL_AWS.region;
    await mkdir(home, { recursive: true });
    const prefix = secretsPrefixFor(this.stage);
    const secrets = await prepareSecrets(home, this.options.env ?? process.env, prefix);
    this.adminKey = secrets.secrets.PAYLAS_API_KEY;
    this.secretsFile = secrets.file;

    const dynamo = await startDynamo(path.join(home, 'dynamodb'), this.options.dynamoPort, this.tableName);
    this.#stops.push(dynamo.stop);
    this.urls.dynamodb = dynamo.endpoint;
    // With faults on, the functions reach dynalite through a proxy that throttles, drops and delays answers;
    // the twin's own stores (queues, archive) do not.
    let functionsDynamo = dynamo.endpoint;
    if (this.faults) {
      const proxy = new DynamoFaultProxy(dynamo.endpoint, this.faults, { lateMs: DYNAMO_LATE_ANSWER_MS });
      await proxy.start(0);
      this.#stops.push(() => proxy.stop());
      functionsDynamo = proxy.url;
    }
    const ses = await startSes(path.join(home, 'outbox'), this.options.sesPort);
    this.#stops.push(ses.stop);
    this.urls.ses = ses.endpoint;

    this.sandbox = new SandboxPlatformServer({ clock: this.clock, journal: path.join(home, 'sandbox-platform.jsonl') });
    await this.sandbox.start(this.options.sandboxPort);
    this.#stops.push(() => this.sandbox.stop());
    this.urls.sandbox = this.sandbox.url;

    const db = createDocumentClient({ ...LOCAL_AWS, endpoint: dynamo.endpoint });
    this.#stops.push(async () => db.destroy());
    await createQueueTable(db);
    this.queues = new LocalQueues(db, this.clock);
    await this.queues.define({ name: DELIVERY_DLQ, visibilityTimeoutSeconds: 30 });
    for (const name of Object.keys(wiring.queues)) {
      await this.queues.define({ name: `${name}-dlq`, visibilityTimeoutSeconds: 30 });
      await this.queues.define({
        name,
        visibilityTimeoutSeconds: visibilityTimeoutOf(wiring, name),
        deadLetter: { queue: `${name}-dlq`, maxReceiveCount: wiring.queues[name]!.maxReceiveCount },
      });
    }

    const busName = `paylas-${this.stage}`;
    const aws = new AwsEndpoint({
      queues: this.queues,
      rules: wiring.rules,
      busName,
      region,
      clock: this.clock,
      onEvent: (event, deliveredTo) => this.busEvents.push({ event, deliveredTo }),
      archive: new LocalArchive(db, busName),
      ...(this.faults && { faults: this.faults }),
    });
    await aws.start(this.options.awsPort);
    this.#stops.push(() => aws.stop());
    this.urls.aws = aws.url;

    const clock = clockSpec(this.timeWarp, this.clock.now(), new Date());
    const sqsArn = (queue: string) => `arn:aws:sqs:${region}:000000000000:${queue}`;
    const operations = JSON.stringify({
      deadLetterQueues: [DELIVERY_DLQ, ...Object.keys(wiring.queues).map((q) => `${q}-dlq`)].map((name) => {
        const source = this.queues.deadLetterSourceOf(name);
        return { name, url: aws.queueUrl(name), arn: sqsArn(name), ...(source && { source }) };
      }),
      archiveArn: `arn:aws:events:${region}:000000000000:archive/${busName}-events`,
      busArn: `arn:aws:events:${region}:000000000000:event-bus/${busName}`,
      replayPrefix: `${busName}-`,
    });
    for (const [name, spec] of Object.entries(wiring.functions)) {
      const env: Record<string, string> = {
        // What Lambda's runtime provides.
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
        AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
        AWS_LAMBDA_FUNCTION_NAME: `paylas-${this.stage}-${name}`,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        TZ: 'UTC',
        NODE_ENV: 'production',
        POWERTOOLS_SERVICE_NAME: `paylas-${name}`,
        // Lambda runs Node 24; the SDK's notice about local Node 20 is noise here.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        // Where the stand-ins are (the SDK reads these).
        AWS_ENDPOINT_URL_DYNAMODB: functionsDynamo,
        AWS_ENDPOINT_URL_SES: ses.endpoint,
        AWS_ENDPOINT_URL_EVENTBRIDGE: aws.url,
        AWS_ENDPOINT_URL_SQS: aws.url,
        [ENV.clock]: clock,
        [ENV.platformEndpoint]: this.sandbox.url,
        ...(spec.secrets && { [ENV.secretsDir]: secrets.storeDir }),
        ...functionEnvironment(spec, {
          stage: this.stage,
          tableName: this.tableName,
          busName,
          emailFrom: this.options.emailFrom ?? 'reports@paylas.local',
          secretsPrefix: prefix,
          queueUrl: (q) => aws.queueUrl(q),
          operations: () => operations,
        }),
      };
      const host = new FunctionHost(name, spec, env, { concurrency: this.options.concurrency ?? 4, region, onLog: (fn, line) => log(`[${fn}] ${line}`), ...(this.faults && { faults: this.#hostFaults(this.faults) }) });
      this.hosts[name] = host;
      this.#stops.push(() => host.stop());
    }

    // One warm environment per function, so the first post of the day is not late by a cold start.
    await Promise.all(Object.values(this.hosts).map((h) => h.warm().catch((e: Error) => log(`[${h.name}] ${e.message}`))));

    for (const [name, spec] of Object.entries(wiring.queues)) {
      const faults = this.faults;
      const delivery = faults && {
        reorder: (queue: string, batch: QueueMessage[]) => (batch.length > 1 && faults.inject('queue.reorder', queue) ? faults.shuffle('queue.reorder.order', batch) : batch),
        duplicate: (queue: string) => faults.inject('queue.duplicate', queue),
      };
      const poller = new QueuePoller(this.queues, name, spec, this.hosts[spec.consumer]!, this.clock, this.timeWarp, region, delivery);
      poller.start();
      this.#pollers.push(poller);
    }

    this.scheduler = new Scheduler(wiring.schedules, this.hosts, this.clock, this.timeWarp, {
      region,
      stage: this.stage,
      deadLetter: async (event, error) => {
        await this.queues.send(DELIVERY_DLQ, JSON.stringify({ event, error }));
      },
    });
    this.scheduler.start();

    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.urls.api = await listenOnLoopback(this.#server, this.options.port);
    // Comments made on the sandbox are delivered to the twin's webhooks, signed with the install's secrets.
    this.sandbox.webhooks = { url: this.urls.api, secrets: { ...secrets.secrets } };
    if (this.faults) {
      this.#platformFaults = new PlatformFaultDriver(this.urls.sandbox, this.faults);
      this.#platformFaults.start();
      this.#stops.push(() => this.#platformFaults!.stop());
    }
    this.#ready = true;
    if (this.options.prewarmAll) {
      this.warmed = (async () => {
        for (const h of Object.values(this.hosts)) await h.warm(h.concurrency).catch(() => undefined);
      })();
    }
    await writeFile(path.join(home, 'twin.json'), `${JSON.stringify({ pid: process.pid, ...this.urls, adminKeyFile: this.secretsFile }, null, 2)}\n`);
  }

  /** Every part up, and the API function answering its own health route. */
  async health(): Promise<{ ok: boolean; parts: Record<string, boolean> }> {
    const parts: Record<string, boolean> = {
      dynamodb: Boolean(this.urls.dynamodb),
      ses: Boolean(this.urls.ses),
      bus: Boolean(this.urls.aws),
      sandbox: Boolean(this.urls.sandbox),
      queues: this.#pollers.length === Object.keys(this.options.wiring.queues).length,
      scheduler: Boolean(this.scheduler),
      http: this.#ready && !this.#stopping,
    };
    const route = matchRoute(this.options.wiring.routes, 'GET', '/health');
    if (route) {
      try {
        const result = fromHandlerResult(
          await this.hosts[route.route.function]!.invoke(
            toHttpApiEvent({ method: 'GET', url: '/health', headers: {}, body: Buffer.alloc(0), sourceIp: '127.0.0.1' }, route),
          ),
        );
        parts[route.route.function] = result.status === 200;
      } catch {
        parts[route.route.function] = false;
      }
    }
    return { ok: Object.values(parts).every(Boolean), parts };
  }

  /** What this twin serves, for the wiring check and for people. */
  describe() {
    const w = this.options.wiring;
    return {
      stage: this.stage,
      now: this.clock.now().toISOString(),
      timeWarp: this.timeWarp,
      urls: this.urls,
      functions: Object.fromEntries(Object.entries(this.hosts).map(([n, h]) => [n, { invocations: h.invocations, coldStarts: h.coldStarts }])),
      routes: w.routes.map((r) => `${r.method} ${r.path}`),
      rules: w.rules.map((r) => ({ name: r.name, queue: r.queue })),
      schedules: w.schedules.map((s) => ({ name: s.name, expression: s.expression, function: s.function })),
      queues: Object.fromEntries(this.queues.names().map((q) => [q, this.queues.depth(q)])),
      busEvents: this.busEvents.length,
      firings: this.scheduler.firings.length,
    };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown, headers: Record<string, string | string[]> = { 'content-type': 'application/json' }) => {
      res.writeHead(status, headers);
      res.end(Buffer.isBuffer(body) ? body : JSON.stringify(body));
    };
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = (req.method ?? 'GET').toUpperCase();
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_REQUEST_BYTES) return send(413, { message: 'Request Entity Too Large' });
        chunks.push(chunk as Buffer);
      }
      if (method === 'GET' && url.pathname === '/health') {
        const h = await this.health();
        return send(h.ok ? 200 : 503, h.ok ? { status: 'ok' } : { status: 'unavailable', parts: h.parts });
      }
      if (method === 'GET' && url.pathname === '/_twin') return send(200, this.describe());
      if (url.pathname === '/_twin/faults') return send(200, await this.#faultControl(method, chunks));
      const queueMatch = method === 'GET' ? /^\/_twin\/queues\/([\w-]+)$/.exec(url.pathname) : null;
      if (queueMatch) {
        if (!this.queues.has(queueMatch[1]!)) return send(404, { message: 'Not Found' });
        return send(200, { name: queueMatch[1], depth: this.queues.depth(queueMatch[1]!), messages: this.queues.messages(queueMatch[1]!) });
      }
      const match = matchRoute(this.options.wiring.routes, method, url.pathname);
      if (!match) return send(404, { message: 'Not Found' });
      const event = toHttpApiEvent(
        { method, url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks), sourceIp: req.socket.remoteAddress ?? '127.0.0.1' },
        match,
      );
      let result: unknown;
      try {
        result = await this.hosts[match.route.function]!.invoke(event);
      } catch (e) {
        this.options.log?.(`[${match.route.function}] ${(e as Error).message}`);
        return send(e instanceof FunctionError && e.errorType === 'Sandbox.Timedout' ? 503 : 500, { message: e instanceof FunctionError && e.errorType === 'Sandbox.Timedout' ? 'Service Unavailable' : 'Internal Server Error' });
      }
      const out = fromHandlerResult(result);
      return send(out.status, out.body, out.headers);
    } catch (e) {
      this.options.log?.(`[gateway] ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent) send(500, { message: 'Internal Server Error' });
    }
  }

  /** The function host's side of fault injection: kills mid-invocation, a skewed clock per environment. */
  #hostFaults(faults: FaultInjector): HostFaults {
    return {
      killAfterMs: () => faults.killAfterMs(KILL_WITHIN_MS),
      killed: (fn) => faults.count('function.kill', fn),
      environment: (fn): Record<string, string> => {
        const skewMs = faults.clockSkewMs(fn);
        return skewMs === 0 ? {} : { [ENV.clock]: clockSpec(this.timeWarp, new Date(this.clock.now().getTime() + skewMs), new Date()) };
      },
    };
  }

  /** `GET /_twin/faults`: what was injected; `POST` `{"active": false}` pauses every fault, `true` resumes. */
  async #faultControl(method: string, chunks: Buffer[]): Promise<FaultReport> {
    if (!this.faults) return { enabled: false };
    let disarm = false;
    if (method === 'POST') {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { active?: unknown };
      if (typeof body.active === 'boolean') this.faults.active = body.active;
      disarm = body.active === false;
    }
    // Paused: what is still armed on the sandbox goes too.
    await (disarm ? this.#platformFaults?.disarm() : this.#platformFaults?.refresh());
    return this.faults.report();
  }

  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    await closeServer(this.#server);
    await this.scheduler?.stop();
    await Promise.all(this.#pollers.map((p) => p.stop()));
    for (const stop of this.#stops.reverse()) await stop().catch(() => undefined);
    await rm(path.join(this.options.home, 'twin.json'), { force: true });
  }
}
