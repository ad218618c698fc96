import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import path from 'node:path';
import { REPO_ROOT } from '#infra/repo-root.ts';
import { matchRoute } from '#infra/twin/http-event.ts';
import { wiring } from '#infra/wiring/wiring.ts';
import type { Route } from '#shared/http/http-api.ts';

export interface HttpFunctionModule {
  handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
  /** The route table a `/v1` function serves. */
  routes?: readonly Route[];
}

const loaded = new Map<string, Promise<HttpFunctionModule>>();

/** A function's handler module, imported in-process on first use (its environment must be set by then). */
export function httpFunction(name: string): Promise<HttpFunctionModule> {
  const spec = (wiring.functions as Record<string, { entry: string } | undefined>)[name];
  if (!spec) throw new Error(`no function ${name} in the wiring`);
  let module = loaded.get(name);
  if (!module) loaded.set(name, (module = import(/* @vite-ignore */ path.join(REPO_ROOT, spec.entry)) as Promise<HttpFunctionModule>));
  return module;
}

/** Which function API Gateway hands a request to, by the wiring's routes; undefined when none matches. */
export function functionFor(method: string, rawPath: string): string | undefined {
  return matchRoute(wiring.routes, method, rawPath)?.route.function;
}

/** The functions that serve `/v1` (every one routed there), for tests that cover the whole management API. */
export const V1_FUNCTIONS = [...new Set(wiring.routes.filter((r) => r.path.startsWith('/v1/')).map((r) => r.function))];

/**
 * An API Gateway v2 event handed to the function its route names, in-process,
 * as API Gateway would: no matching route is a plain 404 that no function sees.
 */
export async function invokeHttp(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const name = functionFor(event.requestContext.http.method, event.rawPath);
  if (!name) return { statusCode: 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'Not Found' }) };
  return (await httpFunction(name)).handler(event);
}
