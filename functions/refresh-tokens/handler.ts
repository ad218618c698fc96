import { createLogger, logged } from '#shared/observability/logging.ts';
import type { ScheduledEvent } from 'aws-lambda';
import { SesMailer } from '#shared/adapters/aws-ses-mailer.ts';
import { platformClients } from '#shared/config/platform-clients.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv } from '#shared/config/clock-env.ts';
import { secretStoreFromEnv } from '#shared/config/secret-store-env.ts';
import { createDocumentClient } from '#shared/data/dynamo-client.ts';
import { Repository } from '#shared/data/repository.ts';
import { TokenKeeper } from '#shared/use-cases/tokens.ts';

const logger = createLogger('refresh-tokens');
const config = loadConfig(['table', 'email', 'secrets']);
const clock = clockFromEnv();
const db = createDocumentClient();
const keeper = new TokenKeeper({
  repo: new Repository(db, config.tableName, clock),
  clock,
  secrets: secretStoreFromEnv(db),
  mailer: new SesMailer(config.emailFrom),
  clients: platformClients(clock),
});

/** Daily: refresh every token that expires within a week; a refusal marks the account and mails the brand. */
async function handle(event: ScheduledEvent) {
  const report = await keeper.refreshExpiring();
  logger.info('token refresh', { ...report, time: event.time });
  return report;
}

export const handler = logged(logger, handle);
