import { Logger } from '@aws-lambda-powertools/logger';
import type { ScheduledEvent } from 'aws-lambda';
import { SesMailer } from '#shared/adapters/aws-messaging.ts';
import { platformClients } from '#shared/config/compose.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv, secretStoreFromEnv } from '#shared/config/runtime.ts';
import { createDocumentClient } from '#shared/data/dynamo-client.ts';
import { Repository } from '#shared/data/repository.ts';
import { TokenKeeper } from '#shared/use-cases/tokens.ts';

const logger = new Logger();
const config = loadConfig(['table', 'email', 'secrets']);
const clock = clockFromEnv();
const keeper = new TokenKeeper({
  repo: new Repository(createDocumentClient(), config.tableName, clock),
  clock,
  secrets: secretStoreFromEnv(),
  mailer: new SesMailer(config.emailFrom),
  clients: platformClients(clock),
});

/** Daily: refresh every token that expires within a week; a refusal marks the account and mails the brand. */
export async function handler(event: ScheduledEvent) {
  const report = await keeper.refreshExpiring();
  logger.info('token refresh', { ...report, time: event.time });
  return report;
}
