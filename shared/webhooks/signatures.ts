/**
 * Webhook signature checks for every platform that pushes to us, plus the
 * handshake answers (X CRC, LinkedIn challenge). Pure functions, no I/O.
 *
 * Every HMAC is computed over the RAW request body bytes exactly as received:
 * never over a re-serialised `JSON.parse` result (Meta escapes non-ASCII as
 * lowercase `\uXXXX`, so re-serialising changes the bytes and the digest).
 * Digests are compared as bytes with `timingSafeEqual` after a length check.
 *
 * Header rules (platform API reference, platform-apis.md §7.1; test vectors in §8):
 *
 * | source   | header                         | value                   | HMAC-SHA256 message       |
 * |----------|--------------------------------|-------------------------|---------------------------|
 * | meta     | `x-hub-signature-256`          | `sha256=<hex>`          | body                      |
 * | x        | `x-twitter-webhooks-signature` | `sha256=<base64>`       | body                      |
 * | linkedin | `x-li-signature`               | `<hex>`                 | `"hmacsha256=" + body`    |
 * | tiktok   | `tiktok-signature`             | `t=<unix>,s=<hex>`      | `t + "." + body`          |
 * | mastodon | `x-hub-signature`              | `sha256=<hex>`          | body                      |
 * | sandbox  | `x-sandbox-signature`          | `sha256=<hex>`          | body                      |
 *
 * Outcomes: an absent or empty header is `missing_signature`; a header that is
 * present but malformed (wrong prefix, wrong length, not hex/base64, a TikTok
 * header without `t`/`s` or with a non-numeric `t`) is `bad_signature`, the same
 * as a well-formed signature that does not match. For TikTok the signature is
 * checked first and the timestamp second, so `stale_timestamp` is only reported
 * for an authentic but too old (or too far in the future) delivery.
 * An empty secret never verifies anything (fail closed on misconfiguration).
 * Nothing here throws for any header value.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type WebhookSource = 'meta' | 'x' | 'linkedin' | 'tiktok' | 'mastodon' | 'sandbox';

export const WEBHOOK_SOURCES: readonly WebhookSource[] = ['meta', 'x', 'linkedin', 'tiktok', 'mastodon', 'sandbox'];

export type SignatureCheck =
  | { ok: true }
  | { ok: false; reason: 'missing_signature' | 'bad_signature' | 'stale_timestamp' };

/** Largest accepted |now − t| for TikTok deliveries, in seconds. */
export const TIKTOK_TOLERANCE_SECONDS = 300;

/** The (lower-cased) header that carries each source's signature. */
export const SIGNATURE_HEADER: Readonly<Record<WebhookSource, string>> = {
  meta: 'x-hub-signature-256',
  x: 'x-twitter-webhooks-signature',
  linkedin: 'x-li-signature',
  tiktok: 'tiktok-signature',
  mastodon: 'x-hub-signature',
  sandbox: 'x-sandbox-signature',
};

const LINKEDIN_PREFIX = Buffer.from('hmacsha256=', 'utf8');
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;
const SHA256_PREFIX = /^sha256=/i;
const UNIX_SECONDS = /^\d{1,12}$/;

const MISSING: SignatureCheck = { ok: false, reason: 'missing_signature' };
const BAD: SignatureCheck = { ok: false, reason: 'bad_signature' };
const STALE: SignatureCheck = { ok: false, reason: 'stale_timestamp' };
const OK: SignatureCheck = { ok: true };

/** headers: lower-cased header names → values */
export function verifySignature(
  source: WebhookSource,
  rawBody: Buffer,
  headers: Record<string, string | undefined>,
  secret: string,
  nowSeconds: number,
): SignatureCheck {
  const name = SIGNATURE_HEADER[source];
  if (name === undefined) return BAD;
  const raw = headerValue(headers, name);
  if (raw === undefined) return MISSING;
  if (typeof raw !== 'string') return BAD;
  const value = raw.trim();
  if (value === '') return MISSING;
  if (typeof secret !== 'string' || secret === '' || !Buffer.isBuffer(rawBody)) return BAD;

  switch (source) {
    case 'meta':
    case 'mastodon':
    case 'sandbox': {
      const given = decodeHex(stripSha256(value));
      return given && equalBytes(given, hmac(secret, rawBody)) ? OK : BAD;
    }
    case 'x': {
      const given = decodeBase64(stripSha256(value));
      return given && equalBytes(given, hmac(secret, rawBody)) ? OK : BAD;
    }
    case 'linkedin': {
      const given = decodeHex(value);
      return given && equalBytes(given, hmac(secret, LINKEDIN_PREFIX, rawBody)) ? OK : BAD;
    }
    case 'tiktok':
      return verifyTimestamped(value, 's', rawBody, secret, nowSeconds);
  }
}

