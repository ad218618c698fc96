import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { EVENT_SOURCE, EventDetails, type DomainEvent } from '../domain/events.ts';
import type { EventPublisher, Mail, Mailer, MessageQueue, PublishMessage, PublishQueue } from '../ports/messaging.ts';

const BATCH = 10;
const chunks = <T>(items: readonly T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

/** SES SendEmail from the verified sender, text and HTML parts. */
export class SesMailer implements Mailer {
  constructor(
    private readonly from: string,
    private readonly ses: SESClient = new SESClient({}),
  ) {}

  async send(mail: Mail): Promise<string> {
    const out = await this.ses.send(
      new SendEmailCommand({
        Source: this.from,
        Destination: { ToAddresses: [...mail.to] },
        Message: {
          Subject: { Data: mail.subject, Charset: 'UTF-8' },
          Body: { Text: { Data: mail.text, Charset: 'UTF-8' }, ...(mail.html && { Html: { Data: mail.html, Charset: 'UTF-8' } }) },
        },
      }),
    );
    return out.MessageId ?? '';
  }
}
