import { createLogger, logged } from '#shared/observability/logging.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv } from '#shared/config/clock-env.ts';
import { secretStoreFromEnv } from '#shared/config/secret-store-env.ts';
import { ConnectStore } from '#shared/data/connect-store.ts';
import { createDocumentClient } from '#shared/data/dynamo-client.ts';
import { Repository } from '#shared/data/repository.ts';
import { connectRoutes } from '#shared/http/connect-routes.ts';
import { createHttpApi } from '#shared/http/http-api.ts';
import { connectFlowsFromEnv } from '#shared/platforms/oauth.ts';
import { Access } from '#shared/use-cases/access.ts';
import { Connect } from '#shared/use-cases/connect.ts';

const logger = createLogger('connect');
const config = loadConfig(['table', 'secrets']);
const clock = clockFromEnv();
const db = createDocumentClient();
const repo = new Repository(db, config.tableName, clock);
const secrets = secretStoreFromEnv(db);
const access = new Access({ repo, secrets, secretsPrefix: config.secretsPrefix });

/** The route table the handler serves: `/v1/connect/…` (consent link, callback, Bluesky sign-in). */
export const routes = connectRoutes(
  new Connect({
    repo,
    store: new ConnectStore(db, config.tableName),
    clock,
    secrets,
    secretsPrefix: config.secretsPrefix,
    brands: access,
    flows: connectFlowsFromEnv(clock),
  }),
);

const http = createHttpApi(routes, {
  authenticate: (key) => access.authenticate(key),
  onError: (error, requestId) => logger.error('unhandled error', { requestId, error: error as Error }),
});

export const handler = logged(logger, http);
