import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { EventBridgePublisher, SesMailer } from '#shared/adapters/aws-messaging.ts';
import { platformClients } from '#shared/config/compose.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv, secretStoreFromEnv } from '#shared/config/runtime.ts';
import { createDocumentClient } from '#shared/data/dynamo-client.ts';
import { Repository } from '#shared/data/repository.ts';
import { MetricsCollector } from '#shared/use-cases/metrics.ts';

const logger = new Logger();
const config = loadConfig(['table', 'bus', 'email', 'secrets']);
const clock = clockFromEnv();
const collector = new MetricsCollector({
  repo: new Repository(createDocumentClient(), config.tableName, clock),
  clock,
  secrets: secretStoreFromEnv(),
  clients: platformClients(clock),
  mailer: new SesMailer(config.emailFrom),
  events: new EventBridgePublisher(config.busName),
});

/** Every 15 minutes: pull the insights that are due; stops in time and leaves the rest due for the next run. */
export async function handler(event: ScheduledEvent, context: Context) {
  const report = await collector.collect(() => context.getRemainingTimeInMillis());
  logger.info('metrics pull', { ...report, time: event.time });
  return report;
}
