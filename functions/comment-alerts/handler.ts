import { Logger } from '@aws-lambda-powertools/logger';
import type { ScheduledEvent } from 'aws-lambda';
import { SesMailer } from '#shared/adapters/aws-messaging.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv } from '#shared/config/runtime.ts';
import { CommunityStore } from '#shared/data/community-store.ts';
import { createDocumentClient } from '#shared/data/dynamo-client.ts';
import { Repository } from '#shared/data/repository.ts';
import { CommentAlerts } from '#shared/use-cases/community.ts';

const logger = new Logger();
const config = loadConfig(['table', 'email']);
const clock = clockFromEnv();
const db = createDocumentClient();
const alerts = new CommentAlerts({
  repo: new Repository(db, config.tableName, clock),
  community: new CommunityStore(db, config.tableName, clock),
  clock,
  mailer: new SesMailer(config.emailFrom),
});

/** Every five minutes: mail negative comments that waited for their brand's alert window. */
export async function handler(event: ScheduledEvent) {
  const sent = await alerts.sweep();
  if (sent > 0) logger.info('comment alerts', { sent, time: event.time });
  return { sent };
}
