import { trustOrigin } from '../domain/public-url.ts';
import { ENV } from './env.ts';

/**
 * In the local twin every platform is the sandbox on loopback: its media URLs
 * are accepted like public ones. Without `PAYLAS_PLATFORM_ENDPOINT` (always,
 * on AWS) nothing is trusted.
 */
export function trustSandboxPlatform(env: Record<string, string | undefined> = process.env): void {
  const endpoint = env[ENV.platformEndpoint];
  if (endpoint) trustOrigin(endpoint);
}
