import { createLogger, logged } from '#shared/observability/logging.ts';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { EventBridgePublisher } from '#shared/adapters/aws-event-bus.ts';
import { SesMailer } from '#shared/adapters/aws-ses-mailer.ts';
import { platformClients } from '#shared/config/platform-clients.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv } from '#shared/config/clock-env.ts';
import { secretStoreFromEnv } from '#shared/config/secret-store-env.ts';
import { createDocumentClient } from '#shared/data/dynamo-client.ts';
import { Repository } from '#shared/data/repository.ts';
import { MetricsCollector } from '#shared/use-cases/metrics.ts';

const logger = createLogger('collect-metrics');
const config = loadConfig(['table', 'bus', 'email', 'secrets']);
const clock = clockFromEnv();
const db = createDocumentClient();
const collector = new MetricsCollector({
  repo: new Repository(db, config.tableName, clock),
  clock,
  secrets: secretStoreFromEnv(db),
  clients: platformClients(clock),
  mailer: new SesMailer(config.emailFrom),
  events: new EventBridgePublisher(config.busName),
});

/** Every 15 minutes: pull the insights that are due; stops in time and leaves the rest due for the next run. */
async function handle(event: ScheduledEvent, context: Context) {
  const report = await collector.collect(() => context.getRemainingTimeInMillis());
  logger.info('metrics pull', { ...report, time: event.time });
  return report;
}

export const handler = logged(logger, handle);
