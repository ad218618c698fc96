import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import { DomainError, StateConflictError, UnauthorizedError, ValidationError } from '../domain/errors.ts';
import { bearerToken } from '../domain/api-key.ts';
import { parseOrThrow } from '../domain/validation.ts';
import type { Principal } from '../use-cases/access.ts';

export const MAX_BODY_BYTES = 1024 * 1024;
/** No input nests deeper than this; deeper bodies are refused before they are parsed. */
export const MAX_JSON_DEPTH = 64;
/** What a path parameter may be: every id, name and week the routes take fits, and any key can hold it. */
const PATH_PARAM = /^[\p{L}\p{N}._~:@+-]{1,128}$/u;

export interface RouteContext<Q> {
  principal: Principal;
  params: Record<string, string>;
  /** Parsed JSON body, not yet validated: the use case validates its own input. */
  body: unknown;
  query: Q;
  request: RequestInfo;
}

/** What a route may know about the request beyond its input. */
export interface RequestInfo {
  /** The API's public base URL as the caller reached it (`https://<domain>`), without a trailing slash. */
  baseUrl: string;
  /** The `Idempotency-Key` header, as sent. */
  idempotencyKey?: string;
}

export interface Route<Q = unknown> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI-style path: `/v1/brands/{brandId}`. */
  path: string;
  summary: string;
  /** False only for public routes (health, the OpenAPI document). */
  auth: boolean;
  status?: number;
  body?: z.ZodType;
  query?: z.ZodType<Q>;
  response?: z.ZodType;
  /** Further documented answers (a redirect, an HTML page), by status. */
  responses?: Record<string, { description: string; contentType?: string }>;
  handle(ctx: RouteContext<Q>): Promise<unknown>;
}

/** A route result sent as it is (e.g. an HTML page) instead of as JSON. */
export class RawResponse {
  constructor(
    readonly status: number,
    readonly contentType: string,
    readonly body: string,
    readonly headers: Record<string, string> = {},
  ) {}
}

/** Keeps the query type of a route tied to its schema. */
export const route = <Q>(r: Route<Q>): Route => r as Route;

/**
 * A route as the API documents it: everything but its handler. A function can
 * list routes another function serves (one OpenAPI document for `/v1`)
 * without loading their code.
 */
export type RouteContract<Q = unknown> = Omit<Route<Q>, 'handle'>;

/** Keeps the query type of a documented route tied to its schema. */
export const contract = <Q>(c: RouteContract<Q>): RouteContract<Q> => c;

/** A documented route, served by `handle`. */
export const serve = <Q>(c: RouteContract<Q>, handle: Route<Q>['handle']): Route => route({ ...c, handle });

class PayloadTooLargeError extends DomainError {
  readonly code = 'payload_too_large';
}
class RouteNotFoundError extends DomainError {
  readonly code = 'route_not_found';
}
class MethodNotAllowedError extends DomainError {
  readonly code = 'method_not_allowed';
}

const STATUS: Record<string, number> = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  route_not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  platform_unavailable: 502,
  not_configured: 503,
};

export interface HttpApiOptions {
  authenticate(key: string | undefined): Promise<Principal>;
  /** Called with unexpected errors (the response says only "internal error"). */
  onError?(error: unknown, requestId: string): void;
}

type Compiled = { route: Route; pattern: RegExp; names: string[] };

function compile(r: Route): Compiled {
  const names: string[] = [];
  const source = r.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route: r, pattern: new RegExp(`^${source}$`), names };
}

const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  body: JSON.stringify(body),
});

export function errorResponse(error: unknown, requestId: string, onError?: HttpApiOptions['onError']): APIGatewayProxyStructuredResultV2 {
  if (error instanceof DomainError) {
    const status = STATUS[error.code] ?? (error instanceof StateConflictError ? 409 : 400);
    const headers: Record<string, string> = error instanceof UnauthorizedError ? { 'www-authenticate': 'Bearer' } : {};
    return json(status, { error: { code: error.code, message: error.message, details: error.details ?? null } }, headers);
  }
  onError?.(error, requestId);
  return json(500, { error: { code: 'internal_error', message: `internal error (request ${requestId})`, details: null } });
}

