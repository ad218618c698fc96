import * as z from 'zod';
import { Id, Instant, Platform, Versioned } from './primitives.ts';

export const AccountStatus = z.enum(['connected', 'reauth_required', 'disabled']);
export type AccountStatus = z.infer<typeof AccountStatus>;

export const AccountFields = z.object({
  brandId: Id,
  platform: Platform,
  /** What people see: `@paylas`, a page name, `paylas.bsky.social`. */
  handle: z.string().trim().min(1).max(200),
  /** The platform's own id for the account (page id, DID, user id …); webhooks arrive with it. */
  platformAccountId: z.string().trim().min(1).max(200),
  /** Name of the secret that holds the tokens; never the tokens themselves. */
  credentialRef: z.string().min(1).max(512).optional(),
  status: AccountStatus.default('connected'),
  /** When the stored access token expires (if it does); the daily refresh reads accounts by it. */
  tokenExpiresAt: Instant.optional(),
  /** A token refresh in progress holds this lease, so rotating refresh tokens are never used twice. */
  refreshLeaseUntil: Instant.optional(),
  /** What the platform granted when the account was last connected (OAuth scopes, Graph permissions). */
  scopes: z.array(z.string().min(1).max(200)).max(100).optional(),
});

export const Account = AccountFields.extend({ id: Id }).extend(Versioned.shape);
export type Account = z.infer<typeof Account>;

export const NewAccount = AccountFields;
export type NewAccount = z.input<typeof NewAccount>;
