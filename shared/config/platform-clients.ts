import type { Clock } from '../domain/clock.ts';
import { createPlatformClients } from '../platforms/clients.ts';
import { ENV } from './env.ts';

/** The platform clients; in the local twin every platform points at the sandbox platform. */
export function platformClients(clock: Clock, env: Record<string, string | undefined> = process.env) {
  const endpointOverride = env[ENV.platformEndpoint];
  return createPlatformClients({ ...(endpointOverride && { endpointOverride }), timeoutMs: 10_000, now: () => clock.now() });
}