/** The deepest nesting of arrays and objects in JSON text, stopping once past `limit` (strings are skipped). */
function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return depth;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return depth;
}

/** API Gateway hands the path over already decoded; a second decoding is tolerated, never a reason to fail. */
function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function decodeBody(event: APIGatewayProxyEventV2): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (raw.byteLength > MAX_BODY_BYTES) throw new PayloadTooLargeError(`body is ${raw.byteLength} bytes; the limit is ${MAX_BODY_BYTES}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(raw);
  } catch {
    throw new ValidationError([{ path: 'body', message: 'is not valid UTF-8' }]);
  }
  if (nestingDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw new ValidationError([{ path: 'body', message: `nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels` }]);
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError([{ path: 'body', message: 'is not valid JSON' }]);
  }
}

/**
 * The API's own URL as the caller reached it: API Gateway's domain name, with
 * the scheme it forwarded (https on AWS; plain http on a loopback host, the
 * local twin).
 */
export function publicBaseUrl(event: APIGatewayProxyEventV2): string {
  const host = event.requestContext?.domainName || event.headers?.host || 'localhost';
  const forwarded = event.headers?.['x-forwarded-proto']?.split(',')[0]?.trim();
  const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i.test(host);
  const scheme = forwarded === 'http' || forwarded === 'https' ? forwarded : loopback ? 'http' : 'https';
  return `${scheme}://${host}`;
}

/**
 * An API Gateway (HTTP API v2) handler over a route table: finds the route,
 * authenticates, parses the query with the route's schema and the body as
 * JSON, calls the use case and maps errors to `{error:{code,message,details}}`.
 */
export function createHttpApi(routes: readonly Route[], options: HttpApiOptions) {
  const compiled = routes.map(compile);
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const requestId = event.requestContext?.requestId ?? 'local';
    try {
      const method = event.requestContext.http.method.toUpperCase();
      const path = event.rawPath.length > 1 ? event.rawPath.replace(/\/+$/, '') : event.rawPath;
      const matches = compiled.map((c) => ({ c, m: c.pattern.exec(path) })).filter((x) => x.m);
      if (matches.length === 0) throw new RouteNotFoundError(`no route for ${method} ${path}`);
      const hit = matches.find((x) => x.c.route.method === method);
      if (!hit) throw new MethodNotAllowedError(`${method} is not allowed on ${path}; use ${matches.map((x) => x.c.route.method).join(', ')}`);
      const { route: r, names } = hit.c;
      // The key is checked before anything else of the request is read.
      const authorization = event.headers?.authorization;
      const key = bearerToken(authorization);
      if (r.auth && key === undefined && authorization?.trim()) throw new UnauthorizedError('the Authorization header is not "Bearer <key>" (one key of 16–200 letters, digits and - . _ ~ + /)');
      const principal: Principal = r.auth ? await options.authenticate(key) : { kind: 'anonymous' };
      const params = Object.fromEntries(names.map((n, i) => [n, decodeParam(hit.m![i + 1]!)]));
      const badParams = names.filter((n) => !PATH_PARAM.test(params[n]!));
      if (badParams.length > 0) throw new ValidationError(badParams.map((n) => ({ path: n, message: 'must be 1–128 letters, digits or . _ ~ : @ + -' })), 'path');
      const body = decodeBody(event);
      if (r.body && body === undefined && !r.body.safeParse(undefined).success) throw new ValidationError([{ path: 'body', message: 'is missing: send a JSON object' }]);
      const query = r.query ? parseOrThrow(r.query, Object.fromEntries(new URLSearchParams(event.rawQueryString ?? '')), 'query') : {};
      const result = await r.handle({ principal, params, body, query, request: { baseUrl: publicBaseUrl(event), ...(event.headers?.['idempotency-key'] !== undefined && { idempotencyKey: event.headers['idempotency-key'] }) } });
      if (result instanceof RawResponse) return { statusCode: result.status, headers: { 'content-type': result.contentType, 'cache-control': 'no-store', ...result.headers }, body: result.body };
      return json(r.status ?? 200, result);
    } catch (error) {
      return errorResponse(error, requestId, options.onError);
    }
  };
}
