import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import fc from 'fast-check';

/** A request as API Gateway hands it to a function. */
export interface FuzzRequest {
  method: string;
  /** As API Gateway hands it over: already percent-decoded. */
  rawPath: string;
  rawQuery?: string;
  headers?: Record<string, string>;
  body?: string;
  base64?: boolean;
}

export interface FuzzResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: any;
}

/**
 * Calls an HTTP function in-process with API Gateway v2 events, for the
 * hostile-input properties: a throw out of the handler fails with the request
 * that caused it, and every answer comes back with its body parsed when it is
 * JSON.
 */
export function fuzzHttp(options: { invoke: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>; apiId: string; now: () => Date }) {
  let sequence = 0;
  const stats = { calls: 0 };

  const toEvent = (r: FuzzRequest): APIGatewayProxyEventV2 => {
    const now = options.now();
    return {
      version: '2.0',
      routeKey: '$default',
      rawPath: r.rawPath,
      rawQueryString: r.rawQuery ?? '',
      headers: r.headers ?? {},
      requestContext: {
        accountId: '000000000000',
        apiId: options.apiId,
        domainName: 'localhost',
        domainPrefix: 'localhost',
        http: { method: r.method, path: r.rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'fuzz' },
        requestId: `${options.apiId}-${++sequence}`,
        routeKey: '$default',
        stage: '$default',
        time: now.toUTCString(),
        timeEpoch: now.getTime(),
      },
      ...(r.body !== undefined && { body: r.body }),
      isBase64Encoded: r.base64 ?? false,
    };
  };

  const short = (r: FuzzRequest) =>
    `${r.method} ${JSON.stringify(r.rawPath.slice(0, 120))}${r.rawQuery ? `?${r.rawQuery.slice(0, 80)}` : ''} auth=${JSON.stringify((r.headers?.authorization ?? '').slice(0, 60))}`;

  const send = async (r: FuzzRequest): Promise<FuzzResponse> => {
    stats.calls++;
    let out: APIGatewayProxyStructuredResultV2;
    try {
      out = await options.invoke(toEvent(r));
    } catch (e) {
      throw new Error(`the handler threw for ${short(r)}: ${(e as Error).stack}`);
    }
    const text = out.body ?? '';
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: out.statusCode ?? 200, headers: (out.headers ?? {}) as Record<string, string>, text, json };
  };

  const fail = (r: FuzzRequest, res: FuzzResponse, why: string): never => {
    throw new Error(`${why}\n  request: ${short(r)} body=${JSON.stringify((r.body ?? '').slice(0, 300))}\n  answer: ${res.status} ${res.text.slice(0, 600)}`);
  };

  /** A 4xx in the error shape `{error:{code,message,details}}` naming the problem: a 401 says how to authenticate, a validation error lists each field and rule, all in its message. */
  const checkErrorShape = (r: FuzzRequest, res: FuzzResponse): void => {
    const e = res.json?.error;
    if (!e || typeof e.code !== 'string' || !e.code || typeof e.message !== 'string' || !e.message.trim() || !('details' in e)) fail(r, res, 'a 4xx without the error shape');
    if (Object.keys(res.json).length !== 1 || Object.keys(e).sort().join() !== 'code,details,message') fail(r, res, 'extra fields in the error shape');
    if (res.status === 401 && (e.code !== 'unauthorized' || res.headers['www-authenticate'] !== 'Bearer')) fail(r, res, '401 without code unauthorized and WWW-Authenticate');
    if (e.code === 'validation_failed') {
      if (res.status !== 400 || !Array.isArray(e.details) || e.details.length === 0) fail(r, res, 'a validation error without details');
      for (const d of e.details as { path: unknown; message: unknown }[]) {
        if (typeof d.path !== 'string' || typeof d.message !== 'string' || !d.message.trim()) fail(r, res, 'a validation detail without path and message');
        if (!e.message.includes(d.message)) fail(r, res, 'the message leaves out a detail');
      }
    }
  };

  return { send, fail, checkErrorShape, stats };
}

/** Control, invisible and direction characters, and lone surrogates. */
export const CONTROL = ['\u0000', '\u0001', '\u0007', '\b', '\t', '\n', '\u000b', '\f', '\r', '\r\n', '\u001b', '\u007f', '\u0085', '\u00a0', '\u2028', '\u2029', '\u200b', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\ufeff', '\ufffe', '\uffff', '\ud800', '\udfff'];

/** Text meant to break a parameter: `nasty` (the boundary's own traps), random strings of every kind, and pieces glued together. */
export function hostileText(nasty: readonly string[], pieces: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...nasty),
    fc.string({ maxLength: 24 }),
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.array(fc.constantFrom(...CONTROL, 'a', 'ş', '%0d%0a', ...pieces), { maxLength: 8 }).map((a) => a.join('')),
  );
}

const safeEncode = (s: string): string => {
  try {
    return encodeURIComponent(s);
  } catch {
    return s;
  }
};

/** A query string of up to `maxPairs` pairs, percent-encoded or sent raw. */
export function hostileQuery(keys: fc.Arbitrary<string>, values: fc.Arbitrary<string>, maxPairs: number): fc.Arbitrary<string> {
  return fc
    .array(fc.tuple(keys, values), { maxLength: maxPairs })
    .chain((pairs) => fc.constantFrom('encoded', 'raw').map((how) => pairs.map(([k, v]) => (how === 'encoded' ? `${safeEncode(k)}=${safeEncode(v)}` : `${k}=${v}`)).join('&')));
}
