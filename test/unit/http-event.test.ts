import { describe, expect, it } from 'vitest';
import { fromHandlerResult, matchRoute, toHttpApiEvent } from '#infra/twin/http-event.ts';
import type { RouteSpec } from '#infra/wiring/types.ts';

const routes: RouteSpec[] = [
  { method: 'GET', path: '/health', function: 'api' },
  { method: 'ANY', path: '/v1/{proxy+}', function: 'api' },
  { method: 'GET', path: '/webhooks/{platform}', function: 'webhook' },
  { method: 'POST', path: '/webhooks/{platform}', function: 'webhook' },
  { method: 'POST', path: '/webhooks/conversions', function: 'conversions' },
];

describe('route selection like API Gateway', () => {
  it('prefers literal over parameter over greedy, and a method over ANY', () => {
    expect(matchRoute(routes, 'POST', '/webhooks/conversions')?.route.function).toBe('conversions');
    expect(matchRoute(routes, 'POST', '/webhooks/meta')).toMatchObject({ routeKey: 'POST /webhooks/{platform}', pathParameters: { platform: 'meta' } });
    expect(matchRoute(routes, 'PATCH', '/v1/posts/abc')).toMatchObject({ routeKey: 'ANY /v1/{proxy+}', pathParameters: { proxy: 'posts/abc' } });
    expect(matchRoute(routes, 'GET', '/health')?.routeKey).toBe('GET /health');
  });
  it('matches nothing for unknown paths, wrong methods, or a greedy parameter with nothing to take', () => {
    expect(matchRoute(routes, 'GET', '/nope')).toBeUndefined();
    expect(matchRoute(routes, 'POST', '/health')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/v1')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/webhooks/meta/extra')).toBeUndefined();
  });
});

describe('request and response mapping (payload format 2.0)', () => {
  const base = { method: 'POST', url: '/webhooks/meta?a=1&a=2&b=x', sourceIp: '127.0.0.1' };
  it('lower-cases headers, splits cookies, joins repeated query values, keeps the raw body exactly', () => {
    const raw = '{"text":"Merhaba d\\u00fcnya","n":1.50}';
    const e = toHttpApiEvent(
      { ...base, headers: { 'X-Hub-Signature-256': 'sha256=ab', 'Content-Type': 'application/json', cookie: 'a=1; b=2' }, body: Buffer.from(raw) },
      { routeKey: 'POST /webhooks/{platform}', pathParameters: { platform: 'meta' } },
    );
    expect(e.headers['x-hub-signature-256']).toBe('sha256=ab');
    expect(e.cookies).toEqual(['a=1', 'b=2']);
    expect(e.queryStringParameters).toEqual({ a: '1,2', b: 'x' });
    expect(e.rawQueryString).toBe('a=1&a=2&b=x');
    expect(e.body).toBe(raw);
    expect(e.isBase64Encoded).toBe(false);
    expect(e.requestContext.http).toMatchObject({ method: 'POST', path: '/webhooks/meta', sourceIp: '127.0.0.1' });
  });
  it('base64-encodes binary and invalid UTF-8 bodies', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    for (const type of ['application/octet-stream', 'application/json']) {
      const e = toHttpApiEvent({ ...base, headers: { 'content-type': type }, body: bytes }, { routeKey: 'x', pathParameters: {} });
      expect(e.isBase64Encoded).toBe(true);
      expect(Buffer.from(e.body!, 'base64')).toEqual(bytes);
    }
  });
  it('maps structured and plain handler results', () => {
    expect(fromHandlerResult({ statusCode: 201, headers: { a: 'b' }, body: 'x', cookies: ['c=1'] })).toEqual({
      status: 201,
      headers: { a: 'b', 'set-cookie': ['c=1'] },
      body: Buffer.from('x'),
    });
    expect(fromHandlerResult({ hello: 'world' })).toMatchObject({ status: 200, body: Buffer.from('{"hello":"world"}') });
    expect(fromHandlerResult({ statusCode: 200, body: Buffer.from('bin').toString('base64'), isBase64Encoded: true }).body.toString()).toBe('bin');
  });
});
