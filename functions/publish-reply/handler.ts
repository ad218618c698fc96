import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { SqsMessageQueue } from '#shared/adapters/aws-messaging.ts';
import { communityPlatformDeps } from '#shared/config/compose.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv, clockWarpFactor } from '#shared/config/runtime.ts';
import { ReplyMessage, ReplyPublisher } from '#shared/use-cases/inbox.ts';

const logger = new Logger();
const config = loadConfig(['table', 'bus', 'email', 'secrets'], ['replies']);
const publisher = new ReplyPublisher({ ...communityPlatformDeps(config, clockFromEnv()), replies: new SqsMessageQueue<ReplyMessage>(config.queueUrls.replies), leaseMs: 90_000 * clockWarpFactor() });
const processor = new BatchProcessor(EventType.SQS);

async function replyOne(record: SQSRecord): Promise<void> {
  const message = ReplyMessage.parse(JSON.parse(record.body));
  const outcome = await publisher.handle(message);
  logger.info('reply', { ...message, outcome, receiveCount: record.attributes.ApproximateReceiveCount });
}

/** One requested reply per message, sent exactly once. */
export const handler = (event: SQSEvent, context: Context) => processPartialResponse(event, replyOne, processor, { context });