function verifyTimestamped(value: string, sigKey: string, rawBody: Buffer, secret: string, nowSeconds: number): SignatureCheck {
  const parsed = parseTimestampedHeader(value, sigKey);
  if (!parsed) return BAD;
  const expected = hmac(secret, Buffer.from(`${parsed.t}.`, 'utf8'), rawBody);
  if (!equalBytes(parsed.s, expected)) return BAD;
  if (!Number.isFinite(nowSeconds)) return STALE;
  return Math.abs(nowSeconds - Number(parsed.t)) > TIKTOK_TOLERANCE_SECONDS ? STALE : OK;
}

/** The conversion webhook's header: `Paylas-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`, 300 s tolerance (as Stripe signs). */
export const CONVERSION_SIGNATURE_HEADER = 'paylas-signature';

export function verifyConversionSignature(rawBody: Buffer, headers: Record<string, string | undefined>, secret: string, nowSeconds: number): SignatureCheck {
  const raw = headerValue(headers, CONVERSION_SIGNATURE_HEADER);
  if (raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return MISSING;
  if (typeof raw !== 'string' || typeof secret !== 'string' || secret === '' || !Buffer.isBuffer(rawBody)) return BAD;
  return verifyTimestamped(raw.trim(), 'v1', rawBody, secret, nowSeconds);
}

export function conversionSignatureHeaders(rawBody: Buffer, secret: string, nowSeconds: number): Record<string, string> {
  const t = String(Math.floor(nowSeconds));
  return { [CONVERSION_SIGNATURE_HEADER]: `t=${t},v1=${hmac(secret, Buffer.from(`${t}.`, 'utf8'), rawBody).toString('hex')}` };
}

/** The header(s) a platform would send for this body (used by the sandbox platform and tests). */
export function signatureHeaders(
  source: WebhookSource,
  rawBody: Buffer,
  secret: string,
  nowSeconds: number,
): Record<string, string> {
  const name = SIGNATURE_HEADER[source];
  switch (source) {
    case 'meta':
    case 'mastodon':
    case 'sandbox':
      return { [name]: `sha256=${hmac(secret, rawBody).toString('hex')}` };
    case 'x':
      return { [name]: `sha256=${hmac(secret, rawBody).toString('base64')}` };
    case 'linkedin':
      return { [name]: hmac(secret, LINKEDIN_PREFIX, rawBody).toString('hex') };
    case 'tiktok': {
      const t = String(Math.floor(nowSeconds));
      return { [name]: `t=${t},s=${hmac(secret, Buffer.from(`${t}.`, 'utf8'), rawBody).toString('hex')}` };
    }
  }
}

/** X CRC answer: `sha256=` + base64(HMAC-SHA256(consumer secret, crc_token)). */
export function xCrcResponseToken(crcToken: string, consumerSecret: string): string {
  return `sha256=${hmac(consumerSecret, Buffer.from(crcToken, 'utf8')).toString('base64')}`;
}

/** LinkedIn endpoint validation: lowercase hex HMAC-SHA256(client secret, challengeCode). */
export function linkedInChallengeResponse(challengeCode: string, clientSecret: string): string {
  return hmac(clientSecret, Buffer.from(challengeCode, 'utf8')).toString('hex');
}

function hmac(secret: string, ...parts: Buffer[]): Buffer {
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

function equalBytes(given: Buffer, expected: Buffer): boolean {
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Exact lower-case lookup first, then a case-insensitive scan for callers that did not lower-case. */
function headerValue(headers: Record<string, string | undefined>, name: string): unknown {
  if (headers === null || typeof headers !== 'object') return undefined;
  if (Object.hasOwn(headers, name)) {
    const direct: unknown = headers[name];
    if (direct !== undefined && direct !== null) return direct;
  }
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === name) {
      const value: unknown = headers[key];
      if (value !== undefined && value !== null) return value;
    }
  }
  return undefined;
}

function stripSha256(value: string): string | undefined {
  return SHA256_PREFIX.test(value) ? value.slice('sha256='.length) : undefined;
}

function decodeHex(value: string | undefined): Buffer | undefined {
  return value !== undefined && HEX_SHA256.test(value) ? Buffer.from(value, 'hex') : undefined;
}

function decodeBase64(value: string | undefined): Buffer | undefined {
  return value !== undefined && BASE64_SHA256.test(value) ? Buffer.from(value, 'base64') : undefined;
}

/** `t=<unix>,s=<hex>` in any order, whitespace around parts tolerated, unknown keys skipped, duplicates refused. */
/** `t=<unix>,<sigKey>=<hex>` (TikTok: `s`; the conversion webhook, Stripe-style: `v1`). */
function parseTimestampedHeader(value: string, sigKey = 's'): { t: string; s: Buffer } | undefined {
  let t: string | undefined;
  let s: string | undefined;
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    const key = part.slice(0, eq).trim();
    const val = part.slice(eq + 1).trim();
    if (key === 't') {
      if (t !== undefined) return undefined;
      t = val;
    } else if (key === sigKey) {
      if (s !== undefined) return undefined;
      s = val;
    }
  }
  if (t === undefined || !UNIX_SECONDS.test(t)) return undefined;
  const sig = decodeHex(s);
  return sig ? { t, s: sig } : undefined;
}
