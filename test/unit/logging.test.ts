import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { correlationIdOf, createLogger, logged } from '#shared/observability/logging.ts';

const context = { awsRequestId: 'lambda-req-1', functionName: 'paylas-test-webhook', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:eu-central-1:0:function:paylas-test-webhook', memoryLimitInMB: '512' } as Context;

describe('structured logs', () => {
  it('tie every line to the invocation and to what caused it', async () => {
    const logger = createLogger('webhook');
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    try {
      await logged(logger, async () => logger.info('webhook', { outcome: 'accepted' }))({ requestContext: { requestId: 'api-req-7' } }, context);
    } finally {
      spy.mockRestore();
    }
    const line = JSON.parse(lines.join('').trim().split('\n').pop()!) as Record<string, unknown>;
    expect(line).toMatchObject({ message: 'webhook', outcome: 'accepted', service: 'webhook', correlation_id: 'api-req-7', function_request_id: 'lambda-req-1' });
  });

  it('take the correlation id from an HTTP request, an SQS batch or a scheduled event', () => {
    expect(correlationIdOf({ requestContext: { requestId: 'r1' } })).toBe('r1');
    expect(correlationIdOf({ Records: [{ messageId: 'm1' }, { messageId: 'm2' }] })).toBe('m1');
    expect(correlationIdOf({ id: 'e1', 'detail-type': 'Scheduled Event' })).toBe('e1');
    expect(correlationIdOf(undefined)).toBeUndefined();
  });
});
