import { createHash, timingSafeEqual } from 'node:crypto';
import { appSecretName } from '../config/secret-names.ts';
import type { Account } from '../domain/account.ts';
import type { Clock } from '../domain/clock.ts';
import { IncomingComment } from '../domain/comment.ts';
import { NotFoundError, StateConflictError, type FieldIssue } from '../domain/errors.ts';
import type { DomainEvent } from '../domain/events.ts';
import type { Platform } from '../domain/primitives.ts';
import type { CommunityStore, QuarantineEntry } from '../data/community-store.ts';
import type { Page, PageRequest } from '../data/pagination.ts';
import type { EventPublisher } from '../ports/messaging.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import { linkedInChallengeResponse, verifyConversionSignature, verifySignature, xCrcResponseToken, type WebhookSource } from '../webhooks/signatures.ts';
import { Conversion } from '../domain/metrics.ts';
import { normaliseWebhook, UnknownPayloadError, type Normalised } from '../webhooks/normalise.ts';

export const MAX_WEBHOOK_BYTES = 1024 * 1024;

/** `/webhooks/{name}`: the names platforms are configured with, and the secret each is signed with. */
const SOURCES: Record<string, { source: WebhookSource; secret: string }> = {
  meta: { source: 'meta', secret: 'META_APP_SECRET' },
  facebook: { source: 'meta', secret: 'META_APP_SECRET' },
  instagram: { source: 'meta', secret: 'META_APP_SECRET' },
  x: { source: 'x', secret: 'X_CONSUMER_SECRET' },
  linkedin: { source: 'linkedin', secret: 'LINKEDIN_CLIENT_SECRET' },
  tiktok: { source: 'tiktok', secret: 'TIKTOK_CLIENT_SECRET' },
  mastodon: { source: 'mastodon', secret: 'MASTODON_WEBHOOK_SECRET' },
  sandbox: { source: 'sandbox', secret: 'SANDBOX_WEBHOOK_SECRET' },
};
const CONVERSION_SECRET = 'PAYLAS_CONVERSION_SECRET';

export interface WebhookRequest {
  method: string;
  /** The `{platform}` path segment. */
  name: string;
  query: Record<string, string>;
  /** Header names lower-cased. */
  headers: Record<string, string | undefined>;
  body: Buffer;
}

export interface WebhookResponse {
  status: number;
  body: string;
  contentType: string;
  /** What happened, for logs and metrics. */
  outcome: 'handshake' | 'accepted' | 'ignored' | 'quarantined' | 'rejected';
  reason?: string;
  comments?: number;
}

export interface WebhookDeps {
  findAccount(platform: Platform, platformAccountId: string): Promise<Account | undefined>;
  community: CommunityStore;
  events: EventPublisher;
  secrets: SecretStore;
  secretsPrefix: string;
  clock: Clock;
}

const json = (status: number, body: unknown, outcome: WebhookResponse['outcome'], extra: Partial<WebhookResponse> = {}): WebhookResponse => ({
  status,
  body: JSON.stringify(body),
  contentType: 'application/json',
  outcome,
  ...extra,
});
const reject = (status: number, code: string, message: string) => json(status, { error: { code, message, details: null } }, 'rejected', { reason: code });

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

const SECRET_TTL_MS = 5 * 60_000;
const ACCOUNT_TTL_MS = 60_000;
const MISS_TTL_MS = 10_000;

/**
 * Platform webhooks, answered fast: the handshake, the signature over the raw
 * bytes, normalisation into `CommentReceived` events, and nothing more. A
 * signed delivery we cannot use is kept in quarantine with the reason, never
 * dropped; an unsigned one is refused and nothing of it is kept.
 */
export class WebhookIntake {
  readonly #secrets = new Map<string, { value: string | undefined; at: number }>();
  readonly #accounts = new Map<string, { account: Account | undefined; at: number }>();

  constructor(private readonly deps: WebhookDeps) {}

