import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { PublishError } from './platform-client.ts';

/** Addresses a media URL may not point at: loopback, private, link-local, metadata and other special ranges. */
function isPrivateAddress(address: string): boolean {
  if (isIP(address) === 6) {
    const a = address.toLowerCase();
    if (a === '::1' || a === '::' || a.startsWith('fe80:') || a.startsWith('fc') || a.startsWith('fd')) return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
    return mapped ? isPrivateAddress(mapped[1]!) : false;
  }
  const [a = 0, b = 0] = address.split('.').map(Number);
  return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
}

export interface FetchedMedia {
  bytes: Uint8Array;
  contentType: string;
}

/**
 * Downloads a post's media to upload it to a platform. Only http(s) URLs to
 * public addresses are fetched (no loopback, private or link-local targets), with
 * a size cap and a deadline; `trustedOrigin` (the local twin's sandbox) is exempt.
 */
export async function fetchMedia(url: string, options: { maxBytes: number; timeoutMs: number; trustedOrigin?: string }): Promise<FetchedMedia> {
  const u = new URL(url);
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new PublishError('definite', `media ${url}: only http(s) URLs can be published`);
  if (!options.trustedOrigin || u.origin !== new URL(options.trustedOrigin).origin) {
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
    if (addresses.length === 0) throw new PublishError('retryable', `media ${url}: the host does not resolve`, { retryAfterMs: 60_000 });
    if (addresses.some(isPrivateAddress)) throw new PublishError('definite', `media ${url}: the host is not a public address`);
  }
  let res: Response;
  try {
    res = await fetch(u, { signal: AbortSignal.timeout(options.timeoutMs), redirect: 'error' });
  } catch (e) {
    throw new PublishError('retryable', `media ${url}: could not be downloaded (${(e as Error).message})`, { retryAfterMs: 60_000 });
  }
  if (!res.ok) throw new PublishError(res.status >= 500 ? 'retryable' : 'definite', `media ${url}: the server answered ${res.status}`, { retryAfterMs: 60_000 });
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > options.maxBytes) throw new PublishError('definite', `media ${url}: ${declared} bytes; the platform takes at most ${options.maxBytes}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes.byteLength > options.maxBytes) throw new PublishError('definite', `media ${url}: ${bytes.byteLength} bytes; the platform takes at most ${options.maxBytes}`);
  return { bytes, contentType: res.headers.get('content-type')?.split(';')[0] ?? 'application/octet-stream' };
}
