import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { EventBridgePublisher, SesMailer, SqsPublishQueue } from '#shared/adapters/aws-messaging.ts';
import { ENV, loadConfig } from '#shared/config/env.ts';
import { clockFromEnv, secretStoreFromEnv } from '#shared/config/runtime.ts';
import { createDocumentClient } from '#shared/data/dynamo-client.ts';
import { Repository } from '#shared/data/repository.ts';
import { createPlatformClients } from '#shared/platforms/clients.ts';
import { PublishMessage } from '#shared/ports/messaging.ts';
import { Publisher } from '#shared/use-cases/publishing.ts';

const logger = new Logger();
const config = loadConfig(['table', 'bus', 'email', 'secrets'], ['publish']);
const clock = clockFromEnv();
const endpointOverride = process.env[ENV.platformEndpoint];
const publisher = new Publisher({
  repo: new Repository(createDocumentClient(), config.tableName, clock),
  clock,
  queue: new SqsPublishQueue(config.queueUrls.publish),
  events: new EventBridgePublisher(config.busName),
  mailer: new SesMailer(config.emailFrom),
  secrets: secretStoreFromEnv(),
  clients: createPlatformClients({
    ...(endpointOverride && { endpointOverride }),
    timeoutMs: 10_000,
    now: () => clock.now(),
  }),
});
const processor = new BatchProcessor(EventType.SQS);

async function publishOne(record: SQSRecord): Promise<void> {
  const message = PublishMessage.parse(JSON.parse(record.body));
  const outcome = await publisher.publishTarget(message);
  logger.info('publish', { ...message, outcome, receiveCount: record.attributes.ApproximateReceiveCount });
}

/** One target per message; a record that throws is retried by SQS (partial batch failure), never the whole batch. */
export const handler = (event: SQSEvent, context: Context) => processPartialResponse(event, publishOne, processor, { context });
