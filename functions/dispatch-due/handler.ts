import { createLogger, logged } from '#shared/observability/logging.ts';
import type { ScheduledEvent } from 'aws-lambda';
import { publishingDeps } from '#shared/config/publishing-deps.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv } from '#shared/config/clock-env.ts';
import { Dispatcher } from '#shared/use-cases/publishing.ts';

const logger = createLogger('dispatch-due');
const dispatcher = new Dispatcher(publishingDeps(loadConfig(['table', 'bus', 'email'], ['publish']), clockFromEnv()));

/** Every minute: due posts to the publish queue, delayed to their second; overdue ones by the brand's late policy. */
async function handle(event: ScheduledEvent) {
  const report = await dispatcher.dispatchDue();
  if (report.due > 0) logger.info('dispatched', { ...report, time: event.time });
  return report;
}

export const handler = logged(logger, handle);
