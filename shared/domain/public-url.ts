import { isIPv4, isIPv6 } from 'node:net';

/**
 * Whether a URL may be fetched by Paylaş or handed to a platform to fetch:
 * http(s) only, no user name or password, and a host that is public. Pure: it
 * judges the URL as written (the WHATWG parser already turns decimal, octal and
 * hex IPv4 forms into dotted quads); the fetch layer checks the addresses a
 * name resolves to, at every redirect.
 */

const octets = (dotted: string) => dotted.split('.').map(Number) as [number, number, number, number];

/** Loopback, private, shared, link-local (incl. the metadata address), documentation, benchmark, multicast and reserved IPv4. */
function nonPublicV4([a, b, c]: [number, number, number, number]): boolean {
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0 && (c === 0 || c === 2)) ||
    (a === 192 && b === 88 && c === 99) ||
    (a === 198 && (b === 18 || b === 19)) ||
    (a === 198 && b === 51 && c === 100) ||
    (a === 203 && b === 0 && c === 113) ||
    a >= 224
  );
}

/** The eight 16-bit groups of an IPv6 address (an embedded dotted IPv4 tail is converted). */
function hextets(address: string): number[] {
  let text = address;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = octets(tail[1]!);
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const groups = rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((g) => parseInt(g, 16));
}

function nonPublicV6(address: string): boolean {
  const h = hextets(address);
  const embedded = (): [number, number, number, number] => [h[6]! >> 8, h[6]! & 0xff, h[7]! >> 8, h[7]! & 0xff];
  const zeros = (from: number, to: number) => h.slice(from, to).every((g) => g === 0);
  if (zeros(0, 8) || (zeros(0, 7) && h[7] === 1)) return true; // :: and ::1
  // IPv4-mapped (::ffff:0:0/96), IPv4-compatible (::/96), IPv4-translated (::ffff:0:0:0/96) and NAT64 (64:ff9b::/96): judged by the IPv4 inside.
  if (zeros(0, 5) && (h[5] === 0xffff || h[5] === 0)) return nonPublicV4(embedded());
  if (zeros(0, 4) && h[4] === 0xffff && h[5] === 0) return nonPublicV4(embedded());
  if (h[0] === 0x64 && h[1] === 0xff9b && zeros(2, 6)) return nonPublicV4(embedded());
  if (h[0] === 0x2002) return nonPublicV4([h[1]! >> 8, h[1]! & 0xff, h[2]! >> 8, h[2]! & 0xff]); // 6to4
  return (
    (h[0]! & 0xfe00) === 0xfc00 || // unique local fc00::/7
    (h[0]! & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (h[0]! & 0xffc0) === 0xfec0 || // site-local fec0::/10
    (h[0]! & 0xff00) === 0xff00 || // multicast
    (h[0] === 0x2001 && h[1] === 0x0db8) || // documentation
    (h[0] === 0x2001 && h[1] === 0) || // Teredo
    (h[0] === 0x0100 && zeros(1, 4)) // discard-only 100::/64
  );
}

/** True for an IP address (v4, or v6 with or without brackets) that is not a public unicast address. */
export function isNonPublicAddress(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIPv4(a)) return nonPublicV4(octets(a));
  if (isIPv6(a)) return nonPublicV6(a);
  return false;
}

const LOCAL_NAMES = /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa|localdomain)$/;

/** Origins taken as public though they are not: only the local twin's sandbox platform, registered at start from its configuration. */
const trustedOrigins = new Set<string>();
export function trustOrigin(origin: string): void {
  trustedOrigins.add(new URL(origin).origin);
}

/** Why `url` may not be fetched from the public internet, or undefined when it may. */
export function publicUrlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (trustedOrigins.has(u.origin)) return undefined;
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `must be an http(s) URL, not ${u.protocol}`;
  if (u.username !== '' || u.password !== '') return 'must not carry a user name or password before the host';
  const host = u.hostname.toLowerCase().replace(/\.$/, '');
  if (isIPv4(host) || host.startsWith('[')) {
    return isNonPublicAddress(host) ? `points at ${host}: the host is not a public address (loopback, private, link-local and other special ranges are refused)` : undefined;
  }
  if (LOCAL_NAMES.test(host)) return `points at ${host}, a local name; use a public host`;
  if (!host.includes('.')) return `points at ${host}, which is not a fully qualified public host name`;
  return undefined;
}
