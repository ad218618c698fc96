import { createLogger, logged } from '#shared/observability/logging.ts';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SesMailer } from '#shared/adapters/aws-ses-mailer.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv, clockWarpFactor } from '#shared/config/clock-env.ts';
import { CommunityStore } from '#shared/data/community-store.ts';
import { createDocumentClient } from '#shared/data/dynamo-client.ts';
import { Repository } from '#shared/data/repository.ts';
import { EventDetails } from '#shared/domain/events.ts';
import { CommentIngest, RECOUNT_AFTER_MS, RetryLater } from '#shared/use-cases/community.ts';

const logger = createLogger('ingest-comments');
const config = loadConfig(['table', 'email']);
const clock = clockFromEnv();
const db = createDocumentClient();
const ingest = new CommentIngest({
  repo: new Repository(db, config.tableName, clock),
  community: new CommunityStore(db, config.tableName, clock),
  clock,
  mailer: new SesMailer(config.emailFrom),
  // It guards a live worker: real time, like the publish lease.
  recountAfterMs: RECOUNT_AFTER_MS * clockWarpFactor(),
});

/**
 * `CommentReceived` events from the bus, through the comments queue: one batch
 * is stored and counted together; records that fail come back (partial batch
 * response), the rest are done.
 */
async function handle(event: SQSEvent): Promise<SQSBatchResponse> {
  const failures: { itemIdentifier: string }[] = [];
  const records: { id: string; detail: ReturnType<typeof EventDetails.CommentReceived.parse> }[] = [];
  for (const r of event.Records) {
    const parsed = EventDetails.CommentReceived.safeParse((JSON.parse(r.body) as { detail?: unknown }).detail);
    if (parsed.success) records.push({ id: r.messageId, detail: parsed.data });
    else {
      // Only the webhook puts these on the bus, after validating them: a malformed one is a bug; keep it for the DLQ.
      logger.error('malformed CommentReceived', { messageId: r.messageId, issues: parsed.error.issues.slice(0, 5) });
      failures.push({ itemIdentifier: r.messageId });
    }
  }
  const { results, failures: failed } = await ingest.ingest(records);
  for (const [id, error] of failed) {
    if (!(error instanceof RetryLater)) logger.error('ingest failed', { messageId: id, error });
    failures.push({ itemIdentifier: id });
  }
  const counts: Record<string, number> = {};
  for (const r of results.values()) counts[r] = (counts[r] ?? 0) + 1;
  logger.info('comments ingested', { ...counts, retried: failed.size });
  return { batchItemFailures: failures };
}

export const handler = logged(logger, handle);
