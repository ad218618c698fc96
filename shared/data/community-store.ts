import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as z from 'zod';
import type { Clock } from '../domain/clock.ts';
import { awaitsAnswer, Comment, CommentStatus, Intent, RESPONSE_BUCKETS_MIN, Sentiment } from '../domain/comment.ts';
import { ConcurrentModificationError } from '../domain/errors.ts';
import { Id, Instant, Platform } from '../domain/primitives.ts';
import { parseOrThrow } from '../domain/validation.ts';
import { instantRange, keys } from './keys.ts';
import { encodeCursor, pageSize, startingAt, type Page, type PageRequest } from './pagination.ts';
import { holdsItem, isConditionFailure, queryPages, TableReader, withWriteId, type Item } from './table-ops.ts';
import { mergeOverflow, Tally } from './tally.ts';

/** The counters of one brand, local day and platform. */
export const COUNTERS = [
  'received',
  ...Sentiment.options.map((s) => `s_${s}` as const),
  ...Intent.options.map((i) => `i_${i}` as const),
  'answered',
  'answeredNegative',
  ...Array.from({ length: RESPONSE_BUCKETS_MIN.length + 1 }, (_, i) => `frt_${i}` as const),
] as const;
export type Counter = (typeof COUNTERS)[number];
export type Deltas = Partial<Record<Counter, number>>;

export const CommentDay = z.object({
  brandId: Id,
  date: z.string(),
  platform: Platform,
  ...Object.fromEntries(COUNTERS.map((c) => [c, z.number().int().default(0)])),
  /** The aggregate updates already applied (see `applyToDay`). */
  tokens: z.instanceof(Set).optional(),
}) as unknown as z.ZodType<{ brandId: string; date: string; platform: Platform; tokens?: Set<string> } & Record<Counter, number>>;
export type CommentDay = z.infer<typeof CommentDay>;

export interface CommentQuery {
  brandId: string;
  status?: z.infer<typeof CommentStatus>;
  sentiment?: z.infer<typeof Sentiment>;
  intent?: z.infer<typeof Intent>;
  platform?: Platform;
  from?: Date;
  to?: Date;
}

export const QuarantineEntry = z.object({
  id: Id,
  source: z.string(),
  reason: z.string(),
  receivedAt: Instant,
  bytes: z.number().int(),
  status: z.enum(['quarantined', 'replayed']),
  replayedAt: Instant.optional(),
  lastError: z.string().optional(),
  parts: z.number().int().positive(),
});
export type QuarantineEntry = z.infer<typeof QuarantineEntry>;

export const AlertState = z.object({ brandId: Id, lastSentAt: Instant.optional(), pendingSince: Instant.optional(), pendingIds: z.array(z.string()).optional(), seq: z.number().int().optional() });
export type AlertState = z.infer<typeof AlertState>;

export const PollCursor = z.object({ brandId: Id, accountId: Id, latestSeen: Instant.optional() });

const EARLIEST = new Date('1970-01-01T00:00:00.000Z');
const LATEST = new Date('9999-12-31T23:59:59.999Z');
/** Compressed quarantine bodies are split into parts well below DynamoDB's 400 KB item limit. */
const PART_BYTES = 300_000;
const FILTERED_PAGE_READS = 10;

/**
 * Comments, their daily counters, negative-comment alert state and the
 * webhook quarantine, in the single table. Reads are GetItem and Query; every
 * change is a single-item conditional write.
 */
export class CommunityStore extends TableReader {
  readonly tally: Tally;

  constructor(
    db: DynamoDBDocumentClient,
    tableName: string,
    private readonly clock: Clock,
  ) {
    super(db, tableName);
    this.tally = new Tally(db, tableName);
  }

  // ---- comments -----------------------------------------------------------

