import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { createLogger, logged } from '#shared/observability/logging.ts';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { platformClients } from '#shared/config/platform-clients.ts';
import { publishingDeps } from '#shared/config/publishing-deps.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv, clockWarpFactor } from '#shared/config/clock-env.ts';
import { secretStoreFromEnv } from '#shared/config/secret-store-env.ts';
import { createDocumentClient } from '#shared/data/dynamo-client.ts';
import { PublishMessage } from '#shared/ports/messaging.ts';
import { METRIC, OperationalMetrics } from '#shared/observability/metrics.ts';
import { Publisher } from '#shared/use-cases/publishing.ts';

const logger = createLogger('publish-post');
const metrics = new OperationalMetrics('publish-post');
const clock = clockFromEnv();
const db = createDocumentClient();
const publisher = new Publisher({
  ...publishingDeps(loadConfig(['table', 'bus', 'email', 'secrets'], ['publish']), clock, db),
  secrets: secretStoreFromEnv(db),
  clients: platformClients(clock),
  leaseMs: 90_000 * clockWarpFactor(),
  observe: ({ outcome, lagMs }) => {
    if (outcome === 'published') {
      metrics.count(METRIC.published);
      if (lagMs !== undefined) metrics.milliseconds(METRIC.publishLag, lagMs);
    } else metrics.count(outcome === 'failed' ? METRIC.publishFailed : METRIC.needsReview);
  },
});
const processor = new BatchProcessor(EventType.SQS);

async function publishOne(record: SQSRecord): Promise<void> {
  const message = PublishMessage.parse(JSON.parse(record.body));
  const outcome = await publisher.publishTarget(message);
  logger.info('publish', { ...message, outcome, receiveCount: record.attributes.ApproximateReceiveCount });
}

/** One target per message; a record that throws is retried by SQS (partial batch failure), never the whole batch. */
async function handle(event: SQSEvent, context: Context) {
  try {
    return await processPartialResponse(event, publishOne, processor, { context });
  } finally {
    metrics.flush();
  }
}

export const handler = logged(logger, handle);
