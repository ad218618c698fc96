import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { Id, Instant } from '../domain/primitives.ts';
import { keys } from './keys.ts';
import { holdsItem, isConditionFailure, TableReader, withWriteId } from './table-ops.ts';

/**
 * A weekly report's record. `sending` is claimed before the mail goes out;
 * `sent` carries the SES MessageId; `unknown` is a claim found without a
 * result (the sender stopped between sending and recording): never sent again
 * without a person deciding to.
 */
export const ReportRecord = z.object({
  brandId: Id,
  week: z.string(),
  status: z.enum(['sending', 'sent', 'unknown']),
  claimedAt: Instant,
  attemptId: z.string(),
  messageId: z.string().optional(),
  sentAt: Instant.optional(),
  recipients: z.array(z.string()).optional(),
  note: z.string().optional(),
});
export type ReportRecord = z.infer<typeof ReportRecord>;

export class ReportStore extends TableReader {
  constructor(db: DynamoDBDocumentClient, tableName: string) {
    super(db, tableName);
  }

  async get(brandId: string, week: string): Promise<ReportRecord | undefined> {
    return this.getItem(keys.report(brandId, week), ReportRecord);
  }

  async list(brandId: string): Promise<ReportRecord[]> {
    const { pk, skPrefix } = keys.reportsOf(brandId);
    return this.queryAll({ KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': pk, ':p': skPrefix }, ScanIndexForward: false }, ReportRecord);
  }

  /**
   * Claims (brand, week) for sending: true when this caller won. `replacing`
   * takes over an `unknown` record (a person asked to send it again).
   */
  async claim(record: ReportRecord, replacing?: ReportRecord): Promise<boolean> {
    const item = withWriteId({ ...keys.report(record.brandId, record.week), type: 'Report', ...ReportRecord.parse(record) });
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: replacing ? 'attemptId = :previous AND #status = :unknown' : 'attribute_not_exists(pk)',
          ...(replacing && { ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':previous': replacing.attemptId, ':unknown': 'unknown' } }),
        }),
      );
      return true;
    } catch (e) {
      // Our claim is the one stored when the SDK sent it again after a lost answer.
      if (isConditionFailure(e)) return holdsItem(this.db, this.tableName, item);
      throw e;
    }
  }

  /** Gives up our claim when nothing was sent (SES refused the message), so a retry may send. */
  async release(brandId: string, week: string, attemptId: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.report(brandId, week),
          ConditionExpression: 'attemptId = :attempt AND #status = :sending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':attempt': attemptId, ':sending': 'sending' },
        }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
  }

  /** Moves our claim (`attemptId`) from `sending` to `sent` or `unknown`. */
  async settle(brandId: string, week: string, attemptId: string, outcome: { status: 'sent'; messageId: string; sentAt: string } | { status: 'unknown'; note: string }): Promise<boolean> {
    const fields = Object.entries(outcome);
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.report(brandId, week),
          UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
          ConditionExpression: 'attemptId = :attempt AND #status = :sending',
          ExpressionAttributeNames: { ...Object.fromEntries(fields.map(([k], i) => [`#f${i}`, k])), '#status': 'status' },
          ExpressionAttributeValues: { ...Object.fromEntries(fields.map(([, v], i) => [`:f${i}`, v])), ':attempt': attemptId, ':sending': 'sending' },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }
}
