import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { Id, Instant, Platform } from '../domain/primitives.ts';
import { PostMetrics } from '../domain/metrics.ts';
import { keys } from './keys.ts';
import { isConditionFailure, TableReader } from './table-ops.ts';
import { mergeOverflow, Tally, type Key } from './tally.ts';

/** A post target's latest figures (lifetime totals as the platform last reported them). */
export const MetricLatest = z.object({
  postId: Id,
  accountId: Id,
  brandId: Id,
  platform: Platform,
  platformPostId: z.string(),
  publishedAt: Instant,
  observedAt: Instant,
  metrics: PostMetrics,
});
export type MetricLatest = z.infer<typeof MetricLatest>;

export const MetricSnapshot = z.object({ observedAt: Instant, metrics: PostMetrics, deltas: z.record(z.string(), z.number()), token: z.string(), storedAt: Instant });
export type MetricSnapshot = z.infer<typeof MetricSnapshot>;

export const StoredConversion = z.object({
  orderId: z.string(),
  brandId: Id.optional(),
  postId: Id.optional(),
  platform: z.string(),
  value: z.number(),
  currency: z.string(),
  occurredAt: Instant,
  date: z.string(),
  token: z.string(),
  storedAt: Instant,
});
export type StoredConversion = z.infer<typeof StoredConversion>;

/** A day's performance counters: each metric (present only when some platform reported it), conversions, revenue per currency (`rev_TRY`). */
export const MetricDay = z.looseObject({ brandId: z.string().optional(), date: z.string(), platform: z.string().optional(), tokens: z.instanceof(Set).optional() });
export type MetricDay = z.infer<typeof MetricDay> & Record<string, unknown>;

/**
 * Post metrics: a time series of snapshots per post target, the latest per
 * target, daily counters per brand and platform (the sum of the snapshots'
 * deltas), and conversions by order id. Reads are GetItem and Query; every
 * write is a single-item conditional write or a counter update with a token
 * (see Tally).
 */
export class MetricsStore extends TableReader {
  readonly tally: Tally;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    super(db, tableName);
    this.tally = new Tally(db, tableName);
  }

  async getLatest(postId: string, accountId: string): Promise<MetricLatest | undefined> {
    return this.getItem(keys.metricLatest(postId, accountId), MetricLatest);
  }

  async getSnapshot(postId: string, accountId: string, observedAt: string): Promise<MetricSnapshot | undefined> {
    return this.getItem(keys.metricSnapshot(postId, accountId, observedAt), MetricSnapshot);
  }

  async listSnapshots(postId: string, accountId: string): Promise<MetricSnapshot[]> {
    const { pk, skPrefix } = keys.metricSnapshotsOf(postId, accountId);
    return this.queryAll({ KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': pk, ':p': skPrefix } }, MetricSnapshot);
  }

  /** Stores a snapshot unless one exists for that instant; false when it does (a re-sent snapshot). */
  async putSnapshot(postId: string, accountId: string, snapshot: MetricSnapshot): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({ TableName: this.tableName, Item: { ...keys.metricSnapshot(postId, accountId, snapshot.observedAt), type: 'MetricSnapshot', ...snapshot }, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  async deleteSnapshot(postId: string, accountId: string, observedAt: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.metricSnapshot(postId, accountId, observedAt) }));
  }

  /** Moves the latest figures forward to `next`, only from `previousObservedAt` (absent: none yet); false when another write got there first. */
  async advanceLatest(next: MetricLatest, previousObservedAt: string | undefined): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.metricLatest(next.postId, next.accountId), ...keys.metricsByPublication(next.brandId, next.publishedAt, next.postId, next.accountId), type: 'MetricLatest', ...MetricLatest.parse(next) },
          ConditionExpression: previousObservedAt ? 'observedAt = :prev' : 'attribute_not_exists(pk)',
          ...(previousObservedAt && { ExpressionAttributeValues: { ':prev': previousObservedAt } }),
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  /** A brand's post targets published in [from, to] with their latest figures. */
  async listLatestByPublication(brandId: string, from: string, to: string): Promise<MetricLatest[]> {
    return this.queryAll(
      { IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :lo AND :hi', ExpressionAttributeValues: { ':pk': keys.metricsOf(brandId), ':lo': `${from}#`, ':hi': `${to}#~` } },
      MetricLatest,
    );
  }

  dayKey(brandId: string | undefined, date: string, platform: string): Key {
    return brandId ? keys.metricDay(brandId, date, platform) : keys.unattributedDay(date);
  }

  async addToDay(brandId: string | undefined, date: string, platform: string, deltas: Record<string, number>, token: string): Promise<void> {
    await this.tally.add(this.dayKey(brandId, date, platform), { ...(brandId && { brandId }), date, platform, type: 'MetricDay' }, deltas, token);
  }

  /** A brand's daily counters for local dates in [from, to], every platform (overflow items added in): one Query. */
  async listDays(brandId: string, from: string, to: string): Promise<MetricDay[]> {
    const { pk, skPrefix } = keys.metricDaysOf(brandId);
    const items = (await this.queryAll(
      { KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi', ExpressionAttributeValues: { ':pk': pk, ':lo': `${skPrefix}${from}`, ':hi': `${skPrefix}${to}#~` } },
      MetricDay,
    )) as MetricDay[];
    return mergeOverflow(items, (d) => `${d.date}#${d.platform ?? ''}`);
  }

  /** Stores a conversion unless its order id is known; false for a re-sent one. */
  async putConversion(c: StoredConversion): Promise<boolean> {
    try {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.conversion(c.orderId), type: 'Conversion', ...StoredConversion.parse(c) }, ConditionExpression: 'attribute_not_exists(pk)' }));
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  async getConversion(orderId: string): Promise<StoredConversion | undefined> {
    return this.getItem(keys.conversion(orderId), StoredConversion);
  }

  /** Counts a click on a short link of a post (see the redirect). */
  async countClick(brandId: string, date: string, platform: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.metricDay(brandId, date, platform),
        UpdateExpression: 'SET brandId = :b, #date = :d, platform = :p, #type = :t ADD linkClicks :one',
        ExpressionAttributeNames: { '#date': 'date', '#type': 'type' },
        ExpressionAttributeValues: { ':b': brandId, ':d': date, ':p': platform, ':t': 'MetricDay', ':one': 1 },
      }),
    );
  }
}
