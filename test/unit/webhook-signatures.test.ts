import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  linkedInChallengeResponse,
  signatureHeaders,
  SIGNATURE_HEADER,
  TIKTOK_TOLERANCE_SECONDS,
  verifySignature,
  WEBHOOK_SOURCES,
  xCrcResponseToken,
  type WebhookSource,
} from '#shared/webhooks/signatures.ts';

// Known-answer vectors: platform-apis.md §8 (secret `test_secret`, body `{"a":1}`, 7 bytes).
const SECRET = 'test_secret';
const BODY = Buffer.from('{"a":1}', 'utf8');
const META_HEX = '4452759cddf445c9ec15e49fdd9559f14997a7a10c2c8dbca45d09b8594c1900';
const X_B64 = 'RFJ1nN30RcnsFeSf3ZVZ8UmXp6EMLI28pF0JuFlMGQA=';
const LINKEDIN_HEX = 'bbde5750cfe8e1c87140fa57df76487a5d7018e3c98648274a554ac62e230f43';
const TIKTOK_T = 1633174587;
const TIKTOK_HEX = '49e699594a764bfc5667e491c2217f11b81faafabca4962ae210f789a87bd0b2';
const NOW = 1747663306;

const fixture = (name: string) => readFileSync(new URL(`../fixtures/webhooks/${name}`, import.meta.url));

describe('known-answer vectors (reference §8)', () => {
  it('has a 7-byte body without a trailing newline', () => {
    expect(BODY.length).toBe(7);
  });

  it('X CRC response token', () => {
    expect(xCrcResponseToken('abc', SECRET)).toBe('sha256=AgGzINl8CLJRCWUPbY3q9mV88Kt6/U88CUVrlf+bgGA=');
  });

  it('X delivery signature', () => {
    expect(signatureHeaders('x', BODY, SECRET, NOW)).toEqual({ 'x-twitter-webhooks-signature': `sha256=${X_B64}` });
    expect(verifySignature('x', BODY, { 'x-twitter-webhooks-signature': `sha256=${X_B64}` }, SECRET, NOW)).toEqual({ ok: true });
  });

  it('Meta X-Hub-Signature-256', () => {
    expect(signatureHeaders('meta', BODY, SECRET, NOW)).toEqual({ 'x-hub-signature-256': `sha256=${META_HEX}` });
    expect(verifySignature('meta', BODY, { 'x-hub-signature-256': `sha256=${META_HEX}` }, SECRET, NOW)).toEqual({ ok: true });
  });

  it('LinkedIn challenge response (lowercase hex)', () => {
    expect(linkedInChallengeResponse('890e4665-4dfe-4ab1-b689-ed553bceeed0', SECRET)).toBe(
      '04b5de40af7498d41d935649ce4291e987cd2176db46865dbaaeac596442af64',
    );
  });

  it('LinkedIn X-LI-Signature over "hmacsha256=" + body', () => {
    expect(signatureHeaders('linkedin', BODY, SECRET, NOW)).toEqual({ 'x-li-signature': LINKEDIN_HEX });
    expect(verifySignature('linkedin', BODY, { 'x-li-signature': LINKEDIN_HEX }, SECRET, NOW)).toEqual({ ok: true });
  });

  it('TikTok-Signature over t + "." + body', () => {
    const header = `t=${TIKTOK_T},s=${TIKTOK_HEX}`;
    expect(signatureHeaders('tiktok', BODY, SECRET, TIKTOK_T)).toEqual({ 'tiktok-signature': header });
    expect(verifySignature('tiktok', BODY, { 'tiktok-signature': header }, SECRET, TIKTOK_T)).toEqual({ ok: true });
  });

  it('Mastodon X-Hub-Signature', () => {
    expect(signatureHeaders('mastodon', BODY, SECRET, NOW)).toEqual({ 'x-hub-signature': `sha256=${META_HEX}` });
    expect(verifySignature('mastodon', BODY, { 'x-hub-signature': `sha256=${META_HEX}` }, SECRET, NOW)).toEqual({ ok: true });
  });

  it('sandbox uses the Meta scheme under x-sandbox-signature', () => {
    expect(signatureHeaders('sandbox', BODY, SECRET, NOW)).toEqual({ 'x-sandbox-signature': `sha256=${META_HEX}` });
    expect(verifySignature('sandbox', BODY, { 'x-sandbox-signature': `sha256=${META_HEX}` }, SECRET, NOW)).toEqual({ ok: true });
  });
});

