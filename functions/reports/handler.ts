import { createLogger, logged } from '#shared/observability/logging.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv } from '#shared/config/clock-env.ts';
import { reportDeps } from '#shared/config/report-deps.ts';
import { provisionedSecretStoreFromEnv } from '#shared/config/provisioned-secrets-env.ts';
import { createHttpApi } from '#shared/http/http-api.ts';
import { reportRoutes } from '#shared/http/report-routes.ts';
import { Access } from '#shared/use-cases/access.ts';
import { WeeklyReports } from '#shared/use-cases/reports.ts';

const logger = createLogger('reports');
const config = loadConfig(['table', 'secrets', 'bus', 'email']);
const deps = reportDeps(config, clockFromEnv());
const access = new Access({ repo: deps.repo, secrets: provisionedSecretStoreFromEnv(), secretsPrefix: config.secretsPrefix });

/** The route table the handler serves: `/v1/reports…` (send now, list, preview). */
export const routes = reportRoutes(new WeeklyReports(deps));

const http = createHttpApi(routes, {
  authenticate: (key) => access.authenticate(key),
  onError: (error, requestId) => logger.error('unhandled error', { requestId, error: error as Error }),
});

export const handler = logged(logger, http);
