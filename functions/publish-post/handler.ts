import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { platformClients, publishingDeps } from '#shared/config/compose.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv, clockWarpFactor, secretStoreFromEnv } from '#shared/config/runtime.ts';
import { PublishMessage } from '#shared/ports/messaging.ts';
import { Publisher } from '#shared/use-cases/publishing.ts';

const logger = new Logger();
const clock = clockFromEnv();
const publisher = new Publisher({
  ...publishingDeps(loadConfig(['table', 'bus', 'email', 'secrets'], ['publish']), clock),
  secrets: secretStoreFromEnv(),
  clients: platformClients(clock),
  leaseMs: 90_000 * clockWarpFactor(),
});
const processor = new BatchProcessor(EventType.SQS);

async function publishOne(record: SQSRecord): Promise<void> {
  const message = PublishMessage.parse(JSON.parse(record.body));
  const outcome = await publisher.publishTarget(message);
  logger.info('publish', { ...message, outcome, receiveCount: record.attributes.ApproximateReceiveCount });
}

/** One target per message; a record that throws is retried by SQS (partial batch failure), never the whole batch. */
export const handler = (event: SQSEvent, context: Context) => processPartialResponse(event, publishOne, processor, { context });
