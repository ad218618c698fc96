import { Logger } from '@aws-lambda-powertools/logger';
import type { ScheduledEvent } from 'aws-lambda';
import { reportDeps } from '#shared/config/compose.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv } from '#shared/config/runtime.ts';
import { WeeklyReports } from '#shared/use-cases/reports.ts';

const logger = new Logger();
const reports = new WeeklyReports(reportDeps(loadConfig(['table', 'bus', 'email']), clockFromEnv()));

/** Hourly: a ReportDue event per brand whose local report time passed and whose last full week has no report. */
export async function handler(event: ScheduledEvent) {
  const found = await reports.findDue();
  logger.info('reports due', { checked: found.checked, due: found.due.length, time: event.time });
  return found;
}
