import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SandboxPlatformServer } from '#infra/sandbox-platform/server.ts';
import { AwsEndpoint, type BusEvent } from '#infra/twin/aws-endpoint.ts';
import { LOCAL_AWS, startSes } from '#infra/twin/local-services.ts';
import { createQueueTable, LocalQueues } from '#infra/twin/queues.ts';
import { FileSecretStore } from '#shared/adapters/file-secret-store.ts';
import { EventBridgePublisher, SesMailer, SqsMessageQueue, SqsPublishQueue } from '#shared/adapters/aws-messaging.ts';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SESClient } from '@aws-sdk/client-ses';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Repository } from '#shared/data/repository.ts';
import { ManualClock } from '#shared/domain/clock.ts';
import type { Platform } from '#shared/domain/primitives.ts';
import { createPlatformClients } from '#shared/platforms/clients.ts';
import { Dispatcher, Publisher, type CrashPoint, type PublishingDeps, type PublishOutcome } from '#shared/use-cases/publishing.ts';
import { startDynalite, type LocalDynamo } from './dynalite.ts';

export class Crash extends Error {
  constructor(readonly point: CrashPoint) {
    super(`crash injected ${point}`);
  }
}

/**
 * The publishing use cases on real parts: dynalite, the sandbox platform, the
 * twin's SQS and EventBridge endpoint (through the real SDK adapters) and
 * aws-ses-v2-local, on a manual clock. `drain()` plays the queue consumer:
 * messages that crash stay in the queue and come back after the visibility
 * timeout, as in SQS.
 */
export class PublishingHarness {
  readonly clock = new ManualClock('2026-12-01T08:00:00.000Z');
  readonly events: BusEvent[] = [];
  readonly crashes: Record<string, number> = {};
  readonly outcomes: Record<string, number> = {};
  crashAt: (point: CrashPoint) => boolean = () => false;
  local!: LocalDynamo;
  repo!: Repository;
  sandbox!: SandboxPlatformServer;
  queues!: LocalQueues;
  dispatcher!: Dispatcher;
  publisher!: Publisher;
  /** What the publisher is built from (tests swap single parts). */
  publishingDeps!: PublishingDeps;
  ses!: Awaited<ReturnType<typeof startSes>>;
  secrets!: FileSecretStore;
  mailer!: SesMailer;
  clients!: ReturnType<typeof createPlatformClients>;
  #endpoint!: AwsEndpoint;
  #dir = mkdtempSync(path.join(tmpdir(), 'paylas-pub-'));

