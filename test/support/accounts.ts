import type { Account } from '#shared/domain/account.ts';
import type { Platform } from '#shared/domain/primitives.ts';

/** A connected account as the store would hold it, for client tests that need no store. */
export function testAccount(platform: Platform, platformAccountId: string): Account {
  return {
    id: `acc-${platform}`,
    brandId: 'b1',
    platform,
    handle: '@paylas',
    platformAccountId,
    status: 'connected',
    version: 1,
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
  };
}