  async handle(req: WebhookRequest): Promise<WebhookResponse> {
    if (req.name === 'conversions') return this.#conversion(req);
    const spec = SOURCES[req.name];
    if (!spec) return reject(404, 'route_not_found', `no webhook for ${JSON.stringify(req.name)}; use one of ${Object.keys(SOURCES).join(', ')}`);
    const method = req.method.toUpperCase();
    if (method === 'GET') return this.#handshake(spec.source, req);
    if (method !== 'POST') return reject(405, 'method_not_allowed', `${method} is not allowed on a webhook; use GET (handshake) or POST`);
    if (req.body.length > MAX_WEBHOOK_BYTES) return reject(413, 'payload_too_large', `body is ${req.body.length} bytes; the limit is ${MAX_WEBHOOK_BYTES}`);

    const secret = await this.#secret(spec.secret);
    if (!secret) return reject(503, 'webhook_not_configured', `the ${spec.secret} secret is not set`);
    const check = verifySignature(spec.source, req.body, req.headers, secret, Math.floor(this.deps.clock.now().getTime() / 1000));
    if (!check.ok) return reject(401, check.reason, check.reason === 'stale_timestamp' ? 'the signature timestamp is outside the 300 s tolerance' : 'the signature is missing or does not match the body');

    const result = await this.#ingest(spec.source, req.body);
    if (result.quarantined) {
      return json(202, { quarantined: result.quarantined.id, reason: result.quarantined.reason, comments: result.published }, 'quarantined', { reason: result.quarantined.reason, comments: result.published });
    }
    const outcome = result.published > 0 ? 'accepted' : 'ignored';
    return json(200, { comments: result.published, ignored: result.ignored }, outcome, { comments: result.published });
  }

