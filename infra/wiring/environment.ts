import { ENV } from '#shared/config/env.ts';
import type { FunctionSpec } from './types.ts';

/** Where a function's bound resources are, as the runtime (CDK tokens, or the twin's local values) names them. */
export interface BoundResources {
  stage: string;
  tableName: string;
  busName: string;
  emailFrom: string;
  secretsPrefix: string;
  queueUrl: (queue: string) => string;
  /** `PAYLAS_OPERATIONS` as JSON (see OperationsResources), for functions with `operations`. */
  operations: () => string;
}

/**
 * The env vars a function gets for its bindings — exactly those, and nothing
 * for what it is not bound to. The CDK stack and the local twin both call this,
 * so a function is configured the same way in both.
 */
export function functionEnvironment(spec: FunctionSpec, r: BoundResources): Record<string, string> {
  return {
    [ENV.stage]: r.stage,
    ...(spec.table && { [ENV.tableName]: r.tableName }),
    ...(spec.bus && { [ENV.busName]: r.busName }),
    ...(spec.email && { [ENV.emailFrom]: r.emailFrom }),
    ...(spec.secrets && { [ENV.secretsPrefix]: r.secretsPrefix }),
    ...(spec.operations && { [ENV.operations]: r.operations() }),
    ...Object.fromEntries((spec.sendsTo ?? []).map((q) => [ENV.queueUrl(q), r.queueUrl(q)])),
  };
}
