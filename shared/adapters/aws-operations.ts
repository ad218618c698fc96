import { DescribeReplayCommand, EventBridgeClient, ResourceNotFoundException, StartReplayCommand } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import type { OperationsResources } from '../config/env.ts';
import { StateConflictError } from '../domain/errors.ts';
import type { DeadLetterMessage, DeadLetterQueueState, DeadLetters, EventArchive, ReplayState } from '../ports/operations.ts';

/** The dead-letter queues through the SQS API: attributes, a peek that leaves messages visible, and message move tasks. */
export class SqsDeadLetters implements DeadLetters {
  constructor(
    private readonly resources: OperationsResources,
    private readonly sqs: SQSClient = new SQSClient({}),
  ) {}

  #queue(name: string) {
    const q = this.resources.deadLetterQueues.find((d) => d.name === name);
    if (!q) throw new Error(`no dead-letter queue named ${name}`);
    return q;
  }

  async list(): Promise<DeadLetterQueueState[]> {
    return Promise.all(this.resources.deadLetterQueues.map((q) => this.#state(q)));
  }

  async state(name: string): Promise<DeadLetterQueueState | undefined> {
    const q = this.resources.deadLetterQueues.find((d) => d.name === name);
    return q && this.#state(q);
  }

  async #state(q: OperationsResources['deadLetterQueues'][number]): Promise<DeadLetterQueueState> {
    const out = await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    return {
      name: q.name,
      ...(q.source && { source: q.source }),
      messages: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  }

  async peek(name: string, max: number): Promise<DeadLetterMessage[]> {
    const out = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.#queue(name).url,
        MaxNumberOfMessages: Math.min(10, max),
        // Seen, not taken: the messages stay visible for the next look or a redrive.
        VisibilityTimeout: 0,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }),
    );
    return (out.Messages ?? []).map((m) => ({
      id: m.MessageId ?? '',
      body: m.Body ?? '',
      receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 0),
      ...(m.Attributes?.SentTimestamp && { sentAt: new Date(Number(m.Attributes.SentTimestamp)).toISOString() }),
    }));
  }

  async redrive(name: string): Promise<{ taskHandle: string }> {
    // No destination: SQS moves the messages back to the queue each came from.
    try {
      const out = await this.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: this.#queue(name).arn }));
      return { taskHandle: out.TaskHandle ?? '' };
    } catch (e) {
      // SQS refuses a second task while one runs on the queue (one at a time), and says why.
      const fault = e as { $fault?: string; name?: string; message?: string };
      if (fault.$fault === 'client' && !/Throttl/i.test(fault.name ?? '')) {
        throw new StateConflictError(`SQS did not start the redrive of ${name}: ${fault.message ?? fault.name}. One redrive runs per queue at a time; paylas dlq list shows the queue draining.`);
      }
      throw e;
    }
  }
}

/** What EventBridge accepts as a replay name; it refuses any other name with a ValidationException. */
const REPLAY_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

/** The bus archive through EventBridge StartReplay / DescribeReplay, replayed onto the same bus. */
export class EventBridgeArchive implements EventArchive {
  constructor(
    private readonly resources: OperationsResources,
    private readonly client: EventBridgeClient = new EventBridgeClient({}),
  ) {}

  async replay(name: string, from: Date, to: Date): Promise<ReplayState> {
    const out = await this.client.send(
      new StartReplayCommand({
        ReplayName: name,
        EventSourceArn: this.resources.archiveArn,
        EventStartTime: from,
        EventEndTime: to,
        Destination: { Arn: this.resources.busArn },
        Description: `paylas events replay ${from.toISOString()} – ${to.toISOString()}`,
      }),
    );
    return { name, state: out.State ?? 'STARTING', ...(out.StateReason && { reason: out.StateReason }), from: from.toISOString(), to: to.toISOString() };
  }

  async describe(name: string): Promise<ReplayState | undefined> {
    // No replay can have a name EventBridge would refuse.
    if (!REPLAY_NAME.test(name)) return undefined;
    try {
      const out = await this.client.send(new DescribeReplayCommand({ ReplayName: name }));
      return {
        name,
        state: out.State ?? 'UNKNOWN',
        ...(out.StateReason && { reason: out.StateReason }),
        from: out.EventStartTime?.toISOString() ?? '',
        to: out.EventEndTime?.toISOString() ?? '',
        ...(out.EventLastReplayedTime && { lastReplayed: out.EventLastReplayedTime.toISOString() }),
      };
    } catch (e) {
      if (e instanceof ResourceNotFoundException) return undefined;
      throw e;
    }
  }
}