  async start(): Promise<this> {
    this.local = await startDynalite('paylas-publishing');
    this.repo = new Repository(this.local.db, this.local.tableName, this.clock);
    this.sandbox = new SandboxPlatformServer({ clock: this.clock });
    await this.sandbox.start();
    await createQueueTable(this.local.db);
    this.queues = new LocalQueues(this.local.db, this.clock);
    await this.queues.define({ name: 'publish-dlq', visibilityTimeoutSeconds: 30 });
    await this.queues.define({ name: 'publish', visibilityTimeoutSeconds: 360, deadLetter: { queue: 'publish-dlq', maxReceiveCount: 5 } });
    await this.queues.define({ name: 'replies-dlq', visibilityTimeoutSeconds: 30 });
    await this.queues.define({ name: 'replies', visibilityTimeoutSeconds: 360, deadLetter: { queue: 'replies-dlq', maxReceiveCount: 5 } });
    this.#endpoint = new AwsEndpoint({ queues: this.queues, rules: [], busName: 'paylas-test', region: LOCAL_AWS.region, clock: this.clock, onEvent: (e) => this.events.push(e) });
    await this.#endpoint.start(0);
    this.ses = await startSes(path.join(this.#dir, 'outbox'), 0);
    this.secrets = new FileSecretStore(path.join(this.#dir, 'secrets'));
    const aws = { ...LOCAL_AWS, endpoint: this.#endpoint.url };
    this.clients = createPlatformClients({ endpointOverride: this.sandbox.url, timeoutMs: 2000, now: () => this.clock.now() });
    this.mailer = new SesMailer('alerts@paylas.test', new SESClient({ ...LOCAL_AWS, endpoint: this.ses.endpoint }));
    const queue = new SqsPublishQueue(this.#endpoint.queueUrl('publish'), new SQSClient(aws));
    const events = new EventBridgePublisher('paylas-test', new EventBridgeClient(aws));
    const mailer = this.mailer;
    this.dispatcher = new Dispatcher({ repo: this.repo, clock: this.clock, queue, events, mailer });
    this.publishingDeps = {
      repo: this.repo,
      clock: this.clock,
      queue,
      events,
      mailer,
      secrets: this.secrets,
      clients: this.clients,
      leaseMs: 90_000,
      sleep: async (ms) => this.clock.advance(ms),
      crash: (point) => {
        if (this.crashAt(point)) {
          this.crashes[point] = (this.crashes[point] ?? 0) + 1;
          throw new Crash(point);
        }
      },
    };
    this.publisher = new Publisher(this.publishingDeps);
    return this;
  }

  /** A queue of the harness through the real SQS adapter. */
  sqsQueue<T>(name: string): SqsMessageQueue<T> {
    return new SqsMessageQueue<T>(this.#endpoint.queueUrl(name), new SQSClient({ ...LOCAL_AWS, endpoint: this.#endpoint.url }));
  }

  /** The real EventBridge adapter, into `events`. */
  eventPublisher(): EventBridgePublisher {
    return new EventBridgePublisher('paylas-test', new EventBridgeClient({ ...LOCAL_AWS, endpoint: this.#endpoint.url }));
  }

  async stop(): Promise<void> {
    await this.#endpoint?.stop();
    await this.ses?.stop();
    await this.sandbox?.stop();
    await this.local?.stop();
    rmSync(this.#dir, { recursive: true, force: true });
  }

  /** A brand with one connected account per platform (credentials in the secret store). */
  async brandWithAccounts(platforms: Platform[], over: Record<string, unknown> = {}) {
    const brand = await this.repo.createBrand({ name: 'Test', timezone: 'Europe/Istanbul', locale: 'en', reportRecipients: ['owner@brand.test'], ...over });
    const accounts: Record<string, Awaited<ReturnType<Repository['createAccount']>>> = {};
    for (const platform of platforms) {
      const created = await this.repo.createAccount({ brandId: brand.id, platform, handle: `@${platform}`, platformAccountId: `${platform}-${brand.id}` });
      const ref = `test/brands/${brand.id}/accounts/${created.id}`;
      await this.secrets.put(ref, JSON.stringify({ accessToken: `token-${created.id}`, instanceUrl: 'https://m.example' }));
      accounts[platform] = await this.repo.saveAccount({ ...created, credentialRef: ref }, created.version);
    }
    return { brand, accounts };
  }

  /** Replaces an account's stored tokens (and what the account says about their expiry). */
  async setCredentials(account: { brandId: string; id: string }, credentials: Record<string, string>) {
    const current = (await this.repo.getAccount(account.brandId, account.id))!;
    await this.secrets.put(current.credentialRef!, JSON.stringify(credentials));
    return this.repo.saveAccount({ ...current, ...(credentials.expiresAt && { tokenExpiresAt: credentials.expiresAt }) }, current.version);
  }

  async storedCredentials(account: { brandId: string; id: string }): Promise<Record<string, string>> {
    const current = (await this.repo.getAccount(account.brandId, account.id))!;
    return JSON.parse((await this.secrets.get(current.credentialRef!))!) as Record<string, string>;
  }

  /** Delivers publish messages until the queue is empty, moving the clock to each next visible message. */
  async drain(maxDeliveries = 100_000): Promise<number> {
    let deliveries = 0;
    for (;;) {
      const batch = await this.queues.receive('publish', 10);
      if (batch.length === 0) {
        const next = this.queues.nextVisibleAt('publish');
        if (next === undefined) return deliveries;
        this.clock.set(new Date(Math.max(next, this.clock.now().getTime())));
        continue;
      }
      for (const m of batch) {
        if (++deliveries > maxDeliveries) throw new Error('the queue does not drain');
        let outcome: PublishOutcome | 'crashed';
        try {
          outcome = await this.publisher.publishTarget(JSON.parse(m.body));
        } catch (e) {
          if (!(e instanceof Crash)) throw e;
          outcome = 'crashed';
        }
        this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
        if (outcome !== 'crashed') await this.queues.delete('publish', m.id);
      }
    }
  }

  async mails(): Promise<{ subject: string; destination: { to: string[] } }[]> {
    const res = await fetch(`${this.ses.endpoint}/store`);
    return ((await res.json()) as { emails: { subject: string; destination: { to: string[] } }[] }).emails;
  }
}
