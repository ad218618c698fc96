import * as z from 'zod';
import { Brand } from '../domain/brand.ts';
import { Goal } from '../domain/goal.ts';
import { PostFields } from '../domain/post.ts';
import type { Management } from '../use-cases/management.ts';
import {
  AccountView,
  CreateAccountInput,
  CreateBrandInput,
  CreateKeyInput,
  CreatePostInput,
  ImportPostsInput,
  ListPostsQuery,
  PageQuery,
  PutGoalsInput,
  UpdateBrandInput,
  UpdatePostInput,
} from '../use-cases/management-inputs.ts';
import { route, type Route, type RouteContract } from './http-api.ts';
import { openApiDocument } from './openapi.ts';

export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
const PostView = PostFields.omit({ requestHash: true }).and(z.object({ scheduledAtLocal: z.string() }));
const KeyCreated = z.object({ id: z.string(), brandId: z.string(), label: z.string().optional(), createdAt: z.string(), key: z.string() });
const pageOf = (q: { cursor?: string | undefined; limit?: number | undefined }) => ({ cursor: q.cursor ?? null, ...(q.limit !== undefined && { limit: q.limit }) });

/**
 * The management API (`/v1`): brands, keys, accounts, goals and posts, plus
 * `more` (the inbox, KPIs); one OpenAPI document for all of `/v1`, including
 * the routes other functions serve (`servedElsewhere`).
 */
export function managementRoutes(m: Management, version: string, more: readonly Route[] = [], servedElsewhere: readonly RouteContract[] = []): Route[] {
  const routes: Route[] = [
    route({ method: 'GET', path: '/health', summary: 'Liveness', auth: false, response: z.object({ status: z.literal('ok') }), handle: async () => ({ status: 'ok' }) }),
    route({
      method: 'POST', path: '/v1/brands', summary: 'Create a brand (admin)', auth: true, status: 201, body: CreateBrandInput, response: Brand,
      handle: ({ principal, body }) => m.createBrand(principal, body),
    }),
    route({
      method: 'GET', path: '/v1/brands', summary: 'List brands (a brand key sees its own)', auth: true, query: PageQuery, response: page(Brand),
      handle: ({ principal, query }) => m.listBrands(principal, pageOf(query)),
    }),
    route({ method: 'GET', path: '/v1/brands/{brandId}', summary: 'Get a brand', auth: true, response: Brand, handle: ({ principal, params }) => m.getBrand(principal, params.brandId!) }),
    route({
      method: 'PATCH', path: '/v1/brands/{brandId}', summary: 'Change a brand', auth: true, body: UpdateBrandInput, response: Brand,
      handle: ({ principal, params, body }) => m.updateBrand(principal, params.brandId!, body),
    }),
    route({
      method: 'POST', path: '/v1/brands/{brandId}/keys', summary: 'Create a brand API key (admin); the key is shown once', auth: true, status: 201, body: CreateKeyInput.optional(), response: KeyCreated,
      handle: ({ principal, params, body }) => m.createBrandKey(principal, params.brandId!, body ?? {}),
    }),
    route({
      method: 'GET', path: '/v1/brands/{brandId}/keys', summary: "A brand's API keys (ids and labels; never the keys)", auth: true,
      response: page(z.object({ id: z.string(), brandId: z.string(), label: z.string().optional(), createdAt: z.string() })),
      handle: ({ principal, params }) => m.listBrandKeys(principal, params.brandId!),
    }),
    route({
      method: 'DELETE', path: '/v1/brands/{brandId}/keys/{keyId}', summary: 'Revoke a brand API key; requests with it are refused at once', auth: true, response: z.object({ revoked: z.string() }),
      handle: ({ principal, params }) => m.revokeBrandKey(principal, params.brandId!, params.keyId!),
    }),
    route({
      method: 'POST', path: '/v1/brands/{brandId}/accounts', summary: 'Connect an account', auth: true, status: 201, body: CreateAccountInput, response: AccountView,
      handle: ({ principal, params, body }) => m.createAccount(principal, params.brandId!, body),
    }),
    route({
      method: 'GET', path: '/v1/brands/{brandId}/accounts', summary: "A brand's accounts", auth: true, response: page(AccountView),
      handle: ({ principal, params }) => m.listAccounts(principal, params.brandId!),
    }),
    route({
      method: 'PUT', path: '/v1/brands/{brandId}/goals', summary: "Replace a brand's SMART goals", auth: true, body: PutGoalsInput, response: page(Goal),
      handle: ({ principal, params, body }) => m.putGoals(principal, params.brandId!, body),
    }),
    route({
      method: 'GET', path: '/v1/brands/{brandId}/goals', summary: "A brand's SMART goals", auth: true, response: page(Goal),
      handle: ({ principal, params }) => m.listGoals(principal, params.brandId!),
    }),
    route({
      method: 'POST', path: '/v1/posts', summary: 'Schedule (or draft) a post', auth: true, status: 201, body: CreatePostInput, response: PostView,
      handle: ({ principal, body, request }) => m.createPost(principal, body, request.idempotencyKey),
    }),
    route({
      method: 'POST', path: '/v1/posts:import', summary: 'Import a CSV content calendar (all rows or nothing, unless partial)', auth: true, status: 201, body: ImportPostsInput,
      response: z.object({ imported: z.array(PostView), errors: z.array(z.object({ path: z.string(), message: z.string() })) }),
      handle: ({ principal, body, request }) => m.importPosts(principal, body, request.idempotencyKey),
    }),
    route({
      method: 'GET', path: '/v1/posts', summary: "A brand's posts by scheduled time, optionally by status", auth: true, query: ListPostsQuery, response: page(PostView),
      handle: ({ principal, query }) => m.listPosts(principal, query, pageOf(query)),
    }),
    route({ method: 'GET', path: '/v1/posts/{postId}', summary: 'Get a post', auth: true, response: PostView, handle: ({ principal, params }) => m.getPost(principal, params.postId!) }),
    route({
      method: 'PATCH', path: '/v1/posts/{postId}', summary: 'Edit a draft or scheduled post', auth: true, body: UpdatePostInput, response: PostView,
      handle: ({ principal, params, body }) => m.updatePost(principal, params.postId!, body),
    }),
    route({
      method: 'POST', path: '/v1/posts/{postId}/cancel', summary: 'Cancel what has not gone out', auth: true, response: PostView,
      handle: ({ principal, params }) => m.cancelPost(principal, params.postId!),
    }),
    ...more,
  ];
  // Built on first request, not at cold start: most invocations never ask for it.
  let document: ReturnType<typeof openApiDocument> | undefined;
  const described = [...routes];
  const self: Route = route({
    method: 'GET',
    path: '/v1/openapi.json',
    summary: 'This document',
    auth: false,
    handle: async () => (document ??= openApiDocument([...described, ...servedElsewhere, self], { title: 'Paylaş management API', version })),
  });
  routes.push(self);
  return routes;
}
