import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { createLogger, logged } from '#shared/observability/logging.ts';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv, clockWarpFactor } from '#shared/config/clock-env.ts';
import { createDocumentClient } from '#shared/data/dynamo-client.ts';
import { MetricsStore } from '#shared/data/metrics-store.ts';
import { Repository } from '#shared/data/repository.ts';
import { EventDetails } from '#shared/domain/events.ts';
import { MetricsIngest } from '#shared/use-cases/metrics.ts';
import { RECOUNT_AFTER_MS } from '#shared/use-cases/counting.ts';

const logger = createLogger('ingest-metrics');
const config = loadConfig(['table']);
const clock = clockFromEnv();
const db = createDocumentClient();
// The recount guard protects a live worker: real time, like the publish lease.
const ingest = new MetricsIngest({ repo: new Repository(db, config.tableName, clock), metrics: new MetricsStore(db, config.tableName), clock, recountAfterMs: RECOUNT_AFTER_MS * clockWarpFactor() });
const processor = new BatchProcessor(EventType.SQS);

async function ingestOne(record: SQSRecord): Promise<void> {
  const envelope = JSON.parse(record.body) as { 'detail-type'?: string; detail?: unknown };
  const type = envelope['detail-type'];
  const outcome =
    type === 'MetricsReceived'
      ? await ingest.snapshot(EventDetails.MetricsReceived.parse(envelope.detail))
      : type === 'ConversionReceived'
        ? await ingest.conversion(EventDetails.ConversionReceived.parse(envelope.detail))
        : (() => {
            throw new Error(`unexpected detail-type ${type}`);
          })();
  logger.info('metrics', { type, outcome, receiveCount: record.attributes.ApproximateReceiveCount });
}

/** `MetricsReceived` and `ConversionReceived` from the bus: stored once, counted once; failures come back (partial batch response). */
export const handler = logged(logger, async (event: SQSEvent, context: Context) => processPartialResponse(event, ingestOne, processor, { context }));
