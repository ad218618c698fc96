import { EventBridgePublisher } from '../adapters/aws-event-bus.ts';
import { SesMailer } from '../adapters/aws-ses-mailer.ts';
import { CommunityStore } from '../data/community-store.ts';
import { createDocumentClient } from '../data/dynamo-client.ts';
import { MetricsStore } from '../data/metrics-store.ts';
import { ReportStore } from '../data/report-store.ts';
import { Repository } from '../data/repository.ts';
import type { Clock } from '../domain/clock.ts';
import type { ReportDeps } from '../use-cases/reports.ts';
import type { Config } from './env.ts';

/** What the report functions share: report-due and build-report (and the API's preview). */
export function reportDeps(config: Config<'table' | 'bus' | 'email', never>, clock: Clock): ReportDeps {
  const db = createDocumentClient();
  return {
    repo: new Repository(db, config.tableName, clock),
    metrics: new MetricsStore(db, config.tableName),
    community: new CommunityStore(db, config.tableName, clock),
    reports: new ReportStore(db, config.tableName),
    clock,
    mailer: new SesMailer(config.emailFrom),
    events: new EventBridgePublisher(config.busName),
    opsEmail: config.emailFrom,
  };
}
