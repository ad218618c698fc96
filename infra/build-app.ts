import { App, Validations, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { StatefulStack } from './stacks/stateful-stack.ts';
import { StatelessStack } from './stacks/stateless-stack.ts';
import type { Wiring } from './wiring/types.ts';

export interface BuildAppOptions {
  app?: App;
  stage: string;
  wiring: Wiring;
  emailFrom: string;
  /** Where alarm notifications are mailed; none subscribed when absent. */
  alarmEmail?: string;
  env?: Environment;
}

/** The whole Paylaş deployment for one stage, checked by cdk-nag (errors fail synth). */
export function buildApp(options: BuildAppOptions) {
  const app = options.app ?? new App();
  const { stage, env } = options;
  const stateful = new StatefulStack(app, `Paylas-${stage}-Data`, { stage, env, description: 'Paylaş data: the single table' });
  const stateless = new StatelessStack(app, `Paylas-${stage}-App`, {
    stage,
    env,
    wiring: options.wiring,
    table: stateful.table,
    emailFrom: options.emailFrom,
    ...(options.alarmEmail && { alarmEmail: options.alarmEmail }),
    description: 'Paylaş functions, API, bus, queues, rules and schedules',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stateful, stateless };
}
