import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from './local-services.ts';
import { DeleteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createHash, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Clock } from '#shared/domain/clock.ts';

/**
 * SQS semantics for the twin: delay, visibility timeout, receive counts,
 * redrive to a DLQ after max receives. Every message lives in a DynamoDB table
 * (the twin's dynalite) as well as in memory, and a state change is stored
 * before it is acknowledged, so a restart loses nothing.
 */

export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

export interface QueueMessage {
  id: string;
  body: string;
  attributes: Record<string, MessageAttribute>;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
}

export interface QueueDefinition {
  name: string;
  visibilityTimeoutSeconds: number;
  deadLetter?: { queue: string; maxReceiveCount: number };
}

const STORE_TABLE = 'paylas-twin-queues';

export async function createQueueTable(client: DynamoDBClient): Promise<void> {
  await ensureTable(client, {
    TableName: STORE_TABLE,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'queue', AttributeType: 'S' },
      { AttributeName: 'id', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'queue', KeyType: 'HASH' },
      { AttributeName: 'id', KeyType: 'RANGE' },
    ],
  });
}

export const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('hex');

/** MD5 of message attributes, computed as SQS does (the SDK checks it). */
export function md5OfAttributes(attributes: Record<string, MessageAttribute>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  const lengthPrefixed = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  };
  for (const name of names) {
    const a = attributes[name]!;
    lengthPrefixed(Buffer.from(name, 'utf8'));
    lengthPrefixed(Buffer.from(a.DataType, 'utf8'));
    if (a.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      lengthPrefixed(Buffer.from(a.BinaryValue, 'base64'));
    } else {
      parts.push(Buffer.from([1]));
      lengthPrefixed(Buffer.from(a.StringValue ?? '', 'utf8'));
    }
  }
  return md5(Buffer.concat(parts));
}

