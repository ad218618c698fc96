import { createLogger, logged } from '#shared/observability/logging.ts';
import type { ScheduledEvent } from 'aws-lambda';
import { reportDeps } from '#shared/config/report-deps.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv } from '#shared/config/clock-env.ts';
import { WeeklyReports } from '#shared/use-cases/reports.ts';

const logger = createLogger('report-due');
const reports = new WeeklyReports(reportDeps(loadConfig(['table', 'bus', 'email']), clockFromEnv()));

/** Hourly: a ReportDue event per brand whose local report time passed and whose last full week has no report. */
async function handle(event: ScheduledEvent) {
  const found = await reports.findDue();
  logger.info('reports due', { checked: found.checked, due: found.due.length, time: event.time });
  return found;
}

export const handler = logged(logger, handle);
