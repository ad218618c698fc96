import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isNonPublicAddress, publicUrlProblem } from '../domain/public-url.ts';
import { PublishError } from './platform-client.ts';

/** Redirects followed, each to a URL checked like the first. */
const MAX_REDIRECTS = 5;

export interface FetchedMedia {
  bytes: Uint8Array;
  contentType: string;
}

/**
 * Downloads a post's media to upload it to a platform. Only http(s) URLs to
 * public addresses are fetched (no loopback, private or link-local targets, no
 * user name in the URL), with a size cap and a deadline; a redirect is followed
 * only to a URL that passes the same checks. `trustedOrigin` (the local twin's
 * sandbox) is exempt.
 */
export async function fetchMedia(url: string, options: { maxBytes: number; timeoutMs: number; trustedOrigin?: string }): Promise<FetchedMedia> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new PublishError('definite', `media ${JSON.stringify(url.slice(0, 200))} is not a URL`);
  }
  let res: Response;
  for (let hop = 0; ; hop++) {
    await checkTarget(url, u, options.trustedOrigin);
    try {
      res = await fetch(u, { signal, redirect: 'manual' });
    } catch (e) {
      throw new PublishError('retryable', `media ${url}: could not be downloaded (${(e as Error).message})`, { retryAfterMs: 60_000 });
    }
    const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
    if (location === null) break;
    await res.body?.cancel();
    if (hop >= MAX_REDIRECTS) throw new PublishError('definite', `media ${url}: more than ${MAX_REDIRECTS} redirects`);
    try {
      u = new URL(location, u);
    } catch {
      throw new PublishError('definite', `media ${url}: redirects to ${JSON.stringify(location.slice(0, 200))}, which is not a URL`);
    }
  }
  if (!res.ok) throw new PublishError(res.status >= 500 ? 'retryable' : 'definite', `media ${url}: the server answered ${res.status}`, { retryAfterMs: 60_000 });
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > options.maxBytes) throw new PublishError('definite', `media ${url}: ${declared} bytes; the platform takes at most ${options.maxBytes}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes.byteLength > options.maxBytes) throw new PublishError('definite', `media ${url}: ${bytes.byteLength} bytes; the platform takes at most ${options.maxBytes}`);
  return { bytes, contentType: res.headers.get('content-type')?.split(';')[0] ?? 'application/octet-stream' };
}

/** Refuses a URL (the first or a redirect's) that is not http(s) to a public address, by what it says and by what its host resolves to. */
async function checkTarget(url: string, u: URL, trustedOrigin: string | undefined): Promise<void> {
  const via = u.href === url ? '' : ` (redirected to ${u.href})`;
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new PublishError('definite', `media ${url}${via}: only http(s) URLs can be published`);
  if (trustedOrigin && u.origin === new URL(trustedOrigin).origin) return;
  const problem = publicUrlProblem(u.href);
  if (problem) throw new PublishError('definite', `media ${url}${via}: the URL ${problem}`);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0) throw new PublishError('retryable', `media ${url}${via}: the host does not resolve`, { retryAfterMs: 60_000 });
  const bad = addresses.find(isNonPublicAddress);
  if (bad) throw new PublishError('definite', `media ${url}${via}: the host is not a public address (${u.hostname} is ${bad})`);
}