  /** `POST /webhooks/conversions`: a sale from the brand's shop, signed Stripe-style; idempotent downstream by order id. */
  async #conversion(req: WebhookRequest): Promise<WebhookResponse> {
    if (req.method.toUpperCase() !== 'POST') return reject(405, 'method_not_allowed', 'conversions are POSTed');
    if (req.body.length > MAX_WEBHOOK_BYTES) return reject(413, 'payload_too_large', `body is ${req.body.length} bytes; the limit is ${MAX_WEBHOOK_BYTES}`);
    const secret = await this.#secret(CONVERSION_SECRET);
    if (!secret) return reject(503, 'webhook_not_configured', `the ${CONVERSION_SECRET} secret is not set`);
    const check = verifyConversionSignature(req.body, req.headers, secret, Math.floor(this.deps.clock.now().getTime() / 1000));
    if (!check.ok) return reject(401, check.reason, check.reason === 'stale_timestamp' ? 'the signature timestamp is outside the 300 s tolerance' : 'Paylas-Signature is missing or does not match the body');
    const parsed = parseConversion(req.body);
    if (!parsed.success) {
      const { issues } = parsed;
      const { id } = await this.#quarantine('conversions', req.body, issues.map((i) => `${i.path}: ${i.message}`).join('; ').slice(0, 500));
      return json(400, { error: { code: 'validation_failed', message: `the conversion was kept as ${id} but not counted: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, details: issues } }, 'quarantined', { reason: 'invalid conversion' });
    }
    await this.#publishConversion(parsed.data);
    return json(202, { accepted: parsed.data.orderId }, 'accepted');
  }

  /** Runs a quarantined delivery through normalisation again (after a fix, or once its account is connected). */
  async replay(id: string): Promise<{ entry: QuarantineEntry; comments: number; ignored: number }> {
    const entry = await this.deps.community.getQuarantine(id);
    if (!entry) throw new NotFoundError('quarantined delivery', id);
    if (entry.status === 'replayed') throw new StateConflictError(`quarantined delivery ${id} was already replayed at ${entry.replayedAt}`);
    const body = await this.deps.community.quarantinedBody(entry);
    const result = entry.source === 'conversions' ? await this.#replayConversion(body, entry.id) : await this.#ingest(entry.source as WebhookSource, body, entry.id);
    if (result.quarantined) {
      await this.deps.community.markQuarantine(id, { lastError: result.quarantined.reason });
      throw new StateConflictError(`replay still fails: ${result.quarantined.reason}`, { published: result.published });
    }
    const replayedAt = this.deps.clock.now().toISOString();
    await this.deps.community.markQuarantine(id, { replayedAt });
    return { entry: { ...entry, status: 'replayed', replayedAt }, comments: result.published, ignored: result.ignored };
  }

  async quarantined(page: PageRequest, status?: QuarantineEntry['status']): Promise<Page<QuarantineEntry>> {
    return this.deps.community.listQuarantine(page, status);
  }

  async #replayConversion(body: Buffer, id: string): Promise<{ published: number; ignored: number; quarantined?: { id: string; reason: string } }> {
    const parsed = parseConversion(body);
    if (!parsed.success) return { published: 0, ignored: 0, quarantined: { id, reason: parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ') } };
    await this.#publishConversion(parsed.data);
    return { published: 1, ignored: 0 };
  }

  async #publishConversion(conversion: Conversion): Promise<void> {
    await this.deps.events.publish([{ type: 'ConversionReceived', detail: { ...conversion, receivedAt: this.deps.clock.now().toISOString() } }]);
  }

  async #handshake(source: WebhookSource, req: WebhookRequest): Promise<WebhookResponse> {
    const q = req.query;
    if (source === 'meta') {
      const token = await this.#secret('META_VERIFY_TOKEN');
      if (!token) return reject(503, 'webhook_not_configured', 'the META_VERIFY_TOKEN secret is not set');
      if (q['hub.mode'] !== 'subscribe' || !q['hub.challenge'] || !sameText(q['hub.verify_token'] ?? '', token)) return reject(403, 'forbidden', 'hub.verify_token does not match');
      return { status: 200, body: q['hub.challenge'], contentType: 'text/plain; charset=utf-8', outcome: 'handshake' };
    }
    if (source === 'x') {
      if (!q.crc_token) return reject(400, 'validation_failed', 'crc_token is required');
      const secret = await this.#secret(SOURCES.x!.secret);
      if (!secret) return reject(503, 'webhook_not_configured', 'the X_CONSUMER_SECRET secret is not set');
      return json(200, { response_token: xCrcResponseToken(q.crc_token, secret) }, 'handshake');
    }
    if (source === 'linkedin') {
      if (!q.challengeCode) return reject(400, 'validation_failed', 'challengeCode is required');
      const secret = await this.#secret(SOURCES.linkedin!.secret);
      if (!secret) return reject(503, 'webhook_not_configured', 'the LINKEDIN_CLIENT_SECRET secret is not set');
      return json(200, { challengeCode: q.challengeCode, challengeResponse: linkedInChallengeResponse(q.challengeCode, secret) }, 'handshake');
    }
    return reject(405, 'method_not_allowed', 'this platform has no verification handshake; deliveries are POSTed');
  }

  /** Normalises, resolves each comment's account, publishes; anything unusable goes to quarantine with the reason. */
  async #ingest(source: WebhookSource, body: Buffer, quarantineId?: string): Promise<{ published: number; ignored: number; quarantined?: { id: string; reason: string } }> {
    let normalised: Normalised;
    try {
      const text = new TextDecoder('utf-8', { fatal: true }).decode(body);
      normalised = normaliseWebhook(source, JSON.parse(text));
    } catch (e) {
      const reason = e instanceof UnknownPayloadError ? (e as UnknownPayloadError).reason : e instanceof SyntaxError ? 'the body is not valid JSON' : e instanceof TypeError ? 'the body is not valid UTF-8' : e instanceof RangeError ? 'the body is nested too deeply' : undefined;
      if (reason === undefined) throw e;
      return { published: 0, ignored: 0, quarantined: await this.#quarantine(source, body, reason, quarantineId) };
    }
    const now = this.deps.clock.now().toISOString();
    const events: DomainEvent<'CommentReceived'>[] = [];
    const unknown = new Set<string>();
    const invalid: string[] = [];
    for (const comment of normalised.comments) {
      const checked = IncomingComment.safeParse(comment);
      if (!checked.success) {
        invalid.push(`comment ${comment.platformCommentId.slice(0, 80)}: ${checked.error.issues[0]?.path.join('.')} ${checked.error.issues[0]?.message}`);
        continue;
      }
      const account = await this.#account(comment);
      if (account) events.push({ type: 'CommentReceived', detail: { brandId: account.brandId, accountId: account.id, comment, deliveredAt: now } });
      else unknown.add(`${comment.platform} account ${comment.platformAccountId}`);
    }
    await this.deps.events.publish(events);
    if (unknown.size > 0 || invalid.length > 0) {
      const reason = [...(unknown.size > 0 ? [`no connected account for ${[...unknown].slice(0, 5).join(', ')}`] : []), ...invalid.slice(0, 3)].join('; ');
      return { published: events.length, ignored: normalised.ignored, quarantined: await this.#quarantine(source, body, reason, quarantineId) };
    }
    return { published: events.length, ignored: normalised.ignored };
  }

  async #quarantine(source: WebhookSource | 'conversions', body: Buffer, reason: string, existing?: string): Promise<{ id: string; reason: string }> {
    if (existing) return { id: existing, reason };
    const id = `q${createHash('sha256').update(source).update('\u0000').update(body).digest('base64url').slice(0, 26)}`;
    await this.deps.community.quarantine({ id, source, reason, receivedAt: this.deps.clock.now().toISOString() }, body);
    return { id, reason };
  }

  async #account(comment: IncomingComment): Promise<Account | undefined> {
    const key = `${comment.platform}#${comment.platformAccountId}`;
    const now = Date.now();
    const cached = this.#accounts.get(key);
    if (cached && now - cached.at < (cached.account ? ACCOUNT_TTL_MS : MISS_TTL_MS)) return cached.account;
    let account: Account | undefined;
    for (const id of platformIdVariants(comment.platform, comment.platformAccountId)) {
      account = await this.deps.findAccount(comment.platform, id);
      if (account) break;
    }
    if (account && account.status === 'disabled') account = undefined;
    this.#accounts.set(key, { account, at: now });
    return account;
  }

  async #secret(name: string): Promise<string | undefined> {
    const cached = this.#secrets.get(name);
    if (cached && Date.now() - cached.at < SECRET_TTL_MS) return cached.value;
    const value = await this.deps.secrets.get(appSecretName(this.deps.secretsPrefix, name));
    this.#secrets.set(name, { value, at: Date.now() });
    return value;
  }
}

/**
 * The conversion body as strict UTF-8 JSON, checked against its schema. Every
 * issue names its field (`body` for the body as a whole, e.g. one that is not
 * UTF-8 or not JSON).
 */
function parseConversion(body: Buffer): { success: true; data: Conversion } | { success: false; issues: FieldIssue[] } {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (e) {
    const message = e instanceof TypeError ? 'is not valid UTF-8' : e instanceof RangeError ? 'is nested too deeply' : 'is not valid JSON';
    return { success: false, issues: [{ path: 'body', message }] };
  }
  const parsed = Conversion.safeParse(value);
  if (parsed.success) return parsed;
  return { success: false, issues: parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'body', message: i.message })) };
}

/** LinkedIn organisations may be stored as `urn:li:organization:123` or `123`. */
export function platformIdVariants(platform: Platform, id: string): string[] {
  if (platform !== 'linkedin') return [id];
  const bare = /^urn:li:organization:(\d+)$/.exec(id)?.[1];
  return bare ? [id, bare] : [id, `urn:li:organization:${id}`];
}
