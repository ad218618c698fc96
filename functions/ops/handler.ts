import { createLogger, logged } from '#shared/observability/logging.ts';
import { EventBridgeArchive, SqsDeadLetters } from '#shared/adapters/aws-operations.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv } from '#shared/config/clock-env.ts';
import { provisionedSecretStoreFromEnv } from '#shared/config/provisioned-secrets-env.ts';
import { createHttpApi } from '#shared/http/http-api.ts';
import { operationsRoutes } from '#shared/http/operations-routes.ts';
import { AdminKey } from '#shared/use-cases/admin-key.ts';
import { Operations } from '#shared/use-cases/operations.ts';

const logger = createLogger('ops');
const config = loadConfig(['secrets', 'operations']);
const ops = new Operations({
  adminKey: new AdminKey(provisionedSecretStoreFromEnv(), config.secretsPrefix),
  deadLetters: new SqsDeadLetters(config.operations),
  archive: new EventBridgeArchive(config.operations),
  clock: clockFromEnv(),
  replayPrefix: config.operations.replayPrefix,
});

/** `/v1/ops/…`: dead-letter queues and event replays, for the admin key only. */
export const routes = operationsRoutes(ops);
const http = createHttpApi(routes, {
  authenticate: (key) => ops.authenticate(key),
  onError: (error, requestId) => logger.error('unhandled error', { requestId, error: error as Error }),
});

export const handler = logged(logger, http);
