/**
 * What handlers read from their environment at init, one module each so a
 * function that only needs the clock does not load the Secrets Manager client;
 * import from those modules. This one re-exports them.
 */
export { clockFromEnv, clockSpec, clockWarpFactor } from './clock-env.ts';
export { secretStoreFromEnv } from './secret-store-env.ts';
export { provisionedSecretStoreFromEnv } from './provisioned-secrets-env.ts';