  /** Writes a comment that does not exist yet; false when it already does (a redelivery). */
  async putNewComment(comment: Comment): Promise<boolean> {
    const item = withWriteId(this.#commentItem(parseOrThrow(Comment, comment, 'comment')));
    try {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
      return true;
    } catch (e) {
      // Stored by this very call (the SDK sent it again) is new, not a redelivery.
      if (isConditionFailure(e)) return holdsItem(this.db, this.tableName, item);
      throw e;
    }
  }

  async getComment(commentId: string): Promise<Comment | undefined> {
    return this.getItem(keys.comment(commentId), Comment);
  }

  async saveComment(comment: Comment, expectedVersion: number): Promise<Comment> {
    const next = { ...parseOrThrow(Comment, comment, 'comment'), version: comment.version + 1, updatedAt: this.clock.now().toISOString() };
    const item = withWriteId(this.#commentItem(next));
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
    } catch (e) {
      if (isConditionFailure(e) && (await holdsItem(this.db, this.tableName, item))) return next; // our own write, sent again by the SDK
      throw isConditionFailure(e) ? new ConcurrentModificationError('comment', comment.id, expectedVersion) : e;
    }
    return next;
  }

  /**
   * A brand's comments, newest first. `status` picks the status index; the
   * other filters are applied to each page read, reading on until the page is
   * full or a bounded number of reads is spent (the cursor continues from there).
   */
  async listComments(query: CommentQuery, page: PageRequest = {}): Promise<Page<Comment>> {
    const limit = pageSize(page.limit);
    const [lo, hi] = instantRange(query.from ?? EARLIEST, query.to ?? LATEST);
    const [index, pk] = query.status ? ['gsi2', keys.commentsInStatusOf(query.brandId, query.status)] : ['gsi1', keys.commentsOf(query.brandId)];
    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':pk': pk, ':lo': lo, ':hi': hi };
    for (const field of ['sentiment', 'intent', 'platform'] as const) {
      if (query[field] === undefined) continue;
      filters.push(`#${field} = :${field}`);
      names[`#${field}`] = field;
      values[`:${field}`] = query[field];
    }
    const items: Comment[] = [];
    let start: Record<string, unknown> | undefined;
    for (let reads = 0; reads < FILTERED_PAGE_READS && items.length < limit; reads++) {
      const out = await startingAt(reads === 0 ? page.cursor : null, (first) => this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: index,
          KeyConditionExpression: `${index}pk = :pk AND ${index}sk BETWEEN :lo AND :hi`,
          ...(filters.length > 0 && { FilterExpression: filters.join(' AND '), ExpressionAttributeNames: names }),
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: limit - items.length,
          ExclusiveStartKey: first ?? start,
        }),
      ));
      for (const i of out.Items ?? []) items.push(Comment.parse(i));
      start = out.LastEvaluatedKey;
      if (!start) break;
    }
    return { items, nextCursor: encodeCursor(start) };
  }

  /**
   * The newest comments received in [from, to] that still need an answer
   * (negative or a complaint, open, unanswered): one Query of a sparse index
   * that holds only those, so the cost does not grow with the comments that
   * do not need one.
   */
  async listAwaitingAnswer(brandId: string, from: Date, to: Date, limit: number): Promise<Comment[]> {
    const [lo, hi] = instantRange(from, to);
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'due',
        KeyConditionExpression: 'duePk = :pk AND dueSk BETWEEN :lo AND :hi',
        ExpressionAttributeValues: { ':pk': keys.commentNeedingAnswer(brandId, '', '').duePk, ':lo': lo, ':hi': hi },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((i) => Comment.parse(i));
  }

  /** Moves a comment's count marker from `from` to `to`, only if it still holds `from` (see Tally). */
  async retoken(commentId: string, attribute: 'countToken' | 'responseToken', from: string, to: string): Promise<boolean> {
    return this.tally.moveToken(keys.comment(commentId), attribute, from, to);
  }

  // ---- daily counters -------------------------------------------------------

  /**
   * Adds `deltas` to a day's counters and records `token` as applied, in one
   * write. Every comment (or first response) counted by this update carries the
   * same token; a redelivery finds its token here and knows it was counted.
   */
  async applyToDay(brandId: string, date: string, platform: Platform, deltas: Deltas, token: string): Promise<void> {
    const counts = Object.fromEntries(Object.entries(deltas).filter(([, n]) => n !== 0)) as Record<string, number>;
    await this.tally.add(keys.commentDay(brandId, date, platform), { brandId, date, platform, type: 'CommentDay' }, counts, token);
  }

  async getDay(brandId: string, date: string, platform: Platform): Promise<CommentDay | undefined> {
    return (await this.listDays(brandId, date, date)).find((d) => d.platform === platform);
  }

  /** A brand's daily counters for local dates in [from, to], every platform (overflow items added in): one Query. */
  async listDays(brandId: string, from: string, to: string): Promise<CommentDay[]> {
    const { pk, skPrefix } = keys.commentDaysOf(brandId);
    const items = await this.queryAll(
      { KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi', ExpressionAttributeValues: { ':pk': pk, ':lo': `${skPrefix}${from}`, ':hi': `${skPrefix}${to}#~` } },
      CommentDay,
    );
    return mergeOverflow(items, (d) => `${d.date}#${d.platform}`);
  }

  // ---- negative-comment alerts ---------------------------------------------

  async getAlertState(brandId: string): Promise<AlertState> {
    return (await this.getItem(keys.commentAlert(brandId), AlertState)) ?? { brandId };
  }

  /**
   * Claims the brand's alert window and takes the pending comment ids with it:
   * true when this caller won. The write is conditional on the state it read
   * (last mail time and the pending list's sequence), so two workers never both
   * mail, and ids added meanwhile are never dropped.
   */
  async claimAlertWindow(state: AlertState, now: Date): Promise<boolean> {
    const conditions = [state.lastSentAt ? 'lastSentAt = :last' : 'attribute_not_exists(lastSentAt)', state.seq !== undefined ? 'seq = :seq' : 'attribute_not_exists(seq)'];
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.commentAlert(state.brandId), type: 'CommentAlert', brandId: state.brandId, lastSentAt: now.toISOString(), seq: (state.seq ?? 0) + 1 },
          ConditionExpression: conditions.join(' AND '),
          ...((state.lastSentAt || state.seq !== undefined) && {
            ExpressionAttributeValues: { ...(state.lastSentAt && { ':last': state.lastSentAt }), ...(state.seq !== undefined && { ':seq': state.seq }) },
          }),
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  /** Adds comments to the brand's pending alert (the alert sweep finds the brand by the sparse index). */
  async markAlertPending(brandId: string, since: Date, commentIds: readonly string[]): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.commentAlert(brandId),
        UpdateExpression:
          'SET brandId = :b, #type = :type, pendingSince = if_not_exists(pendingSince, :since), pendingIds = list_append(if_not_exists(pendingIds, :empty), :ids), gsi2pk = :pending, gsi2sk = :b ADD seq :one',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':b': brandId, ':type': 'CommentAlert', ':since': since.toISOString(), ':empty': [], ':ids': [...commentIds], ':pending': keys.alertsPending, ':one': 1 },
      }),
    );
  }

  async listPendingAlerts(): Promise<AlertState[]> {
    return this.queryAll({ IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk', ExpressionAttributeValues: { ':pk': keys.alertsPending } }, AlertState);
  }

  // ---- Bluesky poll cursors --------------------------------------------------

  async getPollCursor(brandId: string, accountId: string) {
    return (await this.getItem(keys.pollCursor(brandId, accountId), PollCursor)) ?? { brandId, accountId };
  }

  async putPollCursor(brandId: string, accountId: string, latestSeen: string): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.pollCursor(brandId, accountId), type: 'PollCursor', brandId, accountId, latestSeen } }));
  }

  // ---- quarantine -----------------------------------------------------------

  /**
   * Keeps a signed delivery we could not use, with the reason. The id is the
   * hash of the source and body, so a platform retrying the same delivery
   * keeps one entry. Bodies are stored gzip-compressed, split into parts.
   */
  async quarantine(entry: Omit<QuarantineEntry, 'parts' | 'status' | 'bytes'>, body: Buffer): Promise<QuarantineEntry> {
    const packed = gzipSync(body);
    const parts = Math.max(1, Math.ceil(packed.length / PART_BYTES));
    const head: QuarantineEntry = { ...entry, bytes: body.length, parts, status: 'quarantined' };
    for (let i = 0; i < parts; i++) {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.quarantinePart(head.id, i), type: 'QuarantinePart', data: packed.subarray(i * PART_BYTES, (i + 1) * PART_BYTES) } }));
    }
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.quarantine(head.id), gsi1pk: keys.quarantineList, gsi1sk: `${head.receivedAt}#${head.id}`, type: 'Quarantine', ...head },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      return (await this.getQuarantine(head.id)) ?? head;
    }
    return head;
  }

  async getQuarantine(id: string): Promise<QuarantineEntry | undefined> {
    return this.getItem(keys.quarantine(id), QuarantineEntry);
  }

  async quarantinedBody(entry: QuarantineEntry): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (let i = 0; i < entry.parts; i++) {
      const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.quarantinePart(entry.id, i), ConsistentRead: true }));
      const data = out.Item?.data as Uint8Array | undefined;
      if (!data) throw new Error(`quarantine ${entry.id}: part ${i} is missing`);
      parts.push(Buffer.from(data));
    }
    return gunzipSync(Buffer.concat(parts));
  }

  /** Newest first. */
  async listQuarantine(page: PageRequest = {}, status?: QuarantineEntry['status']): Promise<Page<QuarantineEntry>> {
    const result = await this.queryPage(
      {
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ScanIndexForward: false,
        ...(status && { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } }),
        ExpressionAttributeValues: { ':pk': keys.quarantineList, ...(status && { ':status': status }) },
      },
      page,
      QuarantineEntry,
    );
    return result;
  }

  /**
   * How many entries received since `since` still wait for a replay: a Query
   * with Select COUNT over the quarantine list (the heads only, a window of
   * days, so the cost stays bounded however old the quarantine grows).
   */
  async countQuarantined(since: Date): Promise<number> {
    let count = 0;
    const pages = queryPages(this.db, this.tableName, {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk >= :since',
      FilterExpression: '#status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pk': keys.quarantineList, ':since': since.toISOString(), ':status': 'quarantined' },
      Select: 'COUNT',
    });
    for await (const out of pages) count += out.Count ?? 0;
    return count;
  }

  async markQuarantine(id: string, outcome: { replayedAt: string } | { lastError: string }): Promise<void> {
    const replayed = 'replayedAt' in outcome;
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.quarantine(id),
        UpdateExpression: replayed ? 'SET #status = :s, replayedAt = :v REMOVE lastError' : 'SET lastError = :v',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: replayed ? { '#status': 'status' } : undefined,
        ExpressionAttributeValues: replayed ? { ':s': 'replayed', ':v': outcome.replayedAt } : { ':v': outcome.lastError },
      }),
    );
  }

  // ---- items ----------------------------------------------------------------

  #commentItem(c: Comment): Item {
    return {
      ...keys.comment(c.id),
      ...keys.commentsByTime(c.brandId, c.receivedAt, c.id),
      ...keys.commentsByStatus(c.brandId, c.status, c.receivedAt, c.id),
      ...(awaitsAnswer(c) && keys.commentNeedingAnswer(c.brandId, c.receivedAt, c.id)),
      type: 'Comment',
      ...c,
    };
  }
}