describe('verifySignature', () => {
  const missing = { ok: false, reason: 'missing_signature' };
  const bad = { ok: false, reason: 'bad_signature' };
  const stale = { ok: false, reason: 'stale_timestamp' };

  it('accepts upper-case hex digests and trims surrounding whitespace', () => {
    expect(verifySignature('meta', BODY, { 'x-hub-signature-256': `sha256=${META_HEX.toUpperCase()}` }, SECRET, NOW)).toEqual({ ok: true });
    expect(verifySignature('mastodon', BODY, { 'x-hub-signature': ` sha256=${META_HEX} ` }, SECRET, NOW)).toEqual({ ok: true });
    expect(verifySignature('linkedin', BODY, { 'x-li-signature': LINKEDIN_HEX.toUpperCase() }, SECRET, NOW)).toEqual({ ok: true });
  });

  it('finds the header even when the caller did not lower-case names', () => {
    expect(verifySignature('meta', BODY, { 'X-Hub-Signature-256': `sha256=${META_HEX}` }, SECRET, NOW)).toEqual({ ok: true });
  });

  it('reports an absent or empty header as missing_signature', () => {
    for (const source of WEBHOOK_SOURCES) {
      expect(verifySignature(source, BODY, {}, SECRET, NOW)).toEqual(missing);
      expect(verifySignature(source, BODY, { [SIGNATURE_HEADER[source]]: '' }, SECRET, NOW)).toEqual(missing);
      expect(verifySignature(source, BODY, { [SIGNATURE_HEADER[source]]: undefined }, SECRET, NOW)).toEqual(missing);
    }
    // Meta's legacy sha1 header alone is not enough.
    expect(verifySignature('meta', BODY, { 'x-hub-signature': 'sha1=0123456789abcdef0123456789abcdef01234567' }, SECRET, NOW)).toEqual(missing);
    // Another source's header does not count.
    expect(verifySignature('sandbox', BODY, { 'x-hub-signature-256': `sha256=${META_HEX}` }, SECRET, NOW)).toEqual(missing);
  });

  it('reports malformed headers as bad_signature without throwing', () => {
    const cases: [WebhookSource, string][] = [
      ['meta', META_HEX], // no prefix
      ['meta', `sha1=${META_HEX}`],
      ['meta', `sha256=${META_HEX.slice(1)}`], // 63 digits
      ['meta', `sha256=${META_HEX}00`], // 66 digits
      ['meta', `sha256=${'z'.repeat(64)}`],
      ['meta', `sha256=${X_B64}`], // base64 where hex is expected
      ['meta', 'sha256='],
      ['meta', '='],
      ['x', X_B64], // no prefix
      ['x', `sha256=${META_HEX}`], // hex where base64 is expected
      ['x', `sha256=${X_B64.slice(0, -1)}`],
      ['x', `sha256=${X_B64.replace(/\+/g, '-')}AA`],
      ['linkedin', `sha256=${LINKEDIN_HEX}`], // prefix where none is expected
      ['linkedin', `hmacsha256=${LINKEDIN_HEX}`],
      ['tiktok', TIKTOK_HEX],
      ['tiktok', `s=${TIKTOK_HEX}`],
      ['tiktok', `t=${TIKTOK_T}`],
      ['tiktok', `t=abc,s=${TIKTOK_HEX}`],
      ['tiktok', `t=-${TIKTOK_T},s=${TIKTOK_HEX}`],
      ['tiktok', `t=${TIKTOK_T},s=${TIKTOK_HEX},s=${TIKTOK_HEX}`],
      ['tiktok', `t=${TIKTOK_T},t=${TIKTOK_T},s=${TIKTOK_HEX}`],
      ['tiktok', `t=${TIKTOK_T};s=${TIKTOK_HEX}`],
      ['tiktok', `t=${TIKTOK_T},s=${TIKTOK_HEX.slice(2)}`],
      ['tiktok', ',,,'],
      ['mastodon', `sha256 ${META_HEX}`],
      ['sandbox', `sha256=${META_HEX.replace(/./g, 'ğ')}`],
    ];
    for (const [source, value] of cases) {
      expect(verifySignature(source, BODY, { [SIGNATURE_HEADER[source]]: value }, SECRET, TIKTOK_T), `${source}: ${value}`).toEqual(bad);
    }
    const odd: unknown[] = ['x'.repeat(1_000_000), '\u0000', ['a', 'b'], 42, { sha256: META_HEX }, 't=1,s=', 'sha256=' + '0'.repeat(10_000)];
    for (const source of WEBHOOK_SOURCES) {
      for (const value of odd) {
        const headers = { [SIGNATURE_HEADER[source]]: value } as Record<string, string | undefined>;
        expect(verifySignature(source, BODY, headers, SECRET, NOW)).toEqual(bad);
      }
    }
  });

  it('tolerates spaces and extra keys in the TikTok header, in any order', () => {
    const check = (value: string) => verifySignature('tiktok', BODY, { 'tiktok-signature': value }, SECRET, TIKTOK_T);
    expect(check(`t=${TIKTOK_T}, s=${TIKTOK_HEX}`)).toEqual({ ok: true });
    expect(check(`s=${TIKTOK_HEX},t=${TIKTOK_T}`)).toEqual({ ok: true });
    expect(check(`t=${TIKTOK_T},v=2,s=${TIKTOK_HEX.toUpperCase()}`)).toEqual({ ok: true });
  });

  it('rejects a wrong secret, a tampered body and the bare-body LinkedIn variant', () => {
    for (const source of WEBHOOK_SOURCES) {
      const headers = signatureHeaders(source, BODY, SECRET, NOW);
      expect(verifySignature(source, BODY, headers, 'other_secret', NOW), source).toEqual(bad);
      expect(verifySignature(source, Buffer.from('{"a":2}'), headers, SECRET, NOW), source).toEqual(bad);
      expect(verifySignature(source, Buffer.from('{"a":1}\n'), headers, SECRET, NOW), source).toEqual(bad);
    }
    // Some implementations hash the bare body for LinkedIn; that is the Meta digest, and it must fail.
    expect(verifySignature('linkedin', BODY, { 'x-li-signature': META_HEX }, SECRET, NOW)).toEqual(bad);
  });

  it('fails closed with an empty secret', () => {
    for (const source of WEBHOOK_SOURCES) {
      expect(verifySignature(source, BODY, signatureHeaders(source, BODY, '', NOW), '', NOW), source).toEqual(bad);
    }
  });

  it('rejects TikTok deliveries outside the ±300 s window, in the past or the future', () => {
    expect(TIKTOK_TOLERANCE_SECONDS).toBe(300);
    const headers = { 'tiktok-signature': `t=${TIKTOK_T},s=${TIKTOK_HEX}` };
    expect(verifySignature('tiktok', BODY, headers, SECRET, TIKTOK_T + 300)).toEqual({ ok: true });
    expect(verifySignature('tiktok', BODY, headers, SECRET, TIKTOK_T - 300)).toEqual({ ok: true });
    expect(verifySignature('tiktok', BODY, headers, SECRET, TIKTOK_T + 300.5)).toEqual(stale);
    expect(verifySignature('tiktok', BODY, headers, SECRET, TIKTOK_T + 301)).toEqual(stale);
    expect(verifySignature('tiktok', BODY, headers, SECRET, TIKTOK_T - 301)).toEqual(stale);
    expect(verifySignature('tiktok', BODY, headers, SECRET, NOW)).toEqual(stale);
    expect(verifySignature('tiktok', BODY, headers, SECRET, Number.NaN)).toEqual(stale);
    // The signature is checked before freshness: a forged stale header is a bad signature.
    expect(verifySignature('tiktok', BODY, { 'tiktok-signature': `t=${TIKTOK_T},s=${'0'.repeat(64)}` }, SECRET, NOW)).toEqual(bad);
    // Changing t invalidates the signature, even when the new t is fresh.
    expect(verifySignature('tiktok', BODY, { 'tiktok-signature': `t=${NOW},s=${TIKTOK_HEX}` }, SECRET, NOW)).toEqual(bad);
  });

  it('hashes the raw bytes: Meta bodies with \\u-escaped Turkish text verify only as sent', () => {
    const raw = fixture('meta-page-feed-batch.json');
    const text = raw.toString('utf8');
    expect(text).toContain('payla\\u015f\\u0131m');
    expect(/^[\x20-\x7e]*$/.test(text)).toBe(true);
    const headers = signatureHeaders('meta', raw, SECRET, NOW);
    expect(verifySignature('meta', raw, headers, SECRET, NOW)).toEqual({ ok: true });

    const reserialised = Buffer.from(JSON.stringify(JSON.parse(text)), 'utf8');
    expect(reserialised.equals(raw)).toBe(false);
    expect(reserialised.toString('utf8')).toContain('paylaşım');
    expect(verifySignature('meta', reserialised, headers, SECRET, NOW)).toEqual(bad);
  });

  it('round-trips signatureHeaders through verifySignature for every source and fixture', () => {
    const bodies = [
      BODY,
      Buffer.alloc(0),
      fixture('meta-page-feed-batch.json'),
      fixture('x-aaa-reply.json'),
      fixture('linkedin-comment.json'),
      fixture('tiktok-publish-complete.json'),
      fixture('mastodon-status-created.json'),
      Buffer.from('{"text":"çğıöşü 😍"}', 'utf8'),
    ];
    const now = 1747663306.75; // fractional clocks are floored into TikTok's t
    for (const source of WEBHOOK_SOURCES) {
      for (const body of bodies) {
        const headers = signatureHeaders(source, body, SECRET, now);
        expect(Object.keys(headers)).toEqual([SIGNATURE_HEADER[source]]);
        expect(verifySignature(source, body, headers, SECRET, now), source).toEqual({ ok: true });
      }
    }
    expect(signatureHeaders('tiktok', BODY, SECRET, now)['tiktok-signature']).toMatch(/^t=1747663306,s=[0-9a-f]{64}$/);
  });
});
