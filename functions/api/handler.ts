import { createLogger, logged } from '#shared/observability/logging.ts';
import { EventBridgePublisher } from '#shared/adapters/aws-event-bus.ts';
import { SqsMessageQueue, SqsPublishQueue } from '#shared/adapters/aws-sqs-queue.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv } from '#shared/config/clock-env.ts';
import { secretStoreFromEnv } from '#shared/config/secret-store-env.ts';
import { trustSandboxPlatform } from '#shared/config/sandbox-env.ts';
import { CommunityStore } from '#shared/data/community-store.ts';
import { createDocumentClient } from '#shared/data/dynamo-client.ts';
import { Repository } from '#shared/data/repository.ts';
import { communityRoutes } from '#shared/http/community-routes.ts';
import { createHttpApi } from '#shared/http/http-api.ts';
import { managementRoutes } from '#shared/http/management-routes.ts';
import { metricsRoutes } from '#shared/http/metrics-routes.ts';
import { MetricsStore } from '#shared/data/metrics-store.ts';
import { KpiService } from '#shared/use-cases/kpis.ts';
import { reportContracts } from '#shared/http/report-routes.ts';
import { connectContracts } from '#shared/http/connect-routes.ts';
import { operationsContracts } from '#shared/http/operations-routes.ts';
import { Inbox, type ReplyMessage } from '#shared/use-cases/inbox.ts';
import { Management } from '#shared/use-cases/management.ts';
import { WebhookIntake } from '#shared/use-cases/webhooks.ts';

/**
 * Management API (`/v1`), the inbox, the quarantine, KPIs,
 * and liveness (`/health`); reports and connecting accounts have functions of
 * their own.
 */
const logger = createLogger('api');
const config = loadConfig(['table', 'secrets', 'bus'], ['publish', 'replies']);
const clock = clockFromEnv();
trustSandboxPlatform();
const db = createDocumentClient();
const repo = new Repository(db, config.tableName, clock);
const community = new CommunityStore(db, config.tableName, clock);
const secrets = secretStoreFromEnv(db);
const management = new Management({ repo, clock, secrets, secretsPrefix: config.secretsPrefix, queue: new SqsPublishQueue(config.queueUrls.publish) });
const inbox = new Inbox({ repo, community, clock, replies: new SqsMessageQueue<ReplyMessage>(config.queueUrls.replies) });
const intake = new WebhookIntake({
  findAccount: (platform, id) => repo.findAccountByPlatformId(platform, id),
  community,
  events: new EventBridgePublisher(config.busName),
  secrets,
  secretsPrefix: config.secretsPrefix,
  clock,
});

const kpis = new KpiService({ repo, metrics: new MetricsStore(db, config.tableName), clock });

/** The route table the handler serves; the OpenAPI document also lists the report, connect and operator routes. */
export const routes = managementRoutes(management, '1', [...communityRoutes(inbox, intake), ...metricsRoutes(kpis)], [...reportContracts, ...connectContracts, ...operationsContracts]);

const http = createHttpApi(routes, {
  authenticate: (key) => management.authenticate(key),
  onError: (error, requestId) => logger.error('unhandled error', { requestId, error: error as Error }),
});

export const handler = logged(logger, http);
