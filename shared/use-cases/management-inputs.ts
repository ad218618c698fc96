import * as z from 'zod';
import { AccountStatus } from '../domain/account.ts';
import { BrandFields, BrandPatch } from '../domain/brand.ts';
import { GoalFields } from '../domain/goal.ts';
import { Media, PostStatus } from '../domain/post.ts';
import { Id, Platform, TimeZone } from '../domain/primitives.ts';
import { publicUrlProblem } from '../domain/public-url.ts';

/** A URL Paylaş or a platform will fetch: besides being http(s), it must name a public host (see public-url.ts). */
const publicHost = (url: string, ctx: z.RefinementCtx, path: (string | number)[] = []) => {
  // Other schemes and non-URLs are refused by the URL rule itself, with its own message.
  const problem = URL.canParse(url) && /^https?:$/.test(new URL(url).protocol) ? publicUrlProblem(url) : undefined;
  if (problem) ctx.addIssue({ code: 'custom', path, message: problem });
};
const PublicMedia = Media.extend({ url: Media.shape.url.superRefine((url, ctx) => publicHost(url, ctx)) });

/** What the management API and the CLI accept. Each is also published in the OpenAPI document. */

export const CreateBrandInput = BrandFields.strict();
export type CreateBrandInput = z.input<typeof CreateBrandInput>;

export const UpdateBrandInput = BrandPatch;
export type UpdateBrandInput = z.input<typeof UpdateBrandInput>;

export const CreateKeyInput = z.object({ label: z.string().trim().min(1).max(100).optional() }).strict();

export const CreateAccountInput = z
  .object({
    platform: Platform,
    platformAccountId: z.string().trim().min(1).max(200),
    handle: z.string().trim().min(1).max(200),
    /** Tokens for the platform; kept in the secret store, never in the table, never echoed. */
    credentials: z
      .record(z.string().min(1).max(100), z.string().max(8192))
      .superRefine((c, ctx) => {
        // The server calls these with the account's tokens.
        for (const key of ['instanceUrl', 'pdsUrl']) if (c[key] !== undefined) publicHost(c[key], ctx, [key]);
      })
      .optional(),
  })
  .strict();
export type CreateAccountInput = z.input<typeof CreateAccountInput>;

const TargetInput = z
  .object({
    accountId: Id,
    /** Overrides the post's text for this account. */
    text: z.string().max(65_536).optional(),
    media: z.array(PublicMedia).max(20).optional(),
  })
  .strict();

export const CreatePostInput = z
  .object({
    brandId: Id,
    /** An instant with offset (`2026-12-01T09:00:00+03:00`) or a local date-time (`2026-12-01T09:00`) read in `timezone`. */
    scheduledAt: z.string().max(40),
    /** The zone a local `scheduledAt` is in; defaults to the brand's. */
    timezone: TimeZone.optional(),
    /** Text for every target that has none of its own. */
    text: z.string().max(65_536).optional(),
    targets: z.array(TargetInput).min(1, { error: 'needs at least one target account' }).max(20),
    campaign: z.string().trim().min(1).max(100).optional(),
    status: z.enum(['draft', 'scheduled']).default('scheduled'),
  })
  .strict();
export type CreatePostInput = z.input<typeof CreatePostInput>;

export const UpdatePostInput = CreatePostInput.omit({ brandId: true }).partial().strict();
export type UpdatePostInput = z.input<typeof UpdatePostInput>;

const isoInstant = z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time with offset, e.g. 2026-12-01T00:00:00Z' });
export const ListPostsQuery = z
  .object({
    brandId: Id,
    status: PostStatus.optional(),
    from: isoInstant.optional(),
    to: isoInstant.optional(),
    cursor: z.string().max(2048).optional(),
    limit: z.coerce.number().int().min(1).max(100).optional(),
  })
  .strict();

export const PageQuery = z.object({ cursor: z.string().max(2048).optional(), limit: z.coerce.number().int().min(1).max(100).optional() }).strict();

export const PutGoalsInput = z.object({ goals: z.array(GoalFields).max(50) }).strict();

/** An account as the API shows it: no credentials, only whether there are some. */
export const AccountView = z.object({
  id: Id,
  brandId: Id,
  platform: Platform,
  handle: z.string(),
  platformAccountId: z.string(),
  status: AccountStatus,
  hasCredentials: z.boolean(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type AccountView = z.infer<typeof AccountView>;

export const ImportPostsInput = z
  .object({
    brandId: Id,
    /** CSV with a header row: date, time, timezone, accounts, text, media, campaign. */
    csv: z.string().min(1).max(1_000_000),
    /** Import the valid rows even when others are invalid (default: all or nothing). */
    partial: z.boolean().default(false),
  })
  .strict();
export type ImportPostsInput = z.input<typeof ImportPostsInput>;
