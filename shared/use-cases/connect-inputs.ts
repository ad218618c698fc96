import * as z from 'zod';
import { Id, Platform } from '../domain/primitives.ts';

/** What the connect routes accept and answer (kept apart from the flows, so the API can describe them without loading them). */

export const StartQuery = z
  .object({
    brandId: Id,
    /** Mastodon: the instance, e.g. `mastodon.social` or `https://mastodon.social`. */
    instance: z.string().trim().min(1).max(253).optional(),
    /** Facebook Page id or LinkedIn organization id: connect only that one (default: every one shared). */
    pageId: z.string().trim().regex(/^(urn:li:organization:)?\d{1,30}$/, { error: 'must be a Facebook Page id or a LinkedIn organization id' }).optional(),
    /** `false`: answer `{authorizeUrl, expiresAt}` as JSON instead of redirecting. */
    redirect: z.enum(['true', 'false']).optional(),
  })
  .strict();
export type StartQuery = z.infer<typeof StartQuery>;

export const StartAnswer = z.object({ platform: Platform, authorizeUrl: z.string(), redirectUri: z.string(), expiresAt: z.string() });
export type StartAnswer = z.infer<typeof StartAnswer>;

/** What the platform sends the browser back with; platforms add parameters of their own, which are ignored. */
export const CallbackQuery = z.looseObject({
  code: z.string().max(4096).optional(),
  state: z.string().max(512).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
  error_reason: z.string().max(200).optional(),
});
export type CallbackQuery = z.infer<typeof CallbackQuery>;

const AppPassword = z.string().regex(/^[a-z0-9]{4}(-[a-z0-9]{4}){3}$/, {
  error: 'must be a Bluesky app password (xxxx-xxxx-xxxx-xxxx, made in Settings → Privacy and security → App passwords), never the account password',
});
export const BlueskyConnectInput = z
  .object({
    brandId: Id,
    /** Handle (`brand.bsky.social`), DID or email. */
    identifier: z.string().trim().min(3).max(253),
    appPassword: AppPassword,
    /** The PDS or entryway to sign in at. */
    service: z.url({ protocol: /^https$/, error: 'must be an https URL' }).max(2048).default('https://bsky.social'),
  })
  .strict();
