import { createLogger, logged } from '#shared/observability/logging.ts';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv } from '#shared/config/clock-env.ts';
import { createDocumentClient } from '#shared/data/dynamo-client.ts';
import { MetricsStore } from '#shared/data/metrics-store.ts';
import { Repository } from '#shared/data/repository.ts';
import { ShortLinks } from '#shared/use-cases/metrics.ts';

const logger = createLogger('redirect');
const config = loadConfig(['table']);
const clock = clockFromEnv();
const db = createDocumentClient();
const links = new ShortLinks({ repo: new Repository(db, config.tableName, clock), metrics: new MetricsStore(db, config.tableName), clock });

/** `GET /r/{code}`: count the click, then 302 to the post's UTM-tagged link. */
async function handle(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const code = event.pathParameters?.code ?? '';
  try {
    const url = await links.follow(code);
    if (url) return { statusCode: 302, headers: { location: url, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer-when-downgrade' }, body: '' };
    return { statusCode: 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: { code: 'not_found', message: 'this link does not exist', details: null } }) };
  } catch (error) {
    logger.error('redirect failed', { code, error: error as Error });
    return { statusCode: 503, headers: { 'content-type': 'application/json', 'retry-after': '5' }, body: JSON.stringify({ error: { code: 'unavailable', message: 'try again in a moment', details: null } }) };
  }
}

export const handler = logged(logger, handle);
