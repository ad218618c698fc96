import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { MessageQueue, PublishMessage, PublishQueue } from '../ports/messaging.ts';
import { BATCH, chunks, pause } from './batches.ts';

/** SQS SendMessageBatch of JSON messages, ten at a time; entries SQS refused are retried, then reported. */
export class SqsMessageQueue<T> implements MessageQueue<T> {
  constructor(
    private readonly queueUrl: string,
    private readonly sqs: SQSClient = new SQSClient({}),
  ) {}

  async enqueue(messages: readonly T[], delaySeconds: number): Promise<void> {
    const delay = Math.max(0, Math.min(900, Math.floor(delaySeconds)));
    for (const batch of chunks(messages, BATCH)) {
      let entries = batch.map((m, i) => ({ Id: String(i), MessageBody: JSON.stringify(m), DelaySeconds: delay }));
      for (let attempt = 0; entries.length > 0; attempt++) {
        const out = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }));
        const failed = new Set((out.Failed ?? []).map((f) => f.Id));
        entries = entries.filter((e) => failed.has(e.Id));
        if (entries.length > 0 && attempt >= 4) throw new Error(`SQS refused ${entries.length} messages: ${out.Failed?.[0]?.Message}`);
        if (entries.length > 0) await pause(50 * 2 ** attempt);
      }
    }
  }
}

export class SqsPublishQueue extends SqsMessageQueue<PublishMessage> implements PublishQueue {}
