import { EventBridgePublisher } from '../adapters/aws-event-bus.ts';
import { SesMailer } from '../adapters/aws-ses-mailer.ts';
import { SqsPublishQueue } from '../adapters/aws-sqs-queue.ts';
import { createDocumentClient } from '../data/dynamo-client.ts';
import { Repository } from '../data/repository.ts';
import type { Clock } from '../domain/clock.ts';
import type { DispatchDeps } from '../use-cases/publishing.ts';
import type { Config } from './env.ts';

/** What the publishing functions share, built once per cold start from their config (on the function's table client, when it has one). */
export function publishingDeps(config: Config<'table' | 'bus' | 'email', 'publish'>, clock: Clock, db = createDocumentClient()): DispatchDeps {
  return {
    repo: new Repository(db, config.tableName, clock),
    clock,
    queue: new SqsPublishQueue(config.queueUrls.publish),
    events: new EventBridgePublisher(config.busName),
    mailer: new SesMailer(config.emailFrom),
  };
}
