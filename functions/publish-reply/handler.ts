import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { EventBridgePublisher, SesMailer, SqsMessageQueue } from '#shared/adapters/aws-messaging.ts';
import { platformClients } from '#shared/config/compose.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv, secretStoreFromEnv } from '#shared/config/runtime.ts';
import { CommunityStore } from '#shared/data/community-store.ts';
import { createDocumentClient } from '#shared/data/dynamo-client.ts';
import { Repository } from '#shared/data/repository.ts';
import { ReplyMessage, ReplyPublisher } from '#shared/use-cases/inbox.ts';

const logger = new Logger();
const config = loadConfig(['table', 'bus', 'email', 'secrets'], ['replies']);
const clock = clockFromEnv();
const db = createDocumentClient();
const publisher = new ReplyPublisher({
  repo: new Repository(db, config.tableName, clock),
  community: new CommunityStore(db, config.tableName, clock),
  clock,
  secrets: secretStoreFromEnv(),
  clients: platformClients(clock),
  mailer: new SesMailer(config.emailFrom),
  events: new EventBridgePublisher(config.busName),
  replies: new SqsMessageQueue<ReplyMessage>(config.queueUrls.replies),
});
const processor = new BatchProcessor(EventType.SQS);

async function replyOne(record: SQSRecord): Promise<void> {
  const message = ReplyMessage.parse(JSON.parse(record.body));
  const outcome = await publisher.handle(message);
  logger.info('reply', { ...message, outcome, receiveCount: record.attributes.ApproximateReceiveCount });
}

/** One requested reply per message, sent exactly once. */
export const handler = (event: SQSEvent, context: Context) => processPartialResponse(event, replyOne, processor, { context });
