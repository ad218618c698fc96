import * as z from 'zod';
import { DomainError } from '../domain/errors.ts';
import { PLATFORM_NAMES } from '../domain/primitives.ts';
import type { CallbackResult, Connect } from '../use-cases/connect.ts';
import { BlueskyConnectInput, CallbackQuery, StartAnswer, StartQuery } from '../use-cases/connect-inputs.ts';
import { AccountView } from '../use-cases/management-inputs.ts';
import { contract, RawResponse, serve, type Route, type RouteContract } from './http-api.ts';

const ConnectedView = z.object({ account: AccountView, outcome: z.enum(['created', 'updated']) });

/** Pages the browser lands on: no scripts, no outside resources, no referrer (the URL held an authorization code). */
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(status: number, title: string, body: string): RawResponse {
  const html = `<!doctype html>
<html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · Paylaş</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em;color:#222}h1{font-size:1.4em}.ok{color:#176b2c}.no{color:#a12a1d}code{background:#f3f3f3;padding:0 .3em}</style>
<main>${body}</main></html>
`;
  return new RawResponse(status, 'text/html; charset=utf-8', html, PAGE_HEADERS);
}

function connectedPage(r: CallbackResult): RawResponse {
  const name = PLATFORM_NAMES[r.platform];
  const items = r.connected.map((c) => `<li><strong>${escape(c.account.handle)}</strong> (${c.outcome === 'created' ? 'new' : 'reconnected'}, id <code>${escape(c.account.id)}</code>)</li>`).join('');
  return page(
    200,
    `${name} connected`,
    `<h1 class="ok">${escape(name)} connected</h1><p>Connected to brand <strong>${escape(r.brand.name)}</strong>:</p><ul>${items}</ul><p>Paylaş can publish as ${r.connected.length === 1 ? 'this account' : 'these accounts'} now. You can close this window.</p>`,
  );
}

function refusedPage(platform: string, error: DomainError): RawResponse {
  const name = Object.hasOwn(PLATFORM_NAMES, platform) ? PLATFORM_NAMES[platform as keyof typeof PLATFORM_NAMES] : 'the platform';
  const status = error.code === 'platform_unavailable' ? 502 : error.code === 'not_configured' ? 503 : 400;
  return page(status, `${name} not connected`, `<h1 class="no">${escape(name)} not connected</h1><p>${escape(error.message)}</p>`);
}

/** Connecting accounts: the consent link (`start`), the platform's redirect back (`callback`) and Bluesky's app-password sign-in. */
const start = contract({
  method: 'GET', path: '/v1/connect/{platform}/start', summary: "Connect an account: redirect to the platform's consent page (`redirect=false`: the link as JSON)", auth: true,
  query: StartQuery, response: StartAnswer,
  responses: { '302': { description: "Redirect to the platform's consent page (valid 10 minutes)" }, '503': { description: 'An app credential the platform needs is not configured; the message names it' } },
});
const callback = contract({
  method: 'GET', path: '/v1/connect/{platform}/callback', summary: 'Where the platform sends the browser back: protected by its single-use state; answers an HTML page', auth: false,
  query: CallbackQuery,
  responses: { '200': { description: 'What was connected', contentType: 'text/html' }, '400': { description: 'Why nothing was connected', contentType: 'text/html' } },
});
const bluesky = contract({
  method: 'POST', path: '/v1/connect/bluesky', summary: 'Connect a Bluesky account with an app password (only the session tokens are kept)', auth: true,
  body: BlueskyConnectInput, response: ConnectedView,
});

/** The connect routes as documented; served by the `connect` function. */
export const connectContracts: readonly RouteContract[] = [start, callback, bluesky];

export function connectRoutes(connect: Connect): Route[] {
  return [
    serve(start, async ({ principal, params, query, request }) => {
      const answer = await connect.start(principal, params.platform!, query, request.baseUrl);
      return query.redirect === 'false' ? answer : new RawResponse(302, 'text/plain; charset=utf-8', '', { location: answer.authorizeUrl });
    }),
    serve(callback, async ({ params, query }) => {
      try {
        return connectedPage(await connect.callback(params.platform!, query));
      } catch (e) {
        if (e instanceof DomainError) return refusedPage(params.platform!, e);
        throw e;
      }
    }),
    serve(bluesky, ({ principal, body }) => connect.connectBluesky(principal, body)),
  ];
}
