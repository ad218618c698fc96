import { Logger } from '@aws-lambda-powertools/logger';
import type { ScheduledEvent } from 'aws-lambda';
import { EventBridgePublisher, SesMailer } from '#shared/adapters/aws-messaging.ts';
import { platformClients } from '#shared/config/compose.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv, secretStoreFromEnv } from '#shared/config/runtime.ts';
import { CommunityStore } from '#shared/data/community-store.ts';
import { createDocumentClient } from '#shared/data/dynamo-client.ts';
import { Repository } from '#shared/data/repository.ts';
import { NotificationPoller } from '#shared/use-cases/notification-poll.ts';

const logger = new Logger();
const config = loadConfig(['table', 'bus', 'email', 'secrets']);
const clock = clockFromEnv();
const db = createDocumentClient();
const poller = new NotificationPoller({
  repo: new Repository(db, config.tableName, clock),
  community: new CommunityStore(db, config.tableName, clock),
  clock,
  secrets: secretStoreFromEnv(),
  clients: platformClients(clock),
  mailer: new SesMailer(config.emailFrom),
  events: new EventBridgePublisher(config.busName),
});

/** Every five minutes: Bluesky replies and mentions since the last poll, as CommentReceived events. */
export async function handler(event: ScheduledEvent) {
  const report = await poller.poll('bluesky');
  logger.info('bluesky poll', { ...report, time: event.time });
  return report;
}
