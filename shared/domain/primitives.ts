import * as z from 'zod';

export const PLATFORMS = ['x', 'linkedin', 'facebook', 'instagram', 'bluesky', 'mastodon', 'sandbox'] as const;
export const Platform = z.enum(PLATFORMS);
export type Platform = z.infer<typeof Platform>;

/** Each platform as its users spell it. */
export const PLATFORM_NAMES: Record<Platform, string> = {
  x: 'X',
  linkedin: 'LinkedIn',
  facebook: 'Facebook',
  instagram: 'Instagram',
  bluesky: 'Bluesky',
  mastodon: 'Mastodon',
  sandbox: 'Sandbox',
};

export const Locale = z.enum(['tr', 'en']);
export type Locale = z.infer<typeof Locale>;

/** Opaque identifier: letters, digits, `-` and `_`, as produced by `newId()`. */
export const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be 1–64 letters, digits, "-" or "_"' });

/** True when the runtime's time zone database knows `name` as a canonical IANA zone or alias. */
export function isIanaTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name)) return false;
  if (name === 'UTC' || zoneSet().has(name)) return true;
  try {
    // Aliases such as "Europe/Kiev" or "Asia/Calcutta" are valid IANA names
    // but absent from supportedValuesOf; the formatter accepts them.
    const resolved = new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
    return resolved.includes('/') || resolved === 'UTC';
  } catch {
    return false;
  }
}
let zones: Set<string> | undefined;
const zoneSet = () => (zones ??= new Set(Intl.supportedValuesOf('timeZone')));

export const TimeZone = z.string().refine(isIanaTimeZone, {
  error: (issue) => `${JSON.stringify(issue.input)} is not an IANA time zone`,
});

/** An instant, stored as UTC ISO-8601 with a `Z` (lexicographic order is time order). */
export const Instant = z.iso.datetime({ error: 'must be an ISO-8601 UTC instant such as 2026-11-30T09:00:00.000Z' });

/** A calendar date, `YYYY-MM-DD`. */
export const CalendarDate = z.iso.date({ error: 'must be a date such as 2026-12-31' });

export const Email = z.email({ error: (issue) => `${JSON.stringify(issue.input)} is not a valid email address` });

/** Fields every stored entity carries for optimistic concurrency and audit. */
export const Versioned = z.object({
  version: z.int().positive(),
  createdAt: Instant,
  updatedAt: Instant,
});

export const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
