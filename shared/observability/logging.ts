import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';

/** A function's structured logger (JSON lines; the service is the function's wiring name). */
export const createLogger = (functionName: string) => new Logger({ serviceName: functionName });

/**
 * The id that ties an invocation's log lines to what caused it: the API
 * Gateway request id, the first SQS message id of a batch, or the
 * EventBridge event id of a scheduled run.
 */
export function correlationIdOf(event: unknown): string | undefined {
  const e = event as { requestContext?: { requestId?: unknown }; Records?: { messageId?: unknown }[]; id?: unknown };
  if (typeof e?.requestContext?.requestId === 'string') return e.requestContext.requestId;
  if (Array.isArray(e?.Records) && typeof e.Records[0]?.messageId === 'string') return e.Records[0].messageId;
  if (typeof e?.id === 'string') return e.id;
  return undefined;
}

/**
 * Wraps a handler so every line it logs carries the Lambda context (request
 * id, function, cold start) and the correlation id of its event.
 */
export function logged<E, R>(logger: Logger, handler: (event: E, context: Context) => Promise<R>): (event: E, context?: Context) => Promise<R> {
  return async (event, context) => {
    // Called without a context only outside Lambda (tests calling the handler directly).
    if (context) logger.addContext(context);
    const id = correlationIdOf(event);
    if (id) logger.setCorrelationId(id);
    return handler(event, context as Context);
  };
}
