import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { createLogger, logged } from '#shared/observability/logging.ts';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { SqsMessageQueue } from '#shared/adapters/aws-sqs-queue.ts';
import { communityPlatformDeps } from '#shared/config/community-platform-deps.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv, clockWarpFactor } from '#shared/config/clock-env.ts';
import { ReplyMessage, ReplyPublisher } from '#shared/use-cases/inbox.ts';
import { RECOUNT_AFTER_MS } from '#shared/use-cases/counting.ts';

const logger = createLogger('publish-reply');
const config = loadConfig(['table', 'bus', 'email', 'secrets'], ['replies']);
const publisher = new ReplyPublisher({ ...communityPlatformDeps(config, clockFromEnv()), replies: new SqsMessageQueue<ReplyMessage>(config.queueUrls.replies), leaseMs: 90_000 * clockWarpFactor(), recountAfterMs: RECOUNT_AFTER_MS * clockWarpFactor() });
const processor = new BatchProcessor(EventType.SQS);

async function replyOne(record: SQSRecord): Promise<void> {
  const message = ReplyMessage.parse(JSON.parse(record.body));
  const outcome = await publisher.handle(message);
  logger.info('reply', { ...message, outcome, receiveCount: record.attributes.ApproximateReceiveCount });
}

/** One requested reply per message, sent exactly once. */
export const handler = logged(logger, async (event: SQSEvent, context: Context) => processPartialResponse(event, replyOne, processor, { context }));
