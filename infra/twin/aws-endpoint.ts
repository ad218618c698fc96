import { randomUUID } from 'node:crypto';
import { closeServer, listenOnLoopback } from './loopback.ts';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Clock } from '#shared/domain/clock.ts';
import type { EventPattern, RuleSpec } from '../wiring/types.ts';
import { md5, md5OfAttributes, type LocalQueues, type MessageAttribute } from './queues.ts';
import type { LocalArchive } from './archive.ts';

/**
 * The twin's AWS endpoint for EventBridge (PutEvents, JSON 1.1) and SQS
 * (SendMessage, SendMessageBatch, GetQueueUrl, JSON 1.0). Handlers keep using
 * the AWS SDK clients; only the endpoint differs.
 *
 * The local bus routes by the wiring's rules. Supported patterns: exact
 * matches on `source` and `detail-type` (arrays of strings). Anything else is
 * refused when the twin starts.
 */

const MAX_ENTRIES = 10;
const MAX_EVENT_BYTES = 256 * 1024;
const MAX_MESSAGE_BYTES = 256 * 1024;
const SUPPORTED_PATTERN_KEYS = ['source', 'detail-type'];

export function checkPatterns(rules: readonly RuleSpec[]): void {
  for (const rule of rules) {
    const pattern = rule.pattern as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(pattern)) {
      if (!SUPPORTED_PATTERN_KEYS.includes(key)) throw new Error(`rule ${rule.name}: the local bus does not support pattern key "${key}" (only ${SUPPORTED_PATTERN_KEYS.join(', ')})`);
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
        throw new Error(`rule ${rule.name}: "${key}" must be an array of strings (content filters are not supported by the local bus)`);
      }
    }
  }
}

const matches = (p: EventPattern, source: string, detailType: string) => p.source.includes(source) && p['detail-type'].includes(detailType);

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** `ReplayName` as EventBridge checks it on StartReplay and DescribeReplay alike. */
function replayName(body: Record<string, unknown>): string {
  const name = String(body.ReplayName ?? '');
  if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(name)) throw new AwsError('ValidationException', 'ReplayName must be 1-64 characters of [.-_A-Za-z0-9]');
  return name;
}

export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

export interface AwsEndpointOptions {
  queues: LocalQueues;
  rules: readonly RuleSpec[];
  busName: string;
  region: string;
  clock: Clock;
  onEvent?: (event: BusEvent, deliveredTo: string[]) => void;
  /** Fault injection (twin only, see faults.ts): whether to fail this entry or message. */
  faults?: { inject(kind: 'bus.failed_entry' | 'sqs.failed_send', where: string): boolean };
  /** Keeps every event for replays (EventBridge's archive). */
  archive?: LocalArchive;
}

export class AwsEndpoint {
  #server: Server | undefined;
  url = '';

  constructor(private readonly options: AwsEndpointOptions) {
    checkPatterns(options.rules);
  }

  queueUrl(queue: string): string {
    return `${this.url}/000000000000/${queue}`;
  }

  async start(port: number): Promise<void> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.url = await listenOnLoopback(this.#server, port);
  }

