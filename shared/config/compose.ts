import { EventBridgePublisher, SesMailer, SqsPublishQueue } from '../adapters/aws-messaging.ts';
import { createDocumentClient } from '../data/dynamo-client.ts';
import { Repository } from '../data/repository.ts';
import type { Clock } from '../domain/clock.ts';
import { createPlatformClients } from '../platforms/clients.ts';
import type { DispatchDeps } from '../use-cases/publishing.ts';
import type { CommunityPlatformDeps } from '../use-cases/tokens.ts';
import { CommunityStore } from '../data/community-store.ts';
import { MetricsStore } from '../data/metrics-store.ts';
import { ReportStore } from '../data/report-store.ts';
import type { ReportDeps } from '../use-cases/reports.ts';
import { secretStoreFromEnv } from './runtime.ts';
import { ENV, type Config } from './env.ts';

/** What the publishing functions share, built once per cold start from their config. */
export function publishingDeps(config: Config<'table' | 'bus' | 'email', 'publish'>, clock: Clock): DispatchDeps {
  return {
    repo: new Repository(createDocumentClient(), config.tableName, clock),
    clock,
    queue: new SqsPublishQueue(config.queueUrls.publish),
    events: new EventBridgePublisher(config.busName),
    mailer: new SesMailer(config.emailFrom),
  };
}

/** The platform clients; in the local twin every platform points at the sandbox platform. */
export function platformClients(clock: Clock, env: Record<string, string | undefined> = process.env) {
  const endpointOverride = env[ENV.platformEndpoint];
  return createPlatformClients({ ...(endpointOverride && { endpointOverride }), timeoutMs: 10_000, now: () => clock.now() });
}

/** What the functions that call platforms for the community share: publish-reply, poll-bluesky. */
export function communityPlatformDeps(config: Config<'table' | 'bus' | 'email', never>, clock: Clock): CommunityPlatformDeps {
  const db = createDocumentClient();
  return {
    repo: new Repository(db, config.tableName, clock),
    community: new CommunityStore(db, config.tableName, clock),
    clock,
    secrets: secretStoreFromEnv(),
    clients: platformClients(clock),
    mailer: new SesMailer(config.emailFrom),
    events: new EventBridgePublisher(config.busName),
  };
}

/** What the report functions share: report-due and build-report (and the API's preview). */
export function reportDeps(config: Config<'table' | 'bus' | 'email', never>, clock: Clock): ReportDeps {
  const db = createDocumentClient();
  return {
    repo: new Repository(db, config.tableName, clock),
    metrics: new MetricsStore(db, config.tableName),
    community: new CommunityStore(db, config.tableName, clock),
    reports: new ReportStore(db, config.tableName),
    clock,
    mailer: new SesMailer(config.emailFrom),
    events: new EventBridgePublisher(config.busName),
    opsEmail: config.emailFrom,
  };
}
