import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { RouteSpec } from '../wiring/types.ts';

/**
 * API Gateway HTTP API (payload format 2.0) as the twin speaks it: route
 * selection, the request event, and the response mapping.
 */

export interface RouteMatch {
  route: RouteSpec;
  routeKey: string;
  pathParameters: Record<string, string>;
}

/** Percent-decoded; a malformed escape (`%zz`) is left as it came. */
function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Most specific route wins, as in API Gateway: literal segments, then `{param}`, then `{proxy+}`; a method over ANY. */
export function matchRoute(routes: readonly RouteSpec[], method: string, path: string): RouteMatch | undefined {
  const segments = path.split('/').slice(1);
  let best: { match: RouteMatch; score: number[] } | undefined;
  for (const route of routes) {
    if (route.method !== 'ANY' && route.method !== method) continue;
    const pattern = route.path.split('/').slice(1);
    const params: Record<string, string> = {};
    const score: number[] = [];
    let ok = true;
    for (let i = 0; i < pattern.length && ok; i++) {
      const p = pattern[i]!;
      const greedy = /^\{(\w+)\+\}$/.exec(p);
      if (greedy) {
        const rest = segments.slice(i).join('/');
        if (i !== pattern.length - 1 || rest === '') ok = false;
        else {
          params[greedy[1]!] = decodePath(rest);
          score.push(1);
        }
        break;
      }
      const seg = segments[i];
      if (seg === undefined) ok = false;
      else if (/^\{\w+\}$/.test(p)) {
        params[p.slice(1, -1)] = decodePath(seg);
        score.push(2);
      } else if (p === seg) score.push(3);
      else ok = false;
    }
    if (ok && !pattern.some((p) => p.endsWith('+}')) && pattern.length !== segments.length) ok = false;
    if (!ok) continue;
    score.push(route.method === 'ANY' ? 0 : 1);
    if (!best || compareScores(score, best.score) > 0) {
      best = { match: { route, routeKey: `${route.method} ${route.path}`, pathParameters: params }, score };
    }
  }
  return best?.match;
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

const TEXT_TYPES = /^(text\/|application\/(json|[\w.+-]+\+json|x-www-form-urlencoded|xml|javascript))/i;

/** Text bodies that are valid UTF-8 pass as strings; anything else is base64, so the bytes arrive exactly. */
function encodeBody(body: Buffer, contentType: string | undefined): { body?: string; isBase64Encoded: boolean } {
  if (body.byteLength === 0) return { isBase64Encoded: false };
  if (contentType === undefined || TEXT_TYPES.test(contentType)) {
    try {
      return { body: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body), isBase64Encoded: false };
    } catch {
      // not UTF-8: fall through to base64
    }
  }
  return { body: body.toString('base64'), isBase64Encoded: true };
}

export interface RawRequest {
  method: string;
  /** Path and query, as on the request line. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  sourceIp: string;
  apiId?: string;
  now?: Date;
}

export function toHttpApiEvent(req: RawRequest, match: Pick<RouteMatch, 'routeKey' | 'pathParameters'>): APIGatewayProxyEventV2 {
  const url = new URL(req.url, 'http://localhost');
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    if (key === 'cookie') cookies.push(...[value].flat().join('; ').split(/;\s*/).filter(Boolean));
    else headers[key] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const now = req.now ?? new Date();
  const { body, isBase64Encoded } = encodeBody(req.body, headers['content-type']);
  return {
    version: '2.0',
    routeKey: match.routeKey,
    rawPath: decodePath(url.pathname),
    rawQueryString: url.search.slice(1),
    ...(cookies.length > 0 && { cookies }),
    headers,
    ...(Object.keys(query).length > 0 && { queryStringParameters: query }),
    ...(Object.keys(match.pathParameters).length > 0 && { pathParameters: match.pathParameters }),
    requestContext: {
      accountId: '000000000000',
      apiId: req.apiId ?? 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0]!,
      http: { method: req.method.toUpperCase(), path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.sourceIp, userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: match.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body !== undefined && { body }),
    isBase64Encoded,
  };
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** Payload format 2.0 response mapping, including the "plain value means 200 JSON" rule. */
export function fromHandlerResult(result: unknown): HttpResult {
  const structured = result !== null && typeof result === 'object' && 'statusCode' in result;
  if (!structured) {
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
  }
  const r = result as APIGatewayProxyStructuredResultV2;
  const headers: Record<string, string | string[]> = { ...(r.headers as Record<string, string>) };
  if (r.cookies?.length) headers['set-cookie'] = r.cookies;
  const body = r.body === undefined ? Buffer.alloc(0) : r.isBase64Encoded ? Buffer.from(r.body, 'base64') : Buffer.from(r.body, 'utf8');
  return { status: r.statusCode ?? 200, headers, body };
}
