import * as z from 'zod';
import { ValidationError } from '../domain/errors.ts';
import { toFieldIssues } from '../domain/validation.ts';

/**
 * Names of the environment variables a function is configured with. The CDK
 * bindings set them and `loadConfig` reads them, from this one list, so grants,
 * env and config cannot drift. Values are resource names, never secrets.
 */
export const ENV = {
  stage: 'PAYLAS_STAGE',
  tableName: 'PAYLAS_TABLE_NAME',
  busName: 'PAYLAS_EVENT_BUS_NAME',
  emailFrom: 'PAYLAS_EMAIL_FROM',
  secretsPrefix: 'PAYLAS_SECRETS_PREFIX',
  /** Local twin only: the secret store is this folder instead of Secrets Manager. */
  secretsDir: 'PAYLAS_SECRETS_DIR',
  /** Local twin only: every platform API is served under this URL (`<url>/<platform>`), by the sandbox platform. */
  platformEndpoint: 'PAYLAS_PLATFORM_ENDPOINT',
  /** Local twin only: `warp:<factor>:<simulated origin ms>:<real origin ms>` runs the clock faster. */
  clock: 'PAYLAS_CLOCK',
  /** The dead-letter queues and the bus archive an operations function may act on (JSON, see OperationsResources). */
  operations: 'PAYLAS_OPERATIONS',
  queueUrl: (queue: string) => `PAYLAS_QUEUE_${queue.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`,
} as const;

/** What a function may be bound to; each binding brings its env var(s). */
export type Binding = 'table' | 'bus' | 'email' | 'secrets' | 'operations';

/** What `PAYLAS_OPERATIONS` names: resource names and ARNs, never secrets. */
export const OperationsResources = z.object({
  deadLetterQueues: z.array(z.object({ name: z.string().min(1), url: z.url(), arn: z.string().min(1), source: z.string().min(1).optional() })).min(1),
  archiveArn: z.string().min(1),
  busArn: z.string().min(1),
  /** Replays this install starts are named with this prefix. */
  replayPrefix: z.string().min(1),
});
export type OperationsResources = z.infer<typeof OperationsResources>;

const schemas = {
  table: z.object({ [ENV.tableName]: z.string().min(3).max(255) }),
  bus: z.object({ [ENV.busName]: z.string().min(1).max(256) }),
  email: z.object({ [ENV.emailFrom]: z.email() }),
  secrets: z.object({ [ENV.secretsPrefix]: z.string().min(1).max(256) }),
  operations: z.object({
    [ENV.operations]: z.string().transform((raw, ctx) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    }).pipe(OperationsResources),
  }),
} as const;

interface BindingConfig {
  table: { tableName: string };
  bus: { busName: string };
  email: { emailFrom: string };
  secrets: { secretsPrefix: string };
  operations: { operations: OperationsResources };
}

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

export type Config<B extends Binding, Q extends string = never> = { stage: string } & UnionToIntersection<BindingConfig[B]> & {
  queueUrls: Record<Q, string>;
};

/**
 * Reads and validates a function's configuration once, at cold start. A missing
 * or malformed variable throws naming it, so a misconfigured function fails at
 * init rather than on the first event.
 */
export function loadConfig<B extends Binding, Q extends string = never>(
  bindings: readonly B[],
  queues: readonly Q[] = [],
  env: Record<string, string | undefined> = process.env,
): Config<B, Q> {
  let shape = z.object({ [ENV.stage]: z.string().min(1).default('local') }) as z.ZodObject;
  for (const b of bindings) shape = shape.extend(schemas[b].shape);
  for (const q of queues) shape = shape.extend({ [ENV.queueUrl(q)]: z.url() });
  const parsed = shape.safeParse(env);
  if (!parsed.success) throw new ValidationError(toFieldIssues(parsed.error), 'configuration');
  const v = parsed.data as Record<string, unknown>;
  const pick = (name: string) => v[name] as string;
  return {
    stage: pick(ENV.stage),
    ...(bindings.includes('table' as B) && { tableName: pick(ENV.tableName) }),
    ...(bindings.includes('bus' as B) && { busName: pick(ENV.busName) }),
    ...(bindings.includes('email' as B) && { emailFrom: pick(ENV.emailFrom) }),
    ...(bindings.includes('secrets' as B) && { secretsPrefix: pick(ENV.secretsPrefix) }),
    ...(bindings.includes('operations' as B) && { operations: v[ENV.operations] as OperationsResources }),
    queueUrls: Object.fromEntries(queues.map((q) => [q, pick(ENV.queueUrl(q))])),
  } as Config<B, Q>;
}
