import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { Clock } from '#shared/domain/clock.ts';
import type { QueueSpec } from '../wiring/types.ts';
import type { FunctionHost } from './function-host.ts';
import { md5, type LocalQueues, type QueueMessage } from './queues.ts';

/** Delivery faults the twin may inject (see faults.ts); never on AWS. */
export interface DeliveryFaults {
  /** The batch in the order to deliver it (SQS standard queues keep no order). */
  reorder(queue: string, batch: QueueMessage[]): QueueMessage[];
  /** Whether to deliver this batch once more after it was processed, as if its delete had been lost (at-least-once delivery). */
  duplicate(queue: string): boolean;
}

/**
 * The twin's event source mapping: polls a local queue, invokes the consumer
 * with SQS batches (as many batches in flight as the function has
 * environments), deletes what succeeded and leaves failures (the whole batch
 * on an error, or the `batchItemFailures` reported) to reappear after the
 * visibility timeout, and so, after max receives, in the DLQ. A message is
 * not delivered again while a batch holding it is still being processed: on
 * AWS the visibility timeout (six times the consumer's timeout) guarantees
 * that, and under a time warp the twin's simulated timeout would not.
 */
export class QueuePoller {
  #running = false;
  #inFlight = 0;
  /** Ids of the messages in batches being processed. */
  readonly #busy = new Set<string>();
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  readonly #onSent = (queue: string) => {
    if (queue === this.queue) this.#wake?.();
  };

  constructor(
    private readonly queues: LocalQueues,
    private readonly queue: string,
    private readonly spec: QueueSpec,
    private readonly consumer: FunctionHost,
    private readonly clock: Clock,
    private readonly timeWarp: number,
    private readonly region: string,
    private readonly faults?: DeliveryFaults,
  ) {}

  start(): void {
    this.#running = true;
    this.queues.on('sent', this.#onSent);
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.queues.off('sent', this.#onSent);
    this.#wake?.();
    await this.#loop;
  }

  /** Real milliseconds until simulated `atMs`. */
  #realDelay(atMs: number): number {
    return Math.max(0, (atMs - this.clock.now().getTime()) / this.timeWarp);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  async #run(): Promise<void> {
    while (this.#running) {
      if (this.#inFlight >= this.consumer.concurrency) {
        await this.#sleep(5);
        continue;
      }
      let batch = await this.queues.receive(this.queue, this.spec.batchSize, this.#busy);
      if (batch.length > 0 && batch.length < this.spec.batchSize && this.spec.maxBatchingWindowSeconds) {
        await this.#sleep((this.spec.maxBatchingWindowSeconds * 1000) / this.timeWarp);
        batch = batch.concat(await this.queues.receive(this.queue, this.spec.batchSize - batch.length, this.#busy));
      }
      if (batch.length === 0) {
        const next = this.queues.nextVisibleAt(this.queue);
        await this.#sleep(next === undefined ? 1000 : Math.min(1000, this.#realDelay(next)));
        continue;
      }
      if (this.faults) batch = this.faults.reorder(this.queue, batch);
      const taken = batch;
      const again = this.faults?.duplicate(this.queue) ?? false;
      for (const m of taken) this.#busy.add(m.id);
      this.#inFlight++;
      void this.#deliver(taken)
        .then(() => (again ? this.#deliver(taken) : undefined))
        .finally(() => {
          this.#inFlight--;
          for (const m of taken) this.#busy.delete(m.id);
          this.#wake?.();
        });
    }
    while (this.#inFlight > 0) await new Promise((r) => setTimeout(r, 5));
  }

  async #deliver(batch: QueueMessage[]): Promise<void> {
    const event: SQSEvent = { Records: batch.map((m) => this.#record(m)) };
    let failed: Set<string>;
    try {
      const result = (await this.consumer.invoke(event)) as { batchItemFailures?: { itemIdentifier: string }[] } | null;
      failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch {
      return; // the whole batch becomes visible again after the visibility timeout
    }
    for (const m of batch) if (!failed.has(m.id)) await this.queues.delete(this.queue, m.id);
  }

  #record(m: QueueMessage): SQSRecord {
    return {
      messageId: m.id,
      receiptHandle: `${m.id}#${m.receiveCount}`,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        SenderId: 'AIDAPAYLASLOCALTWIN',
        ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(m.attributes).map(([k, a]) => [
          k,
          { dataType: a.DataType, stringListValues: [], binaryListValues: [], ...(a.StringValue !== undefined && { stringValue: a.StringValue }), ...(a.BinaryValue !== undefined && { binaryValue: a.BinaryValue }) },
        ]),
      ),
      md5OfBody: md5(m.body),
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${this.region}:000000000000:${this.queue}`,
      awsRegion: this.region,
    };
  }
}