  async stop(): Promise<void> {
    await closeServer(this.#server);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const contentType = target.startsWith('AWSEvents.') ? 'application/x-amz-json-1.1' : 'application/x-amz-json-1.0';
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': randomUUID() });
      res.end(JSON.stringify(body));
    };
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      switch (target) {
        case 'AWSEvents.PutEvents':
          return reply(200, await this.#putEvents(body));
        case 'AmazonSQS.SendMessage':
          return reply(200, await this.#sendMessage(body));
        case 'AmazonSQS.SendMessageBatch':
          return reply(200, await this.#sendMessageBatch(body));
        case 'AWSEvents.StartReplay':
          return reply(200, await this.#startReplay(body));
        case 'AWSEvents.DescribeReplay':
          return reply(200, await this.#describeReplay(body));
        case 'AmazonSQS.GetQueueAttributes':
          return reply(200, this.#queueAttributes(body));
        case 'AmazonSQS.ReceiveMessage':
          return reply(200, await this.#receiveMessage(body));
        case 'AmazonSQS.StartMessageMoveTask':
          return reply(200, await this.#startMessageMoveTask(body));
        case 'AmazonSQS.GetQueueUrl': {
          const name = String(body.QueueName ?? '');
          if (!this.options.queues.has(name)) throw new AwsError('com.amazonaws.sqs#QueueDoesNotExist', `The specified queue does not exist: ${name}`);
          return reply(200, { QueueUrl: this.queueUrl(name) });
        }
        default:
          throw new AwsError('UnknownOperationException', `the local twin does not implement ${target || 'this operation'}`);
      }
    } catch (e) {
      if (e instanceof AwsError) return reply(e.status, { __type: e.type, message: e.message });
      if (e instanceof SyntaxError) return reply(400, { __type: 'SerializationException', message: 'body is not JSON' });
      return reply(500, { __type: 'InternalFailure', message: (e as Error).message });
    }
  }

  async #putEvents(body: Record<string, unknown>) {
    const entries = body.Entries;
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES) {
      throw new AwsError('ValidationException', `Entries must hold 1 to ${MAX_ENTRIES} events`);
    }
    const results = [];
    let failed = 0;
    for (const entry of entries as Record<string, unknown>[]) {
      const fail = (ErrorCode: string, ErrorMessage: string) => {
        failed++;
        results.push({ ErrorCode, ErrorMessage });
      };
      const bus = String(entry.EventBusName ?? 'default');
      const busName = bus.includes('/') ? bus.split('/').pop()! : bus;
      if (busName !== this.options.busName) {
        fail('NotFoundException', `Event bus ${bus} does not exist.`);
        continue;
      }
      if (typeof entry.Source !== 'string' || typeof entry.DetailType !== 'string' || typeof entry.Detail !== 'string') {
        fail('InvalidArgument', 'Source, DetailType and Detail are required');
        continue;
      }
      if (Buffer.byteLength(JSON.stringify(entry)) > MAX_EVENT_BYTES) {
        fail('InvalidArgument', 'Total size of the entry exceeds 256 KB');
        continue;
      }
      if (this.options.faults?.inject('bus.failed_entry', entry.DetailType)) {
        fail('InternalFailure', 'Internal service error.');
        continue;
      }
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail);
        if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) throw new Error();
      } catch {
        fail('MalformedDetail', 'Detail is malformed.');
        continue;
      }
      const event: BusEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: '000000000000',
        time: (entry.Time ? new Date(String(entry.Time)) : this.options.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: this.options.region,
        resources: Array.isArray(entry.Resources) ? (entry.Resources as string[]) : [],
        detail,
      };
      await this.options.archive?.keep(event);
      await this.#route(event);
      results.push({ EventId: event.id });
    }
    return { FailedEntryCount: failed, Entries: results };
  }

  /** Delivers an event to the queue of every rule it matches. */
  async #route(event: BusEvent): Promise<void> {
    const deliveredTo: string[] = [];
    for (const rule of this.options.rules) {
      if (!matches(rule.pattern, event.source, event['detail-type'])) continue;
      await this.options.queues.send(rule.queue, JSON.stringify(event));
      deliveredTo.push(rule.queue);
    }
    this.options.onEvent?.(event, deliveredTo);
  }

  #archive(): LocalArchive {
    if (!this.options.archive) throw new AwsError('ResourceNotFoundException', 'the local bus has no archive');
    return this.options.archive;
  }

