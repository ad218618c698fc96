import { createLogger, logged } from '#shared/observability/logging.ts';
import type { ScheduledEvent } from 'aws-lambda';
import { communityPlatformDeps } from '#shared/config/community-platform-deps.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv } from '#shared/config/clock-env.ts';
import { NotificationPoller } from '#shared/use-cases/notification-poll.ts';

const logger = createLogger('poll-bluesky');
const poller = new NotificationPoller(communityPlatformDeps(loadConfig(['table', 'bus', 'email', 'secrets']), clockFromEnv()));

/** Every five minutes: Bluesky replies and mentions since the last poll, as CommentReceived events. */
async function handle(event: ScheduledEvent) {
  const report = await poller.poll('bluesky');
  logger.info('bluesky poll', { ...report, time: event.time });
  return report;
}

export const handler = logged(logger, handle);
