import { Logger } from '@aws-lambda-powertools/logger';
import { SqsPublishQueue } from '#shared/adapters/aws-messaging.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv, secretStoreFromEnv } from '#shared/config/runtime.ts';
import { createDocumentClient } from '#shared/data/dynamo-client.ts';
import { Repository } from '#shared/data/repository.ts';
import { createHttpApi } from '#shared/http/http-api.ts';
import { managementRoutes } from '#shared/http/management-routes.ts';
import { Management } from '#shared/use-cases/management.ts';

const logger = new Logger();
const config = loadConfig(['table', 'secrets'], ['publish']);
const clock = clockFromEnv();
const management = new Management({
  repo: new Repository(createDocumentClient(), config.tableName, clock),
  clock,
  secrets: secretStoreFromEnv(),
  secretsPrefix: config.secretsPrefix,
  queue: new SqsPublishQueue(config.queueUrls.publish),
});

/** Management API (`/v1`) and liveness (`/health`). */
export const handler = createHttpApi(managementRoutes(management, '1'), {
  authenticate: (key) => management.authenticate(key),
  onError: (error, requestId) => logger.error('unhandled error', { requestId, error: error as Error }),
});
