// One Lambda execution environment: a worker thread with the function's own
// env, its handler module imported once (the "init" phase) and reused for
// every invocation, and a Context whose remaining time counts down.
import { register } from 'tsx/esm/api';
import { parentPort, workerData } from 'node:worker_threads';

register();

const { entry, functionName, memoryMb, region } = workerData;
const serialise = (e) => ({
  errorType: e?.name ?? 'Error',
  errorMessage: e?.message ?? String(e),
  stack: typeof e?.stack === 'string' ? e.stack.split('\n') : [],
});

let handler;
try {
  const mod = await import(entry);
  handler = mod.handler;
  if (typeof handler !== 'function') throw Object.assign(new Error(`${entry} does not export a function named handler`), { name: 'Runtime.HandlerNotFound' });
  parentPort.postMessage({ type: 'ready' });
} catch (e) {
  parentPort.postMessage({ type: 'init-error', error: serialise(e) });
}

parentPort.on('message', async ({ id, event, deadline, requestId }) => {
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${process.pid}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
  try {
    const result = await handler(event, context);
    // Lambda serialises the result as JSON; so does the twin.
    parentPort.postMessage({ type: 'result', id, result: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
  } catch (e) {
    parentPort.postMessage({ type: 'error', id, error: serialise(e) });
  }
});
