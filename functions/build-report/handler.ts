import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { createLogger, logged } from '#shared/observability/logging.ts';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { reportDeps } from '#shared/config/report-deps.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv } from '#shared/config/clock-env.ts';
import { EventDetails } from '#shared/domain/events.ts';
import { WeeklyReports } from '#shared/use-cases/reports.ts';

const logger = createLogger('build-report');
const reports = new WeeklyReports(reportDeps(loadConfig(['table', 'bus', 'email']), clockFromEnv()));
const processor = new BatchProcessor(EventType.SQS);

async function buildOne(record: SQSRecord): Promise<void> {
  const { brandId, week } = EventDetails.ReportDue.parse((JSON.parse(record.body) as { detail?: unknown }).detail);
  const outcome = await reports.send(brandId, week);
  (outcome === 'unknown' ? logger.error : logger.info).call(logger, 'weekly report', { brandId, week, outcome });
}

/** `ReportDue` → build, claim, send through SES, record; one brand-week per message. */
export const handler = logged(logger, async (event: SQSEvent, context: Context) => processPartialResponse(event, buildOne, processor, { context }));
