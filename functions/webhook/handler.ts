import { createLogger, logged } from '#shared/observability/logging.ts';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { EventBridgePublisher } from '#shared/adapters/aws-event-bus.ts';
import { loadConfig } from '#shared/config/env.ts';
import { clockFromEnv } from '#shared/config/clock-env.ts';
import { provisionedSecretStoreFromEnv } from '#shared/config/provisioned-secrets-env.ts';
import { CommunityStore } from '#shared/data/community-store.ts';
import { createDocumentClient } from '#shared/data/dynamo-client.ts';
import { Repository } from '#shared/data/repository.ts';
import { METRIC, OperationalMetrics } from '#shared/observability/metrics.ts';
import { WebhookIntake } from '#shared/use-cases/webhooks.ts';

const logger = createLogger('webhook');
const metrics = new OperationalMetrics('webhook');
const config = loadConfig(['table', 'bus', 'secrets']);
const clock = clockFromEnv();
const db = createDocumentClient();
const repo = new Repository(db, config.tableName, clock);
const intake = new WebhookIntake({
  findAccount: (platform, id) => repo.findAccountByPlatformId(platform, id),
  community: new CommunityStore(db, config.tableName, clock),
  events: new EventBridgePublisher(config.busName),
  secrets: provisionedSecretStoreFromEnv(),
  secretsPrefix: config.secretsPrefix,
  clock,
});

/** `GET|POST /webhooks/{platform}`: handshake, signature over the raw bytes, normalise, put on the bus. */
async function handle(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const name = event.pathParameters?.platform ?? event.rawPath.split('/').pop() ?? '';
  const body = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  try {
    const res = await intake.handle({ method: event.requestContext.http.method, name, query: Object.fromEntries(new URLSearchParams(event.rawQueryString ?? '')), headers, body });
    if (res.outcome !== 'handshake') logger.info('webhook', { platform: name, outcome: res.outcome, reason: res.reason, comments: res.comments, bytes: body.length });
    if (res.outcome === 'rejected') metrics.countBy(METRIC.webhookRejected, 'reason', res.reason ?? `http_${res.status}`);
    if (res.outcome === 'quarantined') metrics.count(METRIC.quarantined);
    metrics.flush();
    return { statusCode: res.status, headers: { 'content-type': res.contentType, 'cache-control': 'no-store' }, body: res.body };
  } catch (error) {
    // Our own failure (the bus or the table): 5xx makes the platform deliver again.
    logger.error('webhook failed', { platform: name, error: error as Error });
    return { statusCode: 503, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: { code: 'unavailable', message: 'try again', details: null } }) };
  }
}

export const handler = logged(logger, handle);