  async #startReplay(body: Record<string, unknown>) {
    const name = replayName(body);
    const from = Number(body.EventStartTime);
    const to = Number(body.EventEndTime);
    if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) throw new AwsError('ValidationException', 'EventStartTime must be before EventEndTime');
    const destination = String((body.Destination as { Arn?: unknown } | undefined)?.Arn ?? '');
    if (destination.split('/').pop() !== this.options.busName) throw new AwsError('ValidationException', `Destination ${destination} is not the bus ${this.options.busName}`);
    try {
      const replay = await this.#archive().replay(name, new Date(from * 1000), new Date(to * 1000), this.options.clock.now(), (event) => this.#route(event));
      return { ReplayArn: `arn:aws:events:${this.options.region}:000000000000:replay/${name}`, State: replay.state, ReplayStartTime: Date.parse(replay.started) / 1000 };
    } catch (e) {
      if ((e as { type?: string }).type === 'ResourceAlreadyExistsException') throw new AwsError('ResourceAlreadyExistsException', (e as Error).message);
      throw e;
    }
  }

  async #describeReplay(body: Record<string, unknown>) {
    const name = replayName(body);
    const replay = await this.#archive().describe(name);
    if (!replay) throw new AwsError('ResourceNotFoundException', `Replay ${name} does not exist.`);
    return {
      ReplayName: replay.name,
      ReplayArn: `arn:aws:events:${this.options.region}:000000000000:replay/${replay.name}`,
      State: replay.state,
      ...(replay.reason && { StateReason: replay.reason }),
      EventStartTime: Date.parse(replay.from) / 1000,
      EventEndTime: Date.parse(replay.to) / 1000,
      ReplayStartTime: Date.parse(replay.started) / 1000,
      ...(replay.lastReplayed && { EventLastReplayedTime: Date.parse(replay.lastReplayed) / 1000 }),
    };
  }

  #queueFromArn(arn: unknown): string {
    const name = String(arn ?? '').split(':').pop() ?? '';
    if (!this.options.queues.has(name)) throw new AwsError('com.amazonaws.sqs#ResourceNotFoundException', `The resource that you specified for the SourceArn parameter doesn't exist: ${String(arn)}`);
    return name;
  }

  #queueAttributes(body: Record<string, unknown>) {
    const depth = this.options.queues.depth(this.#queueFromUrl(body.QueueUrl));
    return { Attributes: { ApproximateNumberOfMessages: String(depth.visible), ApproximateNumberOfMessagesNotVisible: String(depth.notVisible) } };
  }

  /** ReceiveMessage with VisibilityTimeout 0 only (a look that takes nothing): what operators do with a dead-letter queue. */
  async #receiveMessage(body: Record<string, unknown>) {
    if (Number(body.VisibilityTimeout ?? -1) !== 0) throw new AwsError('UnknownOperationException', 'the local twin serves ReceiveMessage with VisibilityTimeout 0 only; consumers are fed by its queue pollers');
    const max = Math.max(1, Math.min(10, Number(body.MaxNumberOfMessages ?? 1)));
    const now = this.options.clock.now().getTime();
    const visible = this.options.queues.messages(this.#queueFromUrl(body.QueueUrl)).filter((m) => m.visibleAt <= now).slice(0, max);
    return {
      Messages: visible.map((m) => ({
        MessageId: m.id,
        ReceiptHandle: m.id,
        MD5OfBody: md5(m.body),
        Body: m.body,
        Attributes: { ApproximateReceiveCount: String(m.receiveCount), SentTimestamp: String(m.sentAt) },
      })),
    };
  }

  async #startMessageMoveTask(body: Record<string, unknown>) {
    const from = this.#queueFromArn(body.SourceArn);
    const to = body.DestinationArn ? this.#queueFromArn(body.DestinationArn) : this.options.queues.deadLetterSourceOf(from);
    if (!to) throw new AwsError('com.amazonaws.sqs#InvalidParameterValue', `${from} is not the dead-letter queue of any queue; name a DestinationArn`);
    await this.options.queues.moveAll(from, to);
    return { TaskHandle: Buffer.from(JSON.stringify({ from, to, at: this.options.clock.now().toISOString() })).toString('base64') };
  }

  #queueFromUrl(url: unknown): string {
    const name = String(url ?? '').split('/').pop() ?? '';
    if (!this.options.queues.has(name)) throw new AwsError('com.amazonaws.sqs#QueueDoesNotExist', `The specified queue does not exist: ${String(url)}`);
    return name;
  }

  async #send(queue: string, m: Record<string, unknown>, sentAt?: number) {
    const body = m.MessageBody;
    if (typeof body !== 'string' || body.length === 0) throw new AwsError('com.amazonaws.sqs#MissingParameter', 'MessageBody is required');
    if (Buffer.byteLength(body) > MAX_MESSAGE_BYTES) throw new AwsError('com.amazonaws.sqs#InvalidParameterValue', 'MessageBody exceeds 256 KiB');
    const delaySeconds = m.DelaySeconds === undefined ? 0 : Number(m.DelaySeconds);
    if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > 900) {
      throw new AwsError('com.amazonaws.sqs#InvalidParameterValue', 'DelaySeconds must be an integer from 0 to 900');
    }
    const attributes = (m.MessageAttributes ?? {}) as Record<string, MessageAttribute>;
    const sent = await this.options.queues.send(queue, body, { delaySeconds, attributes, ...(sentAt !== undefined && { sentAt }) });
    const attrMd5 = md5OfAttributes(attributes);
    return { MessageId: sent.id, MD5OfMessageBody: md5(body), ...(attrMd5 && { MD5OfMessageAttributes: attrMd5 }) };
  }

  #sendMessage(body: Record<string, unknown>) {
    const queue = this.#queueFromUrl(body.QueueUrl);
    if (this.options.faults?.inject('sqs.failed_send', queue)) throw new AwsError('InternalError', 'We encountered an internal error. Please try again.', 500);
    return this.#send(queue, body);
  }

  async #sendMessageBatch(body: Record<string, unknown>) {
    const queue = this.#queueFromUrl(body.QueueUrl);
    const entries = body.Entries;
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES) {
      throw new AwsError('com.amazonaws.sqs#TooManyEntriesInBatchRequest', `Entries must hold 1 to ${MAX_ENTRIES} messages`);
    }
    const Successful = [];
    const Failed = [];
    const sentAt = this.options.clock.now().getTime();
    for (const entry of entries as Record<string, unknown>[]) {
      if (this.options.faults?.inject('sqs.failed_send', queue)) {
        Failed.push({ Id: entry.Id, Code: 'InternalError', Message: 'We encountered an internal error. Please try again.', SenderFault: false });
        continue;
      }
      try {
        Successful.push({ Id: entry.Id, ...(await this.#send(queue, entry, sentAt)) });
      } catch (e) {
        if (!(e instanceof AwsError)) throw e;
        Failed.push({ Id: entry.Id, Code: e.type.split('#').pop(), Message: e.message, SenderFault: true });
      }
    }
    return { Successful, Failed };
  }
}
