import { EventBridgePublisher } from '../adapters/aws-event-bus.ts';
import { SesMailer } from '../adapters/aws-ses-mailer.ts';
import { CommunityStore } from '../data/community-store.ts';
import { createDocumentClient } from '../data/dynamo-client.ts';
import { Repository } from '../data/repository.ts';
import type { Clock } from '../domain/clock.ts';
import type { CommunityPlatformDeps } from '../use-cases/tokens.ts';
import type { Config } from './env.ts';
import { platformClients } from './platform-clients.ts';
import { secretStoreFromEnv } from './secret-store-env.ts';

/** What the functions that call platforms for the community share: publish-reply, poll-bluesky. */
export function communityPlatformDeps(config: Config<'table' | 'bus' | 'email', never>, clock: Clock): CommunityPlatformDeps {
  const db = createDocumentClient();
  return {
    repo: new Repository(db, config.tableName, clock),
    community: new CommunityStore(db, config.tableName, clock),
    clock,
    secrets: secretStoreFromEnv(db),
    clients: platformClients(clock),
    mailer: new SesMailer(config.emailFrom),
    events: new EventBridgePublisher(config.busName),
  };
}
