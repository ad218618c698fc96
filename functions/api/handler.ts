import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  if (event.requestContext.http.method === 'GET' && event.rawPath === '/health') return json(200, { status: 'ok' });
  return json(404, { error: { code: 'not_found', message: `no route for ${event.requestContext.http.method} ${event.rawPath}`, details: null } });
}
