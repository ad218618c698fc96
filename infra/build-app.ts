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

/**
 * A stage names every resource (`paylas-<stage>-…`): lower case, digits and
 * dashes, short enough that the longest derived name (an event replay,
 * `paylas-<stage>-` + 21 characters, at most 64) always fits.
 */
export const STAGE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?$/;

/** The whole Paylaş deployment for one stage, checked by cdk-nag (errors fail synth). */
export function buildApp(options: BuildAppOptions) {
  const { stage, env } = options;
  if (!STAGE_NAME.test(stage)) throw new Error(`stage ${JSON.stringify(stage)} must be 1-20 lower-case letters, digits and dashes (not at either end)`);
  const app = options.app ?? new App();
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
