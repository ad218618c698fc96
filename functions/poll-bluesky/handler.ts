import { Logger } from '@aws-lambda-powertools/logger';
import type { ScheduledEvent } from 'aws-lambda';
import { communityPlatformDeps } from '#shared/config/compose.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv } from '#shared/config/runtime.ts';
import { NotificationPoller } from '#shared/use-cases/notification-poll.ts';

const logger = new Logger();
const poller = new NotificationPoller(communityPlatformDeps(loadConfig(['table', 'bus', 'email', 'secrets']), clockFromEnv()));

/** Every five minutes: Bluesky replies and mentions since the last poll, as CommentReceived events. */
export async function handler(event: ScheduledEvent) {
  const report = await poller.poll('bluesky');
  logger.info('bluesky poll', { ...report, time: event.time });
  return report;
}
