import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE, EventDetails, type DomainEvent } from '../domain/events.ts';
import type { EventPublisher } from '../ports/messaging.ts';
import { BATCH, chunks, pause } from './batches.ts';

/** EventBridge PutEvents, ten per call; each detail is checked against its schema first; failed entries are retried. */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly busName: string,
    private readonly client: EventBridgeClient = new EventBridgeClient({}),
  ) {}

  async publish(events: readonly DomainEvent[]): Promise<void> {
    for (const batch of chunks(events, BATCH)) {
      let entries: PutEventsRequestEntry[] = batch.map((e) => ({
        EventBusName: this.busName,
        Source: EVENT_SOURCE,
        DetailType: e.type,
        Detail: JSON.stringify(EventDetails[e.type].parse(e.detail)),
      }));
      for (let attempt = 0; entries.length > 0; attempt++) {
        const out = await this.client.send(new PutEventsCommand({ Entries: entries }));
        if (!out.FailedEntryCount) break;
        entries = entries.filter((_, i) => out.Entries?.[i]?.ErrorCode);
        if (attempt >= 4) throw new Error(`EventBridge refused ${entries.length} events: ${out.Entries?.find((x) => x.ErrorCode)?.ErrorMessage}`);
        await pause(50 * 2 ** attempt);
      }
    }
  }
}
