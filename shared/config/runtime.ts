/**
 * What handlers read from their environment at init is one module each
 * (`clock-env.ts`, `secret-store-env.ts`, `provisioned-secrets-env.ts`), so a
 * function that only needs the clock loads no secret store; handlers import
 * from those. This one re-exports the clock for tests and the twin.
 */
export { clockFromEnv, clockSpec, clockWarpFactor } from './clock-env.ts';

