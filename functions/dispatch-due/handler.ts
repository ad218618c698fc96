import { Logger } from '@aws-lambda-powertools/logger';
import type { ScheduledEvent } from 'aws-lambda';
import { publishingDeps } from '#shared/config/compose.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv } from '#shared/config/runtime.ts';
import { Dispatcher } from '#shared/use-cases/publishing.ts';

const logger = new Logger();
const dispatcher = new Dispatcher(publishingDeps(loadConfig(['table', 'bus', 'email'], ['publish']), clockFromEnv()));

/** Every minute: due posts to the publish queue, delayed to their second; overdue ones by the brand's late policy. */
export async function handler(event: ScheduledEvent) {
  const report = await dispatcher.dispatchDue();
  if (report.due > 0) logger.info('dispatched', { ...report, time: event.time });
  return report;
}