export class LocalQueues extends EventEmitter {
  readonly #defs = new Map<string, QueueDefinition>();
  readonly #messages = new Map<string, Map<string, QueueMessage>>();
  readonly #receiving = new Map<string, Promise<void>>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly clock: Clock,
  ) {
    super();
    this.setMaxListeners(0);
  }

  async define(def: QueueDefinition): Promise<void> {
    this.#defs.set(def.name, def);
    const messages = new Map<string, QueueMessage>();
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(new QueryCommand({ TableName: STORE_TABLE, KeyConditionExpression: '#q = :q', ExpressionAttributeNames: { '#q': 'queue' }, ExpressionAttributeValues: { ':q': def.name }, ExclusiveStartKey: start }));
      for (const item of out.Items ?? []) messages.set(item.id as string, item.message as QueueMessage);
      start = out.LastEvaluatedKey;
    } while (start);
    this.#messages.set(def.name, messages);
  }

  has(name: string): boolean {
    return this.#defs.has(name);
  }

  names(): string[] {
    return [...this.#defs.keys()];
  }

  #queue(name: string): Map<string, QueueMessage> {
    const q = this.#messages.get(name);
    if (!q) throw Object.assign(new Error(`The specified queue does not exist: ${name}`), { name: 'QueueDoesNotExist' });
    return q;
  }

  async #store(queue: string, m: QueueMessage): Promise<void> {
    await this.db.send(new PutCommand({ TableName: STORE_TABLE, Item: { queue, id: m.id, message: m } }));
  }

  async send(queue: string, body: string, options: { delaySeconds?: number; attributes?: Record<string, MessageAttribute>; sentAt?: number } = {}): Promise<QueueMessage> {
    const q = this.#queue(queue);
    // One SendMessageBatch shares one send time, so its messages become visible together.
    const now = options.sentAt ?? this.clock.now().getTime();
    const m: QueueMessage = {
      id: randomUUID(),
      body,
      attributes: options.attributes ?? {},
      sentAt: now,
      visibleAt: now + (options.delaySeconds ?? 0) * 1000,
      receiveCount: 0,
    };
    await this.#store(queue, m);
    q.set(m.id, m);
    this.emit('sent', queue);
    return m;
  }

  /**
   * Takes up to `max` visible messages, hiding each for the visibility timeout.
   * A message already received `maxReceiveCount` times moves to the DLQ instead.
   * Messages in `busy` (still being processed) are left alone.
   */
  async receive(queue: string, max: number, busy?: ReadonlySet<string>): Promise<QueueMessage[]> {
    // One receive at a time per queue, so two receivers never take the same message.
    const previous = this.#receiving.get(queue) ?? Promise.resolve();
    const current = previous.then(() => this.#receive(queue, max, busy));
    this.#receiving.set(queue, current.then(() => undefined, () => undefined));
    return current;
  }

  async #receive(queue: string, max: number, busy?: ReadonlySet<string>): Promise<QueueMessage[]> {
    const def = this.#defs.get(queue)!;
    const q = this.#queue(queue);
    const now = this.clock.now().getTime();
    const visible = [...q.values()].filter((m) => m.visibleAt <= now).sort((a, b) => a.visibleAt - b.visibleAt || a.sentAt - b.sentAt);
    const taken: QueueMessage[] = [];
    for (const m of visible) {
      if (taken.length >= max) break;
      if (busy?.has(m.id)) continue;
      if (def.deadLetter && m.receiveCount >= def.deadLetter.maxReceiveCount) {
        await this.#moveToDeadLetter(queue, m, def.deadLetter.queue);
        continue;
      }
      const next = { ...m, receiveCount: m.receiveCount + 1, visibleAt: now + def.visibilityTimeoutSeconds * 1000, firstReceivedAt: m.firstReceivedAt ?? now };
      await this.#store(queue, next);
      q.set(m.id, next);
      taken.push(next);
    }
    return taken;
  }

  async #moveToDeadLetter(queue: string, m: QueueMessage, dlq: string): Promise<void> {
    // Store in the DLQ first: a crash in between leaves a duplicate, never a loss.
    const moved = { ...m, visibleAt: this.clock.now().getTime() };
    await this.#store(dlq, moved);
    this.#queue(dlq).set(m.id, moved);
    await this.delete(queue, m.id);
  }

  /** The queue whose dead-letter queue `dlq` is, if any. */
  deadLetterSourceOf(dlq: string): string | undefined {
    return [...this.#defs.values()].find((d) => d.deadLetter?.queue === dlq)?.name;
  }

  /**
   * Moves every message of `from` to `to` as new deliveries (receive count 0,
   * visible now), as an SQS message move task does. Stored in `to` before
   * deleted from `from`: a crash in between duplicates, never loses.
   */
  async moveAll(from: string, to: string): Promise<number> {
    const now = this.clock.now().getTime();
    let moved = 0;
    for (const m of [...this.#queue(from).values()]) {
      const fresh: QueueMessage = { id: m.id, body: m.body, attributes: m.attributes, sentAt: now, visibleAt: now, receiveCount: 0 };
      await this.#store(to, fresh);
      this.#queue(to).set(fresh.id, fresh);
      await this.delete(from, m.id);
      moved++;
    }
    if (moved > 0) this.emit('sent', to);
    return moved;
  }

  async delete(queue: string, id: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: STORE_TABLE, Key: { queue, id } }));
    this.#queue(queue).delete(id);
  }

  /** When the next message becomes visible (simulated ms), if any is waiting. */
  nextVisibleAt(queue: string): number | undefined {
    let next: number | undefined;
    for (const m of this.#queue(queue).values()) if (next === undefined || m.visibleAt < next) next = m.visibleAt;
    return next;
  }

  depth(queue: string): { visible: number; notVisible: number; total: number } {
    const now = this.clock.now().getTime();
    const all = [...this.#queue(queue).values()];
    const visible = all.filter((m) => m.visibleAt <= now).length;
    return { visible, notVisible: all.length - visible, total: all.length };
  }

  messages(queue: string): QueueMessage[] {
    return [...this.#queue(queue).values()];
  }
}
