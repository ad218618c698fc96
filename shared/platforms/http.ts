import { PublishError } from './platform-client.ts';

/** Connection failures that prove the request never reached the platform. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export interface PlatformResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/**
 * fetch with a deadline, sorting failures by whether the request could have
 * been acted on: a refused connection is `retryable`, anything after the
 * request left (timeout, reset, half a response) is `unknown`.
 */
export async function platformFetch(url: string, init: RequestInit, timeoutMs: number): Promise<PlatformResponse> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (e) {
    const code = (e as { cause?: { code?: string } }).cause?.code;
    if (code && NOT_SENT.has(code)) throw new PublishError('retryable', `could not connect to ${new URL(url).host} (${code})`, { retryAfterMs: 30_000 });
    const reason = (e as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (code ?? (e as Error).message);
    throw new PublishError('unknown', `request to ${new URL(url).host} was sent but the outcome is unknown: ${reason}`);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw new PublishError('unknown', `response from ${new URL(url).host} broke off: ${(e as Error).message}`);
  }
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Milliseconds until a rate limit resets, from whichever header the platform uses; a default when none. */
export function retryAfterMs(headers: Headers, now: number, fallbackMs = 60_000): number {
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    const secs = Number(retryAfter);
    if (Number.isFinite(secs)) return Math.max(1000, secs * 1000);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(1000, at - now);
  }
  for (const name of ['x-rate-limit-reset', 'ratelimit-reset', 'x-ratelimit-reset']) {
    const v = headers.get(name);
    if (!v) continue;
    const epoch = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v);
    if (!Number.isNaN(epoch)) return Math.max(1000, epoch - now);
  }
  const buc = headers.get('x-business-use-case-usage');
  if (buc) {
    try {
      const usage = JSON.parse(buc) as Record<string, { estimated_time_to_regain_access?: number }[]>;
      const minutes = Math.max(0, ...Object.values(usage).flat().map((u) => u.estimated_time_to_regain_access ?? 0));
      if (minutes > 0) return minutes * 60_000;
    } catch {
      // ignore a malformed header
    }
  }
  return fallbackMs;
}

/** The common mapping of HTTP statuses; platforms refine it with their error bodies first. */
export function classifyStatus(res: PlatformResponse, platform: string, detail: string): PublishError {
  const message = `${platform} ${res.status}: ${detail}`.slice(0, 1000);
  if (res.status === 401) return new PublishError('definite', message, { reauth: true, status: 401 });
  if (res.status === 429) return new PublishError('retryable', message, { retryAfterMs: retryAfterMs(res.headers, Date.now()), status: 429 });
  if (res.status === 503) return new PublishError('retryable', message, { retryAfterMs: retryAfterMs(res.headers, Date.now(), 30_000), status: 503 });
  // Any other 5xx may have had an effect before failing.
  if (res.status >= 500) return new PublishError('unknown', message, { status: res.status });
  return new PublishError('definite', message, { status: res.status });
}
