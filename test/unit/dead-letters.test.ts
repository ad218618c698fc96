import { SQSClient, UnsupportedOperation } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { SqsDeadLetters } from '#shared/adapters/aws-operations.ts';
import { StateConflictError } from '#shared/domain/errors.ts';

const resources = {
  deadLetterQueues: [{ name: 'comments-dlq', url: 'https://sqs.eu-central-1.amazonaws.com/1/paylas-comments-dlq', arn: 'arn:aws:sqs:eu-central-1:1:paylas-comments-dlq', source: 'comments' }],
  archiveArn: 'arn:aws:events:eu-central-1:1:archive/paylas',
  busArn: 'arn:aws:events:eu-central-1:1:event-bus/paylas',
  replayPrefix: 'paylas-test-',
};

/** SQS answering StartMessageMoveTask with `error`. */
const refusing = (error: Error) => ({ send: async () => Promise.reject(error) }) as unknown as SQSClient;

describe('a redrive SQS refuses', () => {
  it('is a conflict that says why (a second redrive while one runs), not a 500', async () => {
    const busy = new UnsupportedOperation({ message: 'There is already a task running. Only one active task is allowed for a source queue arn at a given time.', $metadata: {} });
    const dl = new SqsDeadLetters(resources as never, refusing(busy));
    const error = await dl.redrive('comments-dlq').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateConflictError);
    expect((error as Error).message).toContain('Only one active task is allowed');
  });

  it('leaves throttling and server faults to the caller (a 5xx the client retries)', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client' });
    await expect(new SqsDeadLetters(resources as never, refusing(throttled)).redrive('comments-dlq')).rejects.toThrow('Rate exceeded');
    const down = Object.assign(new Error('internal'), { name: 'InternalError', $fault: 'server' });
    await expect(new SqsDeadLetters(resources as never, refusing(down)).redrive('comments-dlq')).rejects.toThrow('internal');
  });
});
