import { Logger } from '@aws-lambda-powertools/logger';
import type { ScheduledEvent } from 'aws-lambda';
import { EventBridgePublisher, SesMailer, SqsPublishQueue } from '#shared/adapters/aws-messaging.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv } from '#shared/config/runtime.ts';
import { createDocumentClient } from '#shared/data/dynamo-client.ts';
import { Repository } from '#shared/data/repository.ts';
import { Dispatcher } from '#shared/use-cases/publishing.ts';

const logger = new Logger();
const config = loadConfig(['table', 'bus', 'email'], ['publish']);
const clock = clockFromEnv();
const dispatcher = new Dispatcher({
  repo: new Repository(createDocumentClient(), config.tableName, clock),
  clock,
  queue: new SqsPublishQueue(config.queueUrls.publish),
  events: new EventBridgePublisher(config.busName),
  mailer: new SesMailer(config.emailFrom),
});

/** Every minute: due posts to the publish queue, delayed to their second; overdue ones by the brand's late policy. */
export async function handler(event: ScheduledEvent) {
  const report = await dispatcher.dispatchDue();
  if (report.due > 0) logger.info('dispatched', { ...report, time: event.time });
  return report;
}
