import * as z from 'zod';
import type { RouteContract } from './http-api.ts';

const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown() }),
});

const schemaOf = (s: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' });

/** OpenAPI 3.1 generated from the route table and its zod schemas: the document cannot drift from what is validated. */
export function openApiDocument(routes: readonly RouteContract[], info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const parameters: unknown[] = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    if (r.query) {
      const q = schemaOf(r.query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {})) {
        parameters.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema });
      }
    }
    const status = String(r.status ?? 200);
    const errors = Object.fromEntries(
      [
        ['400', 'Invalid input: `details` lists each field and rule'],
        ...(r.auth ? [['401', 'Missing or invalid API key'], ['404', 'Not found, or not visible to this key']] : []),
        ...(['PATCH', 'POST', 'PUT'].includes(r.method) && r.auth ? [['409', 'The current state forbids this'], ['413', 'Body over 1 MB']] : []),
      ].map(([code, description]) => [code, { description, content: { 'application/json': { schema: schemaOf(ErrorBody, 'output') } } }]),
    );
    (paths[r.path] ??= {})[r.method.toLowerCase()] = {
      summary: r.summary,
      ...(r.auth && { security: [{ apiKey: [] }] }),
      ...(parameters.length > 0 && { parameters }),
      ...(r.body && { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(r.body, 'input') } } } }),
      responses: {
        [status]: { description: 'OK', ...(r.response && { content: { 'application/json': { schema: schemaOf(r.response, 'output') } } }) },
        ...errors,
        ...Object.fromEntries(
          Object.entries(r.responses ?? {}).map(([code, x]) => [code, { description: x.description, ...(x.contentType && { content: { [x.contentType]: { schema: { type: 'string' } } } }) }]),
        ),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info,
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'The admin key or a brand key' } } },
    paths,
  };
}
