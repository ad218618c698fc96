import { createLogger, logged } from '#shared/observability/logging.ts';
import type { ScheduledEvent } from 'aws-lambda';
import { SesMailer } from '#shared/adapters/aws-ses-mailer.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv } from '#shared/config/clock-env.ts';
import { CommunityStore } from '#shared/data/community-store.ts';
import { createDocumentClient } from '#shared/data/dynamo-client.ts';
import { Repository } from '#shared/data/repository.ts';
import { METRIC, OperationalMetrics } from '#shared/observability/metrics.ts';
import { CommentAlerts } from '#shared/use-cases/community.ts';

const logger = createLogger('comment-alerts');
const metrics = new OperationalMetrics('comment-alerts');
const config = loadConfig(['table', 'email']);
const clock = clockFromEnv();
const db = createDocumentClient();
const community = new CommunityStore(db, config.tableName, clock);
const alerts = new CommentAlerts({ repo: new Repository(db, config.tableName, clock), community, clock, mailer: new SesMailer(config.emailFrom) });

/** The quarantine size counts what arrived within this window and still waits for a replay. */
const QUARANTINE_WINDOW_MS = 14 * 86_400_000;

/** Every five minutes: mail negative comments that waited for their brand's alert window; report the quarantine's size. */
async function handle(event: ScheduledEvent) {
  const sent = await alerts.sweep();
  if (sent > 0) logger.info('comment alerts', { sent, time: event.time });
  const quarantined = await community.countQuarantined(new Date(clock.now().getTime() - QUARANTINE_WINDOW_MS));
  // Only when there is something to see: an idle install writes no metric (and pays for none).
  if (quarantined > 0) metrics.count(METRIC.quarantineSize, quarantined);
  metrics.flush();
  return { sent, quarantined };
}

export const handler = logged(logger, handle);
